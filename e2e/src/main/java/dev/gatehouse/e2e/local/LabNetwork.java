package dev.gatehouse.e2e.local;

import static dev.gatehouse.e2e.local.Commands.run;

import java.io.IOException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks of the local stack, all in network namespaces this class creates (needs root):
 *
 * <pre>
 *   root namespace ── veth ──┐                   (API nodes at P.2 and P.4: two operator replicas)
 *   resource ns (P.3) ─ veth ┤ hub: bridge br0 P.1/24  ("the pod network" P = 10.244.N)
 *   relay ns (P.5) ──── veth ┤                         (the TURN relay, as a hostNetwork pod)
 *   gateway pods (P.10…) ────┘      │
 *                                   router + firewall (nftables)
 *   client ns (Q.2) ─── veth ────── pub0 Q.1/24        ("the internet" Q = 198.18.N)
 * </pre>
 *
 * From the client's side only what a cluster would expose is reachable: the gateways' UDP port (as
 * a LoadBalancer would), the relay's UDP ports and the API node's port (as an Ingress would),
 * masqueraded by the hub like a cloud load balancer does. {@link #blockDirect} takes the gateways'
 * port away, as a cluster without a LoadBalancer would, so only the relay is left. Everything else
 * — the resource above all — is dropped, so traffic that reaches the resource from the client went
 * through a gateway. The only change to the root namespace is one veth with an address in the pod
 * network, removed on close.
 */
public final class LabNetwork implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LabNetwork.class);

  /** The resource's name in the lab's "cluster DNS" (an /etc/hosts line in every pod). */
  public static final String RESOURCE_NAME = "web.gatehouse-demo.svc.cluster.local";

  /** The client's DNS stub, which the client namespace's resolv.conf names. */
  public static final String CLIENT_DNS_STUB = "100.100.111.1";

  /** API nodes (operator replicas) the lab has addresses for, as the chart's two replicas. */
  public static final int API_NODES = 2;

  /** The gateways' WireGuard port, the only UDP port the client side may reach. */
  public static final int GATEWAY_PORT = 51820;

  /** The relay's STUN/TURN port; its relayed ports are above 49152. */
  public static final int RELAY_PORT = 3478;

  private final String name;
  private final int subnet;
  private final int apiPort;

  private LabNetwork(int subnet, int apiPort) {
    this.name = "ght" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
    this.subnet = subnet;
    this.apiPort = apiPort;
  }

  /**
   * Creates the namespaces and links.
   *
   * @param subnet the N of 10.244.N.0/24 and 198.18.N.0/24; distinct per concurrent stack
   * @param apiPort the API node's TCP port, the one TCP port the client side may reach
   */
  public static LabNetwork create(int subnet, int apiPort)
      throws IOException, InterruptedException {
    if (subnet < 1 || subnet > 254) {
      throw new IllegalArgumentException("subnet must be 1..254, was " + subnet);
    }
    LabNetwork lab = new LabNetwork(subnet, apiPort);
    try {
      lab.build();
    } catch (IOException | InterruptedException | RuntimeException e) {
      lab.close();
      throw e;
    }
    return lab;
  }

  private void build() throws IOException, InterruptedException {
    String hub = hub();
    namespace(hub);
    run("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", hub, "addr", "add", podAddress(1) + "/24", "dev", "br0");
    run("ip", "-n", hub, "link", "set", "br0", "up");
    run("ip", "netns", "exec", hub, "sysctl", "-qw", "net.ipv4.ip_forward=1");

    run("ip", "link", "add", rootLink(), "type", "veth", "peer", "name", "up0", "netns", hub);
    run("ip", "-n", hub, "link", "set", "up0", "master", "br0", "up");
    for (int node = 0; node < API_NODES; node++) {
      run("ip", "addr", "add", apiAddress(node) + "/24", "dev", rootLink());
    }
    run("ip", "link", "set", rootLink(), "up");

    namespace(resourceNamespace());
    attach(resourceNamespace(), "res0", resourceAddress());

    namespace(relayNamespace());
    attach(relayNamespace(), "rel0", relayAddress());

    namespace(clientNamespace());
    run(
        "ip",
        "link",
        "add",
        "pub0",
        "netns",
        hub,
        "type",
        "veth",
        "peer",
        "name",
        "eth0",
        "netns",
        clientNamespace());
    run("ip", "-n", hub, "addr", "add", publicAddress(1) + "/24", "dev", "pub0");
    run("ip", "-n", hub, "link", "set", "pub0", "up");
    run("ip", "-n", clientNamespace(), "addr", "add", clientAddress() + "/24", "dev", "eth0");
    run("ip", "-n", clientNamespace(), "link", "set", "eth0", "up");
    run("ip", "-n", clientNamespace(), "route", "add", "default", "via", publicAddress(1));
    // ip netns exec bind-mounts /etc/netns/<ns>/* over /etc: the client namespace resolves
    // through the client's stub, as a laptop would after `resolvectl dns gatehouse0 ...`.
    etc(clientNamespace(), "resolv.conf", "nameserver " + CLIENT_DNS_STUB + "\n");
    Commands.runWithInput(firewall(), "ip", "netns", "exec", hub, "nft", "-f", "-");
    LOG.info(
        "lab {}: pod network {}.0/24 (API nodes {} and {}), client {}, resource {}",
        name,
        podPrefix(),
        apiAddress(0),
        apiAddress(1),
        clientAddress(),
        resourceAddress());
  }

  /** The hub's rules: what the client side may reach, and the load balancer's masquerade. */
  String firewall() {
    return """
        table ip gatehouse_lab {
          chain forward {
            type filter hook forward priority 0; policy accept;
            iifname "pub0" ct state established,related accept
            iifname "pub0" ip daddr %1$s.0/24 udp dport %2$d accept
            iifname "pub0" ip daddr %6$s meta l4proto udp accept
            iifname "pub0" ip daddr { %3$s } tcp dport %4$d accept
            iifname "pub0" counter drop
          }
          chain postrouting {
            type nat hook postrouting priority 100; policy accept;
            ip saddr %5$s.0/24 oifname "br0" masquerade
          }
        }
        """
        .formatted(
            podPrefix(),
            GATEWAY_PORT,
            apiAddress(0) + ", " + apiAddress(1),
            apiPort,
            publicPrefix(),
            relayAddress());
  }

  /**
   * Whether the client side may reach the gateways' UDP port: false drops it (in a table of its
   * own, established flows included), so a client must go through the relay.
   */
  public void blockDirect(boolean blocked) throws IOException, InterruptedException {
    if (blocked) {
      Commands.runWithInput(
          """
          table ip gatehouse_no_direct {
            chain forward {
              type filter hook forward priority -10; policy accept;
              iifname "pub0" ip daddr %s.0/24 udp dport %d drop
            }
          }
          """
              .formatted(podPrefix(), GATEWAY_PORT),
          "ip",
          "netns",
          "exec",
          hub(),
          "nft",
          "-f",
          "-");
    } else {
      Commands.runIn(hub(), "nft", "delete", "table", "ip", "gatehouse_no_direct");
    }
  }

  private void namespace(String ns) throws IOException, InterruptedException {
    run("ip", "netns", "add", ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
  }

  /** Writes {@code /etc/netns/<ns>/<file>}, which {@code ip netns exec} shows as /etc/<file>. */
  public static void etc(String ns, String file, String content) throws IOException {
    java.nio.file.Path dir = java.nio.file.Path.of("/etc/netns", ns);
    java.nio.file.Files.createDirectories(dir);
    java.nio.file.Files.writeString(dir.resolve(file), content);
  }

  /** Removes {@code /etc/netns/<ns>} if this lab wrote it. */
  public static void forgetEtc(String ns) {
    java.nio.file.Path dir = java.nio.file.Path.of("/etc/netns", ns);
    try (var files = java.nio.file.Files.list(dir)) {
      for (java.nio.file.Path f : files.toList()) {
        java.nio.file.Files.delete(f);
      }
      java.nio.file.Files.delete(dir);
    } catch (java.nio.file.NoSuchFileException e) {
      // nothing written
    } catch (IOException e) {
      LOG.debug("removing {}: {}", dir, e.getMessage());
    }
  }

  /** The /etc/hosts of every pod: the lab's stand-in for cluster DNS. */
  public String clusterHosts() {
    return "127.0.0.1 localhost\n" + resourceAddress() + " " + RESOURCE_NAME + "\n";
  }

  /** Wires a namespace to the pod network's bridge as {@code eth0} with {@code address}/24. */
  public void attach(String ns, String hubSide, String address)
      throws IOException, InterruptedException {
    run(
        "ip", "link", "add", hubSide, "netns", hub(), "type", "veth", "peer", "name", "eth0",
        "netns", ns);
    run("ip", "-n", hub(), "link", "set", hubSide, "master", "br0", "up");
    run("ip", "-n", ns, "addr", "add", address + "/24", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
  }

  public String name() {
    return name;
  }

  public String hub() {
    return name + "-hub";
  }

  public String clientNamespace() {
    return name + "-client";
  }

  public String resourceNamespace() {
    return name + "-res";
  }

  public String relayNamespace() {
    return name + "-relay";
  }

  /** Where the relay listens ({@link #RELAY_PORT}) and relays from. */
  public String relayAddress() {
    return podAddress(5);
  }

  private String rootLink() {
    return name + "-r";
  }

  public String podPrefix() {
    return "10.244." + subnet;
  }

  private String publicPrefix() {
    return "198.18." + subnet;
  }

  private String podAddress(int host) {
    return podPrefix() + "." + host;
  }

  private String publicAddress(int host) {
    return publicPrefix() + "." + host;
  }

  /** Where API node {@code node} (0 or 1) listens, in the root namespace. */
  public String apiAddress(int node) {
    return podAddress(node == 0 ? 2 : 4);
  }

  public int apiPort() {
    return apiPort;
  }

  /** The resource's address: an HTTP server and iperf3 run there. */
  public String resourceAddress() {
    return podAddress(3);
  }

  public String clientAddress() {
    return publicAddress(2);
  }

  /** The first host number free for pods. */
  public int firstPodHost() {
    return 10;
  }

  /** Packets from the client side the hub dropped (reached for something not exposed). */
  public long droppedFromClientSide() throws IOException, InterruptedException {
    String rules = Commands.runIn(hub(), "nft", "list", "chain", "ip", "gatehouse_lab", "forward");
    var m = java.util.regex.Pattern.compile("counter packets (\\d+)").matcher(rules);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Override
  public void close() {
    forgetEtc(clientNamespace());
    for (String ns :
        new String[] {clientNamespace(), resourceNamespace(), relayNamespace(), hub()}) {
      try {
        run("ip", "netns", "del", ns);
      } catch (IOException | InterruptedException e) {
        LOG.debug("removing {}: {}", ns, e.getMessage());
      }
    }
    try {
      run("ip", "link", "del", rootLink());
    } catch (IOException | InterruptedException e) {
      LOG.debug("{} went with the hub: {}", rootLink(), e.getMessage());
    }
  }
}
