package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.client.tunnel.LinuxInterface;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@link HostNetwork} with iproute2 and nftables: addresses and routes with {@code ip}, forwarding
 * through {@code /proc/sys/net/ipv{4,6}/.../forwarding}, and masquerade in its own nftables table
 * ({@code inet gatehouse_<ifname>}), replaced as a whole on every {@link #configure}. Needs
 * CAP_NET_ADMIN (and a writable /proc/sys/net, as in a pod's own network namespace).
 */
public final class LinuxHostNetwork implements HostNetwork {

  @Override
  public void up(String ifName, int mtu) throws IOException {
    LinuxInterface.run("ip", "link", "set", "dev", ifName, "mtu", Integer.toString(mtu), "up");
  }

  @Override
  public void configure(
      String ifName,
      IpPrefix ipv4,
      IpPrefix ipv6,
      List<IpPrefix> clientRanges,
      boolean masquerade4,
      boolean masquerade6)
      throws IOException {
    LinuxInterface.run("ip", "address", "flush", "dev", ifName);
    LinuxInterface.run("ip", "address", "add", ipv4.toString(), "dev", ifName);
    LinuxInterface.run("ip", "-6", "address", "add", ipv6.toString(), "dev", ifName, "nodad");
    for (IpPrefix r : clientRanges) {
      String family = r.address().getAddress().length == 4 ? "-4" : "-6";
      LinuxInterface.run("ip", family, "route", "replace", r.toString(), "dev", ifName);
    }
    enableForwarding(Path.of("/proc/sys/net/ipv4/ip_forward"), "net.ipv4.ip_forward", true);
    enableForwarding(
        Path.of("/proc/sys/net/ipv6/conf/all/forwarding"), "net.ipv6.conf.all.forwarding", false);
    nft(script(ifName, masquerade4, masquerade6));
  }

  /**
   * Sets a forwarding sysctl to 1 unless it already is (in a pod /proc/sys is usually read-only:
   * then the pod's {@code securityContext.sysctls} must set it, as the operator's gateway
   * Deployments do). Never asks for privileges: a required sysctl that stays 0 is an error whose
   * message says what to change.
   *
   * @param required false for IPv6, whose forwarding is best effort (IPv4 resources still work)
   */
  static void enableForwarding(Path file, String sysctl, boolean required) throws IOException {
    if (!Files.exists(file)) {
      if (required) {
        throw new IOException(sysctl + " does not exist (" + file + ")");
      }
      return;
    }
    if (Files.readString(file).strip().equals("1")) {
      return;
    }
    try {
      Files.writeString(file, "1\n");
    } catch (IOException e) {
      if (required) {
        throw new IOException(
            sysctl
                + " is 0 and cannot be set ("
                + e.getMessage()
                + "); in Kubernetes the pod's securityContext.sysctls must set it (the operator"
                + " does unless the Gateway sets spec.pod.ipForwardSysctl: false), elsewhere run"
                + " with a writable /proc/sys",
            e);
      }
    }
  }

  static String table(String ifName) {
    return "gatehouse_" + ifName.replaceAll("[^A-Za-z0-9_]", "_");
  }

  /** The nftables script: (re)create the table with a masquerade rule per enabled family. */
  static String script(String ifName, boolean masquerade4, boolean masquerade6) {
    String t = table(ifName);
    StringBuilder s = new StringBuilder();
    s.append("table inet ").append(t).append(" {}\n");
    s.append("delete table inet ").append(t).append("\n");
    s.append("table inet ").append(t).append(" {\n");
    s.append("  chain postrouting {\n");
    s.append("    type nat hook postrouting priority srcnat; policy accept;\n");
    if (masquerade4) {
      s.append("    iifname \"").append(ifName).append("\" oifname != \"").append(ifName);
      s.append("\" meta nfproto ipv4 masquerade\n");
    }
    if (masquerade6) {
      s.append("    iifname \"").append(ifName).append("\" oifname != \"").append(ifName);
      s.append("\" meta nfproto ipv6 masquerade\n");
    }
    s.append("  }\n}\n");
    return s.toString();
  }

  private static void nft(String script) throws IOException {
    Process p = new ProcessBuilder("nft", "-f", "-").redirectErrorStream(true).start();
    p.getOutputStream().write(script.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    try {
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("nft timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    if (p.exitValue() != 0) {
      throw new IOException("nft -f exited " + p.exitValue() + ": " + out + "\n" + script);
    }
  }

  @Override
  public void tearDown(String ifName) {
    try {
      LinuxInterface.exec(List.of("nft", "delete", "table", "inet", table(ifName)));
    } catch (IOException e) {
      // best effort at shutdown
    }
  }
}
