package dev.gatehouse.gateway.fake;

import dev.gatehouse.protocol.Filter;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.relay.RelayCredentials;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs a {@link FakeApiNode} as its own process (e.g. inside a network namespace) for the netns IT.
 *
 * <pre>
 * FakeApiNodeMain HOST:PORT GATEWAY_TOKEN GATEWAY_ID CLIENT_TOKEN CLIENT_ID RESOURCE_ID ADDRESS [tcp:PORT...]
 * </pre>
 *
 * With {@code FAKE_RELAY=HOST:PORT} and {@code FAKE_RELAY_SECRET}, every {@code init} names that
 * relay with credentials minted from the secret (for an hour). {@code
 * FAKE_FORWARD_CLIENT_CANDIDATES=false} keeps clients' candidates from the gateways.
 *
 * <p>Prints {@code LISTENING}, then one line per event. Reads commands on stdin: {@code reject
 * CLIENT_ID RESOURCE_ID}, {@code drop} (close every channel), {@code quit}.
 */
public final class FakeApiNodeMain {
  private FakeApiNodeMain() {}

  public static void main(String[] args) throws Exception {
    String[] hp = args[0].split(":");
    List<Filter> filters = new ArrayList<>();
    for (int i = 7; i < args.length; i++) {
      String[] f = args[i].split(":");
      int port = Integer.parseInt(f[1]);
      filters.add(new Filter(f[0], port, port));
    }
    try (FakeApiNode api =
        new FakeApiNode(
                line -> {
                  System.out.println(line);
                  System.out.flush();
                })
            .token(args[1], new FakeApiNode.Identity(true, UUID.fromString(args[2])))
            .token(args[3], new FakeApiNode.Identity(false, UUID.fromString(args[4])))
            .resource(
                new ResourceDescription(
                    UUID.fromString(args[5]), "ip", args[6], "dual", filters, List.of()))) {
      String relay = System.getenv("FAKE_RELAY");
      if (relay != null) {
        RelayCredentials.Minted m =
            RelayCredentials.mint(
                System.getenv("FAKE_RELAY_SECRET"), Instant.now().plusSeconds(3600), "fake");
        api.relays(
            List.of(
                new Relay(
                    "relay-0",
                    Relay.TURN,
                    relay,
                    m.username(),
                    m.password(),
                    m.expiresAt().getEpochSecond())));
      }
      api.forwardClientCandidates(!"false".equals(System.getenv("FAKE_FORWARD_CLIENT_CANDIDATES")));
      InetSocketAddress bound = api.start(new InetSocketAddress(hp[0], Integer.parseInt(hp[1])));
      System.out.println("LISTENING " + bound);
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null) {
        String[] cmd = line.trim().split("\\s+");
        switch (cmd[0]) {
          case "reject" -> api.rejectAccess(UUID.fromString(cmd[1]), UUID.fromString(cmd[2]));
          case "drop" -> api.dropConnections();
          case "quit" -> {
            return;
          }
          default -> System.out.println("unknown command " + line);
        }
        System.out.println("DONE " + line);
        System.out.flush();
      }
    }
  }
}
