package dev.gatehouse.tunnel.runner;

import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.LinuxUdpTransport;
import dev.gatehouse.tunnel.net.UdpSocketKind;
import dev.gatehouse.tunnel.tun.LinuxTunDevice;
import dev.gatehouse.tunnel.wireguard.DropReason;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.Keypair;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TimerConfig;
import dev.gatehouse.tunnel.wireguard.TransportAead;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;

/**
 * Brings up a tunnel from a standard WireGuard config file on a TUN device, like {@code wg-quick
 * up}, and runs until killed:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp ... dev.gatehouse.tunnel.runner.TunnelRunner \
 *     wg0.conf [--interface wg0] [--no-configure] [--rekey-after-seconds N] [--no-offload] \
 *     [--crypto-workers N] [--udp linux|netty]
 * </pre>
 *
 * {@code --no-offload} opens the TUN device without TSO/checksum offloads (one packet per syscall).
 * {@code --udp netty} uses Netty's epoll socket instead of the default FFM one ({@link
 * LinuxUdpTransport}, which allocates nothing per datagram). {@code --under-load-threshold 0} makes
 * the device demand cookies (mac2) for every handshake. Unless {@code --no-configure} is given it
 * runs {@code ip} to set the MTU, add the Address prefixes, bring the link up and route each peer's
 * AllowedIPs (except default routes) to it. It prints one line per event: {@code READY ...}, {@code
 * HANDSHAKE peer=... count=N}.
 */
public final class TunnelRunner {
  private TunnelRunner() {}

  /** The number after flag {@code args[i - 1]}, in {@code [min, max]}; else a clear exit 2. */
  private static long number(String[] args, int i, long min, long max) {
    String flag = args[i - 1];
    try {
      long n = Long.parseLong(i < args.length ? args[i] : "");
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    System.err.println(
        "TunnelRunner: "
            + flag
            + " needs a number from "
            + min
            + " to "
            + max
            + (i < args.length ? ", not " + args[i] : ""));
    System.exit(2);
    return min;
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(
          "usage: TunnelRunner CONFIG [--interface NAME] [--no-configure]"
              + " [--rekey-after-seconds N] [--under-load-threshold HANDSHAKES_PER_SECOND]"
              + " [--no-offload] [--crypto-workers N] [--udp linux|netty]");
      System.exit(2);
    }
    Path configPath = Path.of(args[0]);
    String ifName = "wg0";
    boolean configure = true;
    boolean offloads = true;
    UdpSocketKind udpKind = UdpSocketKind.LINUX;
    int cryptoWorkers = CryptoWorkers.defaultCount();
    TimerConfig timers = TimerConfig.defaults();
    int underLoadThreshold = WireGuardDevice.Config.defaults().underLoadHandshakesPerSecond();
    for (int i = 1; i < args.length; i++) {
      switch (args[i]) {
        case "--interface" -> ifName = args[++i];
        case "--no-configure" -> configure = false;
        case "--no-offload" -> offloads = false;
        case "--udp" -> {
          String value = i + 1 < args.length ? args[++i] : "";
          Optional<UdpSocketKind> kind = UdpSocketKind.parse(value);
          if (kind.isEmpty()) {
            System.err.println(
                "TunnelRunner: --udp takes " + UdpSocketKind.choices() + ", not '" + value + "'");
            System.exit(2);
          }
          udpKind = kind.get();
        }
        case "--crypto-workers" ->
            cryptoWorkers = (int) number(args, ++i, 0, Keypair.MAX_LANES - 2);
        case "--rekey-after-seconds" ->
            timers = timers.withRekeyAfterTime(Duration.ofSeconds(number(args, ++i, 1, 1 << 30)));
        case "--under-load-threshold" ->
            underLoadThreshold = (int) number(args, ++i, 0, Integer.MAX_VALUE);
        default -> {
          System.err.println("unknown argument " + args[i]);
          System.exit(2);
        }
      }
    }
    if (!Files.isReadable(configPath)) {
      System.err.println("TunnelRunner: cannot read the configuration file " + configPath);
      System.exit(2);
    }
    WgConfig config = WgConfig.parse(Files.readString(configPath));
    StaticIdentity identity = StaticIdentity.fromPrivateKey(config.privateKey());
    WireGuardDevice device =
        new WireGuardDevice(
            identity,
            TunnelClock.system(),
            WireGuardDevice.Config.defaults()
                .withTimers(timers)
                .withUnderLoadThreshold(underLoadThreshold));
    for (WgConfig.Peer p : config.peers()) {
      device.addPeer(
          new PeerConfig(
              p.publicKey(),
              p.presharedKey(),
              p.allowedIps(),
              p.resolveEndpoint(),
              p.persistentKeepalive(),
              null));
    }
    LinuxTunDevice tun = LinuxTunDevice.open(ifName, config.mtu(), offloads);
    if (configure) {
      configureInterface(tun.name(), config);
    }
    InetSocketAddress listen = new InetSocketAddress(config.listenPort());
    DatagramTransport udp = udpKind.bind(listen);
    TunnelEngine engine =
        new TunnelEngine(device, tun, udp, TunnelRunner::log, cryptoWorkers).start();
    log(
        "READY interface="
            + tun.name()
            + " listen="
            + udp.localAddress().getPort()
            + " publicKey="
            + StaticIdentity.encodeKey(identity.publicKey())
            + " udp="
            + udpKind.configValue()
            + " tunOffloads="
            + tun.offloads()
            + " aead="
            + TransportAead.implementation()
            + " cryptoWorkers="
            + cryptoWorkers
            + " rekeyAfter="
            + timers.rekeyAfterTime().toSeconds()
            + "s");
    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  engine.close();
                  stop.countDown();
                }));
    Map<Peer, Long> seen = new HashMap<>();
    long[] dropsSeen = new long[DropReason.values().length];
    while (!stop.await(200, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      for (DropReason r : DropReason.values()) {
        long n = device.dropCount(r);
        if (n != dropsSeen[r.ordinal()]) {
          dropsSeen[r.ordinal()] = n;
          log("DROPS reason=" + r + " count=" + n);
        }
      }
      for (Peer peer : device.peers()) {
        long n = peer.handshakesCompleted();
        if (seen.getOrDefault(peer, 0L) != n) {
          seen.put(peer, n);
          log(
              "HANDSHAKE peer="
                  + StaticIdentity.encodeKey(peer.publicKey())
                  + " count="
                  + n
                  + " endpoint="
                  + peer.endpoint());
        }
      }
    }
  }

  private static void configureInterface(String ifName, WgConfig config)
      throws IOException, InterruptedException {
    run("ip", "link", "set", "dev", ifName, "mtu", Integer.toString(config.mtu()));
    for (IpPrefix a : config.addresses()) {
      run("ip", "address", "add", a.toString(), "dev", ifName);
    }
    run("ip", "link", "set", "dev", ifName, "up");
    List<String> routed = new ArrayList<>();
    for (WgConfig.Peer p : config.peers()) {
      for (IpPrefix prefix : p.allowedIps()) {
        if (prefix.length() == 0) {
          log(
              "not routing default route "
                  + prefix
                  + " (wg-quick's policy routing is out of scope)");
          continue;
        }
        run("ip", "route", "replace", prefix.toString(), "dev", ifName);
        routed.add(prefix.toString());
      }
    }
    log("configured " + ifName + " addresses=" + config.addresses() + " routes=" + routed);
  }

  private static void run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    if (p.waitFor() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + output.trim());
    }
  }

  static void log(String line) {
    System.out.println(Instant.now() + " " + line);
    System.out.flush();
  }
}
