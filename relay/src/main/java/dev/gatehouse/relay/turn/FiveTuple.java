package dev.gatehouse.relay.turn;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * RFC 8656 §2.2: the 5-tuple (client address, server address, transport) that identifies an
 * allocation. The transport is always UDP here, so it is implied.
 */
public record FiveTuple(InetSocketAddress client, InetSocketAddress server) {
  public FiveTuple {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(server, "server");
  }
}
