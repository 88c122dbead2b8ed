package dev.gatehouse.apinode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.Relay;
import dev.gatehouse.relay.RelayCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelayDirectoryTest {
  static final byte[] SECRET = "relay-secret".getBytes(StandardCharsets.UTF_8);
  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  final RelayDirectory relays =
      new RelayDirectory(List.of("203.0.113.7:3478", "[2001:db8::7]:3478"), SECRET);

  @Test
  void everyRelayComesWithCredentialsItAccepts() {
    List<Relay> out = relays.forGateway("gateway-public-key", NOW);

    assertThat(out)
        .extracting(Relay::addr)
        .containsExactly("203.0.113.7:3478", "[2001:db8::7]:3478");
    assertThat(out).extracting(Relay::type).containsOnly(Relay.TURN);
    for (Relay r : out) {
      var verdict = new RelayCredentials(SECRET).verify(r.username(), NOW);
      assertThat(verdict)
          .isInstanceOfSatisfying(
              RelayCredentials.Valid.class, v -> assertThat(v.password()).isEqualTo(r.password()));
    }
    assertThat(new RelayCredentials("another secret").verify(out.getFirst().username(), NOW))
        .isInstanceOfSatisfying(
            RelayCredentials.Valid.class,
            v -> assertThat(v.password()).isNotEqualTo(out.getFirst().password()));
  }

  @Test
  void gatewaysGet90DaysAndClientsNoMoreThanTheirTokenOrAWeek() {
    assertThat(relays.forGateway("g", NOW).getFirst().expiresAt())
        .isEqualTo(NOW.plus(Duration.ofDays(90)).getEpochSecond());
    assertThat(relays.forClient("c", NOW.plus(Duration.ofHours(3)), NOW).getFirst().expiresAt())
        .as("until the token expires")
        .isEqualTo(NOW.plus(Duration.ofHours(3)).getEpochSecond());
    assertThat(relays.forClient("c", null, NOW).getFirst().expiresAt())
        .as("a token without end: a week")
        .isEqualTo(NOW.plus(Duration.ofDays(7)).getEpochSecond());
  }

  @Test
  void theSaltIsAHashOfTheKeyWithoutTheSeparator() {
    String username = relays.forClient("k+/=:", null, NOW).getFirst().username();

    assertThat(username.split(":")).hasSize(2);
    assertThat(username).endsWith(":" + RelayDirectory.salt("k+/=:"));
    assertThat(RelayDirectory.salt("a")).isNotEqualTo(RelayDirectory.salt("b"));
  }

  @Test
  void noRelaysMeansAnEmptyListAndRelaysNeedTheirSecret() {
    assertThat(RelayDirectory.NONE.forClient("c", null, NOW)).isEmpty();
    assertThatThrownBy(() -> new RelayDirectory(List.of("203.0.113.7:3478"), null))
        .hasMessageContaining("shared secret");
  }
}
