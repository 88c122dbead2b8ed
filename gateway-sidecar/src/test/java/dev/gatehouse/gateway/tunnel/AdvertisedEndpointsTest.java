package dev.gatehouse.gateway.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdvertisedEndpointsTest {
  final List<String> log = new ArrayList<>();

  @Test
  void linesBecomeAddressesAndBadOnesAreNamedAndSkipped() {
    List<InetSocketAddress> got =
        AdvertisedEndpoints.parse(
            """
            # the Service's addresses
            203.0.113.7:51820
            [2001:db8::7]:51820

            203.0.113.7:51820
            no-port
            203.0.113.9:99999
            localhost:31820
            node:30820
            """,
            "192.0.2.3",
            log::add);

    assertThat(got)
        .containsExactly(
            new InetSocketAddress("203.0.113.7", 51820),
            new InetSocketAddress("2001:db8::7", 51820),
            new InetSocketAddress("localhost", 31820),
            new InetSocketAddress("192.0.2.3", 30820));
    assertThat(log)
        .anyMatch(l -> l.contains("'no-port' skipped"))
        .anyMatch(l -> l.contains("'203.0.113.9:99999' skipped: port out of range"));
  }

  @Test
  void aChangeIsReportedOnceAndAMissingFileIsNoAddresses(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("endpoints");
    AdvertisedEndpoints endpoints = new AdvertisedEndpoints(file, null, log::add);

    assertThat(endpoints.changed()).contains(List.of());
    assertThat(endpoints.changed()).isEmpty();
    Files.writeString(file, "198.51.100.4:30820\nnode:30821\n");
    assertThat(endpoints.changed()).contains(List.of(new InetSocketAddress("198.51.100.4", 30820)));
    assertThat(log)
        .anyMatch(l -> l.contains("'node:30821' skipped: the node's address is unknown"));
    assertThat(endpoints.changed()).isEmpty();
    Files.delete(file);
    assertThat(endpoints.changed()).contains(List.of());
  }

  @Test
  void aRunawayFileIsCutShort() {
    StringBuilder text = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      text.append("198.51.100.").append(i).append(":51820\n");
    }
    assertThat(AdvertisedEndpoints.parse(text.toString(), null, log::add))
        .hasSize(AdvertisedEndpoints.MAX);
  }
}
