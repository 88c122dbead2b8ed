package dev.gatehouse.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class VersionCompatibilityTest {

  @Test
  void parsesVersionsNumerically() {
    assertThat(Version.parse("1.10.0")).isGreaterThan(Version.parse("1.9.3"));
    assertThat(Version.parse("1.4.2-rc1")).isEqualTo(new Version(1, 4, 2));
    assertThat(Version.parse("1.4")).isEqualTo(new Version(1, 4, 0));
    assertThat(Version.parse("latest")).isNull();
    assertThat(Version.parse("1")).isNull();
    assertThat(Version.parseOrUnknown(null)).isEqualTo(Version.UNKNOWN);
  }

  @Test
  void internetResourcesNeedOneThree() {
    assertThat(
            VersionCompatibility.adaptAddress(
                ResourceType.INTERNET, null, Version.parse("1.2.9"), true))
        .isNull();
    assertThat(
            VersionCompatibility.adaptAddress(
                ResourceType.INTERNET, null, Version.parse("1.3.0"), true))
        .isEmpty();
  }

  @Test
  void oldClientsGetLegacyWildcardsOrNothing() {
    Version old = Version.parse("1.1.0");
    assertThat(VersionCompatibility.adaptAddress(ResourceType.DNS, "**.example.com", old, true))
        .isEqualTo("*.example.com");
    assertThat(VersionCompatibility.adaptAddress(ResourceType.DNS, "*.example.com", old, true))
        .isEqualTo("?.example.com");
    assertThat(VersionCompatibility.adaptAddress(ResourceType.DNS, "a.*.example.com", old, true))
        .isNull();
    assertThat(VersionCompatibility.adaptAddress(ResourceType.DNS, "db.example.com", old, true))
        .isEqualTo("db.example.com");
    assertThat(
            VersionCompatibility.adaptAddress(
                ResourceType.DNS, "a.*.example.com", Version.parse("1.2.0"), true))
        .isEqualTo("a.*.example.com");
    assertThat(
            VersionCompatibility.adaptAddress(
                ResourceType.CIDR, "10.0.0.0/8", Version.UNKNOWN, true))
        .isEqualTo("10.0.0.0/8");
  }

  @Test
  void gatewayMayBeOneMinorBehindOrAheadOfTheClient() {
    Version client = Version.parse("1.4.3");
    assertThat(VersionCompatibility.gatewayServesClient(Version.parse("1.3.0"), client)).isTrue();
    assertThat(VersionCompatibility.gatewayServesClient(Version.parse("1.5.9"), client)).isTrue();
    assertThat(VersionCompatibility.gatewayServesClient(Version.parse("1.2.9"), client)).isFalse();
    assertThat(VersionCompatibility.gatewayServesClient(Version.parse("1.6.0"), client)).isFalse();
    assertThat(VersionCompatibility.gatewayServesClient(Version.parse("2.4.0"), client)).isFalse();
    assertThat(VersionCompatibility.gatewayServesClient(Version.UNKNOWN, client)).isFalse();
    assertThat(
            VersionCompatibility.gatewayCompatible(
                Version.parse("1.2.0"), Version.parse("1.2.0"), ResourceType.INTERNET, null))
        .as("skew allowed but the gateway cannot serve internet resources")
        .isFalse();
  }

  @Test
  void filtersParseAndRejectBadInput() {
    assertThat(
            Filters.unpack(
                Filters.parse(
                    "[{\"protocol\":\"tcp\",\"ports\":[\"1000-2000\",\"443\"]},{\"protocol\":\"icmp\"}]")))
        .containsExactly(
            new Filters.Filter("tcp", 443, 443),
            new Filters.Filter("tcp", 1000, 2000),
            new Filters.Filter("icmp", 0, 0));
    assertThat(Filters.parse("[]")).isNull();
    assertThat(Filters.unpack(Filters.parse("[{\"protocol\":\"udp\"}]")))
        .containsExactly(new Filters.Filter("udp", 1, 65535));
    for (String bad :
        new String[] {
          "[{\"protocol\":\"sctp\"}]",
          "[{\"protocol\":\"tcp\",\"ports\":[\"70000\"]}]",
          "[{\"protocol\":\"tcp\",\"ports\":[\"20-10\"]}]",
          "nope"
        }) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Filters.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
