package dev.gatehouse.apinode.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.apinode.core.GatewaySelection.Candidate;
import dev.gatehouse.controlplane.cache.ResourceType;
import dev.gatehouse.controlplane.cache.Version;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GatewaySelectionTest {

  static final Version CLIENT = new Version(1, 4, 0);
  static final UUID SITE = UUID.randomUUID();

  static Candidate gw(String id, String version, int load) {
    return new Candidate(
        UUID.fromString("00000000-0000-0000-0000-00000000000" + id),
        SITE,
        Version.parseOrUnknown(version),
        "pk" + id,
        null,
        null,
        null,
        "n",
        load);
  }

  static UUID pick(List<Candidate> online, List<UUID> connected) {
    return GatewaySelection.select(online, CLIENT, ResourceType.IP, "10.0.0.1", connected)
        .map(Candidate::gatewayId)
        .orElse(null);
  }

  @Test
  void leastLoadedWins() {
    assertThat(
            pick(List.of(gw("1", "1.4.0", 5), gw("2", "1.4.1", 2), gw("3", "1.4.0", 9)), List.of()))
        .isEqualTo(gw("2", "1.4.0", 0).gatewayId());
  }

  @Test
  void gatewaysTheClientUsesArePreferredEvenWhenBusier() {
    Candidate busy = gw("1", "1.4.0", 50);
    assertThat(pick(List.of(busy, gw("2", "1.4.0", 0)), List.of(busy.gatewayId())))
        .isEqualTo(busy.gatewayId());
  }

  @Test
  void incompatibleVersionsAreNeverChosen() {
    // A 1.4 client accepts gateways in [1.3.0, 1.6.0).
    assertThat(
            pick(
                List.of(gw("1", "1.2.9", 0), gw("2", "1.6.0", 0), gw("3", "garbage", 0)),
                List.of()))
        .isNull();
    assertThat(pick(List.of(gw("1", "1.2.9", 0), gw("2", "1.3.0", 7)), List.of()))
        .isEqualTo(gw("2", "1.3.0", 0).gatewayId());
  }

  @Test
  void aConnectedButIncompatibleGatewayIsNotPreferred() {
    Candidate old = gw("1", "1.0.0", 0);
    assertThat(pick(List.of(old, gw("2", "1.4.0", 3)), List.of(old.gatewayId())))
        .isEqualTo(gw("2", "1.4.0", 0).gatewayId());
  }

  @Test
  void internetResourcesNeedNewEnoughGateways() {
    var online = List.of(gw("1", "1.2.0", 0));
    assertThat(
            GatewaySelection.select(
                online, new Version(1, 2, 0), ResourceType.INTERNET, "", List.of()))
        .isEmpty();
  }

  @Test
  void tiesGoToTheLowestIdSoTheChoiceIsDeterministic() {
    assertThat(pick(List.of(gw("3", "1.4.0", 1), gw("2", "1.4.0", 1)), List.of()))
        .isEqualTo(gw("2", "1.4.0", 0).gatewayId());
  }
}
