package dev.gatehouse.tunnel.runner;

import dev.gatehouse.tunnel.net.HostPort;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A standard WireGuard configuration file (the format of {@code wg-quick}): {@code [Interface]}
 * with PrivateKey, ListenPort, Address, MTU; {@code [Peer]} sections with PublicKey, PresharedKey,
 * AllowedIPs, Endpoint, PersistentKeepalive. Unknown keys (DNS, Table, PostUp...) are ignored;
 * malformed values are rejected with the line number.
 */
public record WgConfig(
    byte[] privateKey, int listenPort, List<IpPrefix> addresses, int mtu, List<Peer> peers) {

  /** Default MTU of wg-quick. */
  public static final int DEFAULT_MTU = 1420;

  /** One {@code [Peer]} section. Endpoint is kept unresolved as {@code host:port}. */
  public record Peer(
      byte[] publicKey,
      byte[] presharedKey,
      List<IpPrefix> allowedIps,
      String endpoint,
      Duration persistentKeepalive) {

    /** Resolves the endpoint ({@code host:port} or {@code [v6]:port}); null if none. */
    public InetSocketAddress resolveEndpoint() {
      if (endpoint == null) {
        return null;
      }
      return HostPort.parse(endpoint);
    }
  }

  /** Parses the text of a config file. */
  public static WgConfig parse(String text) {
    byte[] privateKey = null;
    int listenPort = 0;
    int mtu = DEFAULT_MTU;
    List<IpPrefix> addresses = new ArrayList<>();
    List<Peer> peers = new ArrayList<>();
    String section = null;
    byte[] pub = null;
    byte[] psk = null;
    List<IpPrefix> allowed = new ArrayList<>();
    String endpoint = null;
    Duration keepalive = Duration.ZERO;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.trim();
      if (line.isEmpty()) {
        continue;
      }
      try {
        if (line.startsWith("[")) {
          if ("peer".equals(section)) {
            peers.add(finishPeer(pub, psk, allowed, endpoint, keepalive));
          }
          section = line.toLowerCase(java.util.Locale.ROOT);
          if (section.equals("[interface]")) {
            section = "interface";
          } else if (section.equals("[peer]")) {
            section = "peer";
            pub = null;
            psk = null;
            allowed = new ArrayList<>();
            endpoint = null;
            keepalive = Duration.ZERO;
          } else {
            throw new IllegalArgumentException("unknown section " + line);
          }
          continue;
        }
        int eq = line.indexOf('=');
        if (eq <= 0 || section == null) {
          throw new IllegalArgumentException("expected key = value inside a section");
        }
        String key = line.substring(0, eq).trim().toLowerCase(java.util.Locale.ROOT);
        String value = line.substring(eq + 1).trim();
        if (section.equals("interface")) {
          switch (key) {
            case "privatekey" -> privateKey = StaticIdentity.decodeKey(value);
            case "listenport" -> listenPort = port(value);
            case "address" -> addresses.addAll(prefixes(value));
            case "mtu" -> mtu = Integer.parseInt(value);
            default -> {}
          }
        } else {
          switch (key) {
            case "publickey" -> pub = StaticIdentity.decodeKey(value);
            case "presharedkey" -> psk = StaticIdentity.decodeKey(value);
            case "allowedips" -> allowed.addAll(prefixes(value));
            case "endpoint" -> endpoint = value;
            case "persistentkeepalive" ->
                keepalive =
                    value.equalsIgnoreCase("off")
                        ? Duration.ZERO
                        : Duration.ofSeconds(Integer.parseInt(value));
            default -> {}
          }
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (i + 1) + ": " + e.getMessage(), e);
      }
    }
    if ("peer".equals(section)) {
      peers.add(finishPeer(pub, psk, allowed, endpoint, keepalive));
    }
    if (privateKey == null) {
      throw new IllegalArgumentException("[Interface] PrivateKey is missing");
    }
    if (mtu < 576 || mtu > 65535) {
      throw new IllegalArgumentException("MTU " + mtu + " out of range 576..65535");
    }
    return new WgConfig(privateKey, listenPort, List.copyOf(addresses), mtu, List.copyOf(peers));
  }

  private static Peer finishPeer(
      byte[] pub, byte[] psk, List<IpPrefix> allowed, String endpoint, Duration keepalive) {
    if (pub == null) {
      throw new IllegalArgumentException("[Peer] without PublicKey");
    }
    return new Peer(pub, psk, List.copyOf(allowed), endpoint, keepalive);
  }

  private static int port(String v) {
    int p = Integer.parseInt(v);
    if (p < 0 || p > 65535) {
      throw new IllegalArgumentException("port out of range: " + v);
    }
    return p;
  }

  private static List<IpPrefix> prefixes(String v) {
    List<IpPrefix> out = new ArrayList<>();
    for (String s : v.split(",")) {
      if (!s.isBlank()) {
        out.add(IpPrefix.parse(s));
      }
    }
    return out;
  }
}
