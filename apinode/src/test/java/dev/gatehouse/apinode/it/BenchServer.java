package dev.gatehouse.apinode.it;

import com.sun.management.OperatingSystemMXBean;
import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.UUID;

/**
 * An API node in its own process for {@link ApiNodeBenchmark}, so that its heap, RSS and CPU are
 * measured apart from the simulated peers. Prints {@code PORT <n>}; answers {@code stats} on stdin
 * with {@code STATS heap=<bytes after GC> rss=<kB> cpu=<ns> clients=<n> gateways=<n>}; {@code quit}
 * stops it.
 */
public final class BenchServer {

  public static void main(String[] args) throws Exception {
    UUID account = UUID.fromString(args[0]);
    ApiNodeConfig config =
        ApiNodeConfig.defaults(args[1], account, Harness.SECRET, Harness.ADMIN_TOKEN)
            .withBindHost("127.0.0.1");
    ApiNode node = new ApiNode(config, DatabaseConfig.fromEnvironment(), InstantSource.system());
    System.out.println("PORT " + node.start(0));
    System.out.flush();
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    String line;
    while ((line = in.readLine()) != null) {
      if (line.equals("stats")) {
        for (int i = 0; i < 3; i++) {
          System.gc();
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        String rss =
            Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("VmRSS:"))
                .map(l -> l.replaceAll("\\D", ""))
                .findFirst()
                .orElse("0");
        System.out.println(
            "STATS heap="
                + heap
                + " rss="
                + rss
                + " cpu="
                + os.getProcessCpuTime()
                + " clients="
                + node.hub().clientCount()
                + " gateways="
                + node.hub().gatewayCount()
                + " threads="
                + Thread.activeCount()
                + " "
                + node.metrics());
        System.out.flush();
      } else if (line.equals("quit")) {
        break;
      }
    }
    node.stop();
    System.exit(0);
  }
}
