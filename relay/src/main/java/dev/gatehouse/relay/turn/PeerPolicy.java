package dev.gatehouse.relay.turn;

import java.net.InetAddress;

/**
 * Which peer addresses the relay refuses to talk to (RFC 8656, Security Considerations: a relay
 * must not become a way into the network it runs in). Refused: unspecified, multicast, link-local
 * (which includes cloud metadata at 169.254.169.254) and, unless allowed, loopback addresses.
 */
record PeerPolicy(boolean allowLoopback) {

  /** Whether relaying to or from {@code peer} is forbidden (403 for requests, dropped data). */
  boolean forbids(InetAddress peer) {
    return peer.isAnyLocalAddress()
        || peer.isMulticastAddress()
        || peer.isLinkLocalAddress()
        || (peer.isLoopbackAddress() && !allowLoopback);
  }
}
