package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.net.HostPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Further addresses clients may reach this gateway at: a file of {@code host:port} lines, which the
 * operator fills from the gateway's Service (load-balancer and node-port addresses) through a
 * mounted ConfigMap, so it changes while the gateway runs. {@code node:<port>} is a port on the
 * address of the node this pod runs on (a node port). Names are resolved here, when the file
 * changes: candidates carry IP addresses only. A line that does not parse or resolve is logged and
 * skipped; a missing file is no addresses.
 */
public final class AdvertisedEndpoints {
  /** More than any Service has; the rest of a runaway file is ignored. */
  static final int MAX = 16;

  private static final String NODE_PREFIX = "node:";

  private final Path file;
  private final String nodeIp;
  private final Consumer<String> log;
  private String seen;

  /**
   * @param nodeIp the node's address for {@code node:<port>} lines ({@code GATEHOUSE_NODE_IP});
   *     null skips them
   */
  public AdvertisedEndpoints(Path file, String nodeIp, Consumer<String> log) {
    this.file = file;
    this.nodeIp = nodeIp;
    this.log = log;
  }

  /** The addresses, when the file's text differs from the last call's; else empty. */
  public synchronized Optional<List<InetSocketAddress>> changed() {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      text = "";
    } catch (IOException e) {
      log.accept("cannot read " + file + ": " + e.getMessage());
      return Optional.empty();
    }
    if (text.equals(seen)) {
      return Optional.empty();
    }
    seen = text;
    List<InetSocketAddress> out = parse(text, nodeIp, log);
    log.accept("advertised endpoints from " + file + ": " + out);
    return Optional.of(out);
  }

  static List<InetSocketAddress> parse(String text, String nodeIp, Consumer<String> log) {
    List<InetSocketAddress> out = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      if (out.size() == MAX) {
        log.accept("advertised endpoints: more than " + MAX + ", the rest ignored");
        break;
      }
      if (line.startsWith(NODE_PREFIX)) {
        if (nodeIp == null) {
          log.accept("advertised endpoint '" + line + "' skipped: the node's address is unknown");
          continue;
        }
        line = (nodeIp.contains(":") ? "[" + nodeIp + "]" : nodeIp) + line.substring(4);
      }
      try {
        InetSocketAddress a = HostPort.parse(line);
        if (a.isUnresolved() || a.getPort() == 0) {
          log.accept("advertised endpoint '" + line + "' skipped: cannot resolve it");
        } else if (!out.contains(a)) {
          out.add(a);
        }
      } catch (IllegalArgumentException e) {
        log.accept("advertised endpoint '" + line + "' skipped: " + e.getMessage());
      }
    }
    return out;
  }
}
