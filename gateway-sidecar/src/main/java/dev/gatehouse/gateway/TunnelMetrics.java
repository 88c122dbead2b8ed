package dev.gatehouse.gateway;

import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.tunnel.net.UdpSocketCounters;
import dev.gatehouse.tunnel.wireguard.DropReason;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * Tunnel metrics, read at scrape time from the counters the tunnel keeps: peers, completed
 * handshakes, UDP datagrams and TUN packets (with bytes) in both directions, drops by reason,
 * active flows, and the UDP socket's own pushback and loss when it keeps them. Names as Prometheus
 * shows them are in the README.
 */
@Singleton
public class TunnelMetrics implements MeterBinder {

  static final String PREFIX = "gatehouse.gateway.";

  private final GatewayRuntime runtime;

  public TunnelMetrics(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(PREFIX + "peers", runtime, GatewayRuntime::peerCount)
        .description("WireGuard peers (clients with access) on this gateway")
        .strongReference(true)
        .register(registry);
    Gauge.builder(PREFIX + "flows.active", runtime, GatewayRuntime::activeFlows)
        .description("authorized (client, resource) pairs")
        .strongReference(true)
        .register(registry);
    Gauge.builder(PREFIX + "nat.entries", runtime, GatewayRuntime::natEntries)
        .description(
            "address translations for names of DNS resources: proxy addresses plus tracked"
                + " connections")
        .strongReference(true)
        .register(registry);
    counter(
        registry, "handshakes", "completed WireGuard handshakes", null, GatewayRuntime::handshakes);
    counter(registry, "udp.packets", "WireGuard datagrams", "rx", GatewayRuntime::udpRxPackets);
    counter(registry, "udp.packets", "WireGuard datagrams", "tx", GatewayRuntime::udpTxPackets);
    counter(registry, "udp.bytes", "WireGuard datagram bytes", "rx", GatewayRuntime::udpRxBytes);
    counter(registry, "udp.bytes", "WireGuard datagram bytes", "tx", GatewayRuntime::udpTxBytes);
    String relayed = "WireGuard datagram bytes carried through TURN relays";
    counter(registry, "relayed.bytes", relayed, "rx", GatewayRuntime::relayedRxBytes);
    counter(registry, "relayed.bytes", relayed, "tx", GatewayRuntime::relayedTxBytes);
    counter(
        registry,
        "relay.allocations",
        "TURN allocations made (again after a relay restarts)",
        null,
        GatewayRuntime::relayAllocations);
    String tun = "decrypted IP packets: out = towards resources, in = towards clients";
    counter(registry, "tun.packets", tun, "out", GatewayRuntime::tunOutPackets);
    counter(registry, "tun.packets", tun, "in", GatewayRuntime::tunInPackets);
    counter(registry, "tun.bytes", tun, "out", GatewayRuntime::tunOutBytes);
    counter(registry, "tun.bytes", tun, "in", GatewayRuntime::tunInBytes);
    runtime.udpSocketCounters().ifPresent(socket -> bindSocket(registry, socket));
    for (DropReason reason : DropReason.values()) {
      FunctionCounter.builder(PREFIX + "drops", runtime, r -> r.dropCount(reason))
          .description("datagrams and packets the tunnel dropped, by reason")
          .tag("reason", reason.name().toLowerCase(Locale.ROOT))
          .register(registry);
    }
  }

  /**
   * The FFM socket's pushback: sends queued behind a full buffer, datagrams it lost, and whether
   * the kernel still takes GSO batches.
   */
  private static void bindSocket(MeterRegistry registry, UdpSocketCounters socket) {
    Gauge.builder(PREFIX + "udp.socket.gso", socket, s -> s.segmentsSends() ? 1 : 0)
        .description(
            "1 while UDP sends leave as GSO batches; 0 once the kernel refused one (a path"
                + " narrower than the tunnel's datagrams), after which they go one at a time")
        .strongReference(true)
        .register(registry);
    FunctionCounter.builder(PREFIX + "udp.socket.queued", socket, UdpSocketCounters::queuedSends)
        .description("UDP sends that met a full socket buffer and waited in order")
        .register(registry);
    String dropped =
        "datagrams the UDP socket lost: tx = beyond its queue or refused by the kernel, rx ="
            + " truncated or unreadable";
    FunctionCounter.builder(PREFIX + "udp.socket.dropped", socket, UdpSocketCounters::droppedSends)
        .description(dropped)
        .tag("direction", "tx")
        .register(registry);
    FunctionCounter.builder(
            PREFIX + "udp.socket.dropped", socket, UdpSocketCounters::droppedReceives)
        .description(dropped)
        .tag("direction", "rx")
        .register(registry);
  }

  private void counter(
      MeterRegistry registry,
      String name,
      String description,
      String direction,
      ToDoubleFunction<GatewayRuntime> f) {
    FunctionCounter.Builder<GatewayRuntime> b =
        FunctionCounter.builder(PREFIX + name, runtime, f).description(description);
    if (direction != null) {
      b.tag("direction", direction);
    }
    b.register(registry);
  }
}
