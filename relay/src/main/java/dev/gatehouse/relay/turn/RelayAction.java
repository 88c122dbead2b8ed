package dev.gatehouse.relay.turn;

import java.net.InetSocketAddress;

/**
 * What the I/O edge must do after a call into {@link Allocations}. Byte arrays belong to the
 * action: the edge may wrap them without copying and must not change them.
 */
public sealed interface RelayAction {

  /** Send {@code datagram} from the listening socket to {@code client}. */
  record ToClient(InetSocketAddress client, byte[] datagram) implements RelayAction {}

  /**
   * Send {@code data[offset, offset+length)} from the relayed socket known as {@code relay} to
   * {@code peer}. The array may be the one passed into the core; it is not modified.
   */
  record ToPeer(
      InetSocketAddress relay, InetSocketAddress peer, byte[] data, int offset, int length)
      implements RelayAction {}

  /**
   * Bind a new relayed UDP socket for the pending allocation of {@code owner} (an even port when
   * {@code evenPort}), then report it with {@link Allocations#onRelayOpened} or {@link
   * Allocations#onRelayFailed}.
   */
  record OpenRelay(FiveTuple owner, boolean evenPort) implements RelayAction {}

  /** Close the relayed socket known as {@code relay}; its allocation is gone. */
  record CloseRelay(InetSocketAddress relay) implements RelayAction {}
}
