package dev.gatehouse.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.relay.RelayCredentials.Minted;
import dev.gatehouse.relay.RelayCredentials.Reason;
import dev.gatehouse.relay.RelayCredentials.Rejected;
import dev.gatehouse.relay.RelayCredentials.Valid;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RelayCredentialsTest {
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

  /** Firezone's relay test vector (rust/relay/src/auth.rs, generate_password_test_vector). */
  @Test
  void matchesFirezonesPasswordTestVector() {
    byte[] secret =
        HexFormat.of().parseHex("4c98bf59c99b3e467ecd7cf9d6b3e5279645fca59be67bc5bb4af3cf653761ab");
    long expiry = 60L * 60 * 24 * 365 * 60;
    assertThat(RelayCredentials.password(secret, expiry, "n23JJ2wKKtt30oXi"))
        .isEqualTo("XnR4dOjSrxVx+3PR5/XIFKA80NckB04N7ndZMM6aoQg");
    Minted m = RelayCredentials.mint(secret, Instant.ofEpochSecond(expiry), "n23JJ2wKKtt30oXi");
    assertThat(m.username()).isEqualTo(expiry + ":n23JJ2wKKtt30oXi");
    assertThat(m.password()).isEqualTo("XnR4dOjSrxVx+3PR5/XIFKA80NckB04N7ndZMM6aoQg");
  }

  @Test
  void mintedCredentialsVerifyUntilTheyExpire() {
    Instant expiry = NOW.plusSeconds(3600).plusMillis(700);
    Minted m = RelayCredentials.mint("secret", expiry, "salt");
    assertThat(m.expiresAt()).isEqualTo(NOW.plusSeconds(3600)); // whole seconds
    RelayCredentials relay = new RelayCredentials("secret");
    assertThat(relay.verify(m.username(), NOW))
        .isEqualTo(new Valid(m.username(), m.password(), m.expiresAt()));
    assertThat(relay.verify(m.username(), m.expiresAt())).isInstanceOf(Valid.class);
    assertThat(relay.verify(m.username(), m.expiresAt().plusSeconds(1)))
        .isEqualTo(new Rejected(Reason.EXPIRED));
  }

  @Test
  void anotherSecretDerivesAnotherPassword() {
    Minted m = RelayCredentials.mint("secret-a", NOW.plusSeconds(60), "salt");
    Valid v = (Valid) new RelayCredentials("secret-b").verify(m.username(), NOW);
    assertThat(v.password()).isNotEqualTo(m.password());
  }

  @Test
  void malformedUsernamesAreRejectedWithoutThrowing() {
    RelayCredentials relay = new RelayCredentials("secret");
    for (String bad :
        new String[] {
          "",
          "nocolon",
          ":salt",
          "123:",
          "12a4:salt",
          "-1:salt",
          "1:salt:extra",
          "99999999999999999999:salt",
          "9999999999999999999:salt"
        }) {
      assertThat(relay.verify(bad, NOW)).as(bad).isEqualTo(new Rejected(Reason.MALFORMED));
    }
    assertThat(relay.verify(null, NOW)).isEqualTo(new Rejected(Reason.MALFORMED));
  }

  @Test
  void mintRefusesSaltsThatWouldNotParse() {
    assertThatThrownBy(() -> RelayCredentials.mint("s", NOW, ""))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RelayCredentials.mint("s", NOW, "a:b"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RelayCredentials(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
