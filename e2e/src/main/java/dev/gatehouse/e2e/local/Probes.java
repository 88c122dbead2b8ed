package dev.gatehouse.e2e.local;

import dev.gatehouse.e2e.kubelet.PodLauncher;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the scenarios observe: HTTP fetches and pings from the client's namespace, gateway metrics
 * from inside each pod, and which gateway carries the client's flow.
 */
public final class Probes {
  private static final Pattern PING_REPLY =
      Pattern.compile("^\\[(\\d+\\.\\d+)] \\d+ bytes from .*time=([0-9.]+) ms", Pattern.MULTILINE);

  private final LocalStack stack;

  public Probes(LocalStack stack) {
    this.stack = stack;
  }

  /** One HTTP GET from the client namespace; {@code remoteIp} is the address curl connected to. */
  public record Fetch(
      int status, long bytes, double seconds, String body, String error, String remoteIp) {
    public boolean ok() {
      return status == 200;
    }
  }

  /** GETs {@code path} from the resource through whatever route the client has. */
  public Fetch fetch(String path, int maxSeconds) throws InterruptedException {
    return fetchUrl(
        "http://" + stack.lab().resourceAddress() + ":" + ResourceServers.HTTP_PORT + path,
        maxSeconds);
  }

  /** GETs {@code url} from the client namespace (names resolve through the client's stub). */
  public Fetch fetchUrl(String url, int maxSeconds) throws InterruptedException {
    try {
      String out =
          Commands.runIn(
              stack.lab().clientNamespace(),
              "curl",
              "-sS",
              "-m",
              Integer.toString(maxSeconds),
              "-w",
              "\n%{http_code} %{size_download} %{time_total} %{remote_ip}",
              url);
      int cut = out.lastIndexOf('\n');
      String[] w = out.substring(cut + 1).trim().split(" ");
      return new Fetch(
          Integer.parseInt(w[0]),
          Long.parseLong(w[1]),
          Double.parseDouble(w[2]),
          out.substring(0, cut),
          null,
          w.length > 3 ? w[3] : "");
    } catch (IOException e) {
      return new Fetch(0, 0, maxSeconds, "", e.getMessage(), "");
    }
  }

  /** Downloads {@code path} and returns the SHA-256 of what arrived and the transfer figures. */
  public record Download(String sha256, long bytes, double seconds) {
    public double megabitsPerSecond() {
      return bytes * 8 / 1e6 / seconds;
    }
  }

  public Download download(String path) throws IOException, InterruptedException {
    String url = "http://" + stack.lab().resourceAddress() + ":" + ResourceServers.HTTP_PORT + path;
    String out =
        Commands.runIn(
            stack.lab().clientNamespace(),
            "sh",
            "-c",
            "curl -sSf -m 120 -o /tmp/gatehouse-download.$$ -w '%{size_download} %{time_total}' "
                + url
                + " && echo && sha256sum /tmp/gatehouse-download.$$; rm -f /tmp/gatehouse-download.$$");
    String[] lines = out.strip().split("\n");
    String[] w = lines[0].trim().split(" ");
    return new Download(lines[1].split(" ")[0], Long.parseLong(w[0]), Double.parseDouble(w[1]));
  }

  /** Reply timestamps (epoch seconds) and RTTs of a {@code ping -D} run's output. */
  public record PingReplies(List<Double> times, List<Double> rttMillis) {
    public static PingReplies parse(String output) {
      Matcher m = PING_REPLY.matcher(output);
      List<Double> times = new java.util.ArrayList<>();
      List<Double> rtts = new java.util.ArrayList<>();
      while (m.find()) {
        times.add(Double.parseDouble(m.group(1)));
        rtts.add(Double.parseDouble(m.group(2)));
      }
      return new PingReplies(List.copyOf(times), List.copyOf(rtts));
    }

    public long countAfter(double epochSeconds) {
      return times.stream().filter(t -> t > epochSeconds).count();
    }

    public Optional<Double> lastBefore(double epochSeconds) {
      return times.stream().filter(t -> t <= epochSeconds).reduce((a, b) -> b);
    }
  }

  /** Starts {@code count} pings {@code intervalSeconds} apart from the client to the resource. */
  public ManagedProcess startPing(int count, double intervalSeconds, String logName)
      throws IOException {
    return ManagedProcess.start(
        "ping",
        Commands.inNamespace(
            stack.lab().clientNamespace(),
            List.of(
                "ping",
                "-D",
                "-n",
                "-W",
                "1",
                "-i",
                Double.toString(intervalSeconds),
                "-c",
                Integer.toString(count),
                stack.lab().resourceAddress())),
        java.util.Map.of(),
        stack.logs().resolve(logName));
  }

  /** Sends {@code count} datagrams of random bytes to a gateway pod's WireGuard port. */
  public void sendGarbage(String podIp, int count) throws IOException, InterruptedException {
    Commands.runIn(
        stack.lab().clientNamespace(),
        "bash",
        "-c",
        "for _ in $(seq "
            + count
            + "); do head -c 148 /dev/urandom > /dev/udp/"
            + podIp
            + "/"
            + LabNetwork.GATEWAY_PORT
            + "; done");
  }

  /** What a gateway pod serves on {@code /q/metrics}. */
  public static String scrape(PodLauncher.Running pod) throws IOException, InterruptedException {
    return Commands.runIn(
        pod.namespace(), "curl", "-sf", "-m", "3", "http://127.0.0.1:8080/q/metrics");
  }

  /** The sum of the samples of a Prometheus metric (any labels matching {@code labels}). */
  public static double metric(PodLauncher.Running pod, String name, String labels) {
    try {
      String text = scrape(pod);
      return text.lines()
          .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
          .filter(l -> labels == null || l.contains(labels))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
          .sum();
    } catch (IOException e) {
      return Double.NaN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Double.NaN;
    }
  }

  /** A pod's tunnel counters in one line: handshakes, datagrams in and out, non-zero drops. */
  public static String counters(PodLauncher.Running pod) {
    try {
      String text = scrape(pod);
      return text.lines()
          .filter(
              l ->
                  l.startsWith("gatehouse_gateway_handshakes_total")
                      || l.startsWith("gatehouse_gateway_udp_packets_total")
                      || l.startsWith("gatehouse_gateway_peers")
                      || (l.startsWith("gatehouse_gateway_drops_total") && !l.endsWith(" 0.0")))
          .map(l -> l.replace("gatehouse_gateway_", ""))
          .reduce((a, b) -> a + ", " + b)
          .orElse("");
    } catch (IOException e) {
      return "(no metrics: " + e.getMessage() + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }

  /** The pod whose IP is the endpoint of the client's active flow to the web resource's IP. */
  public Optional<String> carryingGatewayPod() {
    List<String> gateways = stack.client().statusLines("gateway");
    Optional<String> resource =
        stack.client().statusLines("resource").stream()
            .filter(r -> r.contains(" " + stack.lab().resourceAddress() + "/32"))
            .map(r -> r.substring(0, r.indexOf(' ')))
            .findFirst();
    if (resource.isEmpty()) {
      return Optional.empty();
    }
    List<String> active =
        stack.client().statusLines("flow").stream()
            .filter(f -> f.startsWith(resource.get() + " ") && f.contains("active via"))
            .toList();
    for (String flow : active) {
      String gatewayId = flow.substring(flow.lastIndexOf(' ') + 1);
      for (String g : gateways) {
        if (g.startsWith(gatewayId + " ")) {
          String endpoint = g.split(" ")[1];
          String ip = endpoint.substring(0, endpoint.lastIndexOf(':'));
          return stack.gatewayPods().entrySet().stream()
              .filter(e -> e.getValue().podIp().equals(ip))
              .map(java.util.Map.Entry::getKey)
              .findFirst();
        }
      }
    }
    return Optional.empty();
  }
}
