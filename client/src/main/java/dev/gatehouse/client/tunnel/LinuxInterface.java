package dev.gatehouse.client.tunnel;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@link InterfaceConfigurator} with iproute2's {@code ip}; needs CAP_NET_ADMIN. */
public final class LinuxInterface implements InterfaceConfigurator {

  @Override
  public void up(String ifName, int mtu) throws IOException {
    run("ip", "link", "set", "dev", ifName, "mtu", Integer.toString(mtu), "up");
  }

  @Override
  public void setAddresses(String ifName, IpPrefix ipv4, IpPrefix ipv6) throws IOException {
    run("ip", "address", "flush", "dev", ifName);
    if (ipv4 != null) {
      run("ip", "address", "add", ipv4.toString(), "dev", ifName);
    }
    if (ipv6 != null) {
      run("ip", "-6", "address", "add", ipv6.toString(), "dev", ifName, "nodad");
    }
  }

  @Override
  public void addRoute(String ifName, IpPrefix prefix) throws IOException {
    run("ip", family(prefix), "route", "replace", prefix.toString(), "dev", ifName);
  }

  @Override
  public void removeRoute(String ifName, IpPrefix prefix) throws IOException {
    exec(List.of("ip", family(prefix), "route", "del", prefix.toString(), "dev", ifName));
  }

  private static String family(IpPrefix p) {
    return p.address().getAddress().length == 4 ? "-4" : "-6";
  }

  /** Runs a command; throws with its output when it exits non-zero. */
  public static String run(String... cmd) throws IOException {
    Result r = exec(List.of(cmd));
    if (r.exit() != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + r.exit() + ": " + r.output());
    }
    return r.output();
  }

  /** The exit code and combined output of a command. */
  public record Result(int exit, String output) {}

  /** Runs a command (at most 10 s) and returns its exit code and output. */
  public static Result exec(List<String> cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", cmd) + " timed out");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + String.join(" ", cmd), e);
    }
    return new Result(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
  }
}
