package dev.gatehouse.tunnel.wireguard;

/**
 * {@link DropTest} with every datagram decapsulated where it lies in native memory, as {@code
 * LinuxUdpTransport} hands them to the engine: the same drops, counted the same way.
 */
class DropViaNativeMemoryTest extends DropTest {
  @Override
  DevicePair pair() {
    DevicePair p = new DevicePair();
    p.viaNativeMemory = true;
    return p;
  }
}
