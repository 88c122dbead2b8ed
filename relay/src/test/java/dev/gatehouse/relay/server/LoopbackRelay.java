package dev.gatehouse.relay.server;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.turn.RelayMetrics;
import dev.gatehouse.relay.turn.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.UnaryOperator;

/**
 * Starts a {@link RelayServer} on 127.0.0.1 with kernel-chosen ports and loopback peers allowed.
 */
final class LoopbackRelay {
  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private LoopbackRelay() {}

  static RelayServer start(String secret, RelayMetrics metrics, UnaryOperator<TurnConfig> tweak)
      throws InterruptedException {
    return start(secret, metrics, tweak, 0);
  }

  /** On {@code port} (0: the kernel picks), e.g. to restart a relay where it was. */
  static RelayServer start(
      String secret, RelayMetrics metrics, UnaryOperator<TurnConfig> tweak, int port)
      throws InterruptedException {
    TurnConfig config =
        tweak.apply(TurnConfig.defaults("gatehouse", LOOPBACK).withAllowLoopbackPeers(true));
    return RelayServer.start(
        new RelayServer.Settings(
            new InetSocketAddress(LOOPBACK, port), null, PortRange.ephemeral()),
        config,
        new RelayCredentials(secret),
        metrics);
  }
}
