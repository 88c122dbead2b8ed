package dev.gatehouse.tunnel.wireguard;

/**
 * Decides whether a decrypted IP packet from a peer may reach the TUN device. Implementations must
 * not throw and must not keep a reference to the buffer.
 */
@FunctionalInterface
public interface InboundFilter {

  /** Lets everything through. */
  InboundFilter PERMIT_ALL = (packet, off, len) -> true;

  /** Whether the IP packet {@code packet[off, off+len)} is permitted. */
  boolean permits(byte[] packet, int off, int len);
}
