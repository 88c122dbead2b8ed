package dev.gatehouse.tunnel.bench;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelResult;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Gateway memory per connected client, as the tunnel holds it: one gateway device gets N client
 * peers (a /32 and a /128 allowed IP each, a preshared key, as the gateway configures them), then
 * every client completes a handshake and sends one packet, so each peer holds a live session (a
 * keypair with its two ciphers and replay window, timers, endpoint). The clients' own devices are
 * dropped after their handshake; only the gateway's growth is measured: heap used after repeated
 * full GCs ({@code -XX:+UseSerialGC} makes that exact), divided by N.
 *
 * <p>Usage: {@code tunnel/scripts/peer-memory.sh [N]} (default 5,000).
 */
public final class PeerMemoryBenchmark {
  private static final InetSocketAddress GATEWAY = new InetSocketAddress("192.0.2.1", 51820);

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    BenchPair.ManualClock clock = new BenchPair.ManualClock();
    StaticIdentity gatewayIdentity = StaticIdentity.generate();
    WireGuardDevice gateway =
        new WireGuardDevice(
            gatewayIdentity,
            clock,
            // every handshake lands in the same clock second: never answer with a cookie
            WireGuardDevice.Config.defaults().withUnderLoadThreshold(Integer.MAX_VALUE));
    StaticIdentity[] clients = new StaticIdentity[n];
    byte[][] psks = new byte[n][];
    for (int i = 0; i < n; i++) {
      clients[i] = StaticIdentity.generate();
      psks[i] = new byte[32];
      psks[i][0] = (byte) i;
      psks[i][1] = (byte) (i >> 8);
    }

    long empty = usedAfterGc();
    for (int i = 0; i < n; i++) {
      gateway.addPeer(
          PeerConfig.of(clients[i].publicKey(), allowedIps(i)).withPresharedKey(psks[i]));
    }
    long configured = usedAfterGc();

    long started = System.nanoTime();
    ByteBuffer out = ByteBuffer.allocate(65536);
    ByteBuffer out2 = ByteBuffer.allocate(65536);
    for (int i = 0; i < n; i++) {
      handshake(clients[i], psks[i], gatewayIdentity, gateway, i, clock, out, out2);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    long connected = usedAfterGc();
    if (gateway.peers().size() != n) {
      throw new IllegalStateException("expected " + n + " peers, got " + gateway.peers().size());
    }

    System.out.printf("peers: %,d (each with 2 allowed IPs and a preshared key)%n", n);
    System.out.printf(
        "configured, no session: %,.0f B per peer%n", (configured - empty) / (double) n);
    System.out.printf(
        "with a live session:    %,.0f B per peer (%,.1f MB for all)%n",
        (connected - empty) / (double) n, (connected - empty) / 1e6);
    System.out.printf("handshakes (both sides on this thread): %,.0f per second%n", n / seconds);
    if (Boolean.getBoolean("histogram")) {
      System.out.println(topOfClassHistogram(40));
    }
    java.lang.ref.Reference.reachabilityFence(gateway);
  }

  /** The top of the live-object class histogram (what {@code jcmd GC.class_histogram} prints). */
  private static String topOfClassHistogram(int lines) {
    try {
      Object text =
          ManagementFactory.getPlatformMBeanServer()
              .invoke(
                  new javax.management.ObjectName("com.sun.management:type=DiagnosticCommand"),
                  "gcClassHistogram",
                  new Object[] {null},
                  new String[] {String[].class.getName()});
      return ((String) text)
          .lines()
          .limit(lines)
          .collect(java.util.stream.Collectors.joining("\n"));
    } catch (javax.management.JMException e) {
      return "no class histogram: " + e;
    }
  }

  /** Client i: 100.64.x.y/32 and fd00:2021:1111::x:y/128, as the API node hands them out. */
  private static List<IpPrefix> allowedIps(int i) {
    int hi = (i >> 8) & 0xff;
    int lo = i & 0xff;
    return List.of(
        IpPrefix.parse("100.64." + hi + "." + lo + "/32"),
        IpPrefix.parse("fd00:2021:1111::" + Integer.toHexString(hi) + ":" + lo + "/128"));
  }

  private static void handshake(
      StaticIdentity identity,
      byte[] psk,
      StaticIdentity gatewayIdentity,
      WireGuardDevice gateway,
      int i,
      BenchPair.ManualClock clock,
      ByteBuffer out,
      ByteBuffer out2) {
    WireGuardDevice client =
        new WireGuardDevice(identity, clock, WireGuardDevice.Config.defaults());
    client.addPeer(
        PeerConfig.of(gatewayIdentity.publicKey(), List.of(IpPrefix.parse("0.0.0.0/0")))
            .withPresharedKey(psk)
            .withEndpoint(GATEWAY));
    InetSocketAddress from = new InetSocketAddress("198.51.100.1", 40000 + (i % 20000));
    byte[] packet = packetFrom(i);
    BenchPair.expect(client.encapsulate(ByteBuffer.wrap(packet), out), TunnelResult.Done.class);
    BenchPair.expect(client.poll(out), TunnelResult.WriteToNetwork.class); // initiation
    BenchPair.expect(
        gateway.decapsulate(out, from, out2), TunnelResult.WriteToNetwork.class); // response
    BenchPair.expect(client.decapsulate(out2, GATEWAY, out), TunnelResult.Done.class);
    BenchPair.expect(client.poll(out), TunnelResult.WriteToNetwork.class); // the staged packet
    BenchPair.expect(gateway.decapsulate(out, from, out2), TunnelResult.WriteToTunnel.class);
    BenchPair.expect(gateway.poll(out2), TunnelResult.Done.class);
  }

  /** A 64-byte UDP packet from client i's tunnel address to a resource. */
  private static byte[] packetFrom(int i) {
    byte[] p = BenchPair.packet(64);
    p[12] = 100;
    p[13] = 64;
    p[14] = (byte) ((i >> 8) & 0xff);
    p[15] = (byte) (i & 0xff);
    return p;
  }

  private static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
