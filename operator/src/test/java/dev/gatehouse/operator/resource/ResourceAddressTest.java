package dev.gatehouse.operator.resource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ResourceAddressTest {
  @ParameterizedTest
  @CsvSource({
    "10.0.0.5, 10.0.0.5",
    "255.255.255.255, 255.255.255.255",
    "fd00::1, fd00::1",
    "FD00:0:0:0:0:0:0:1, fd00::1",
    "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
    "::ffff:192.0.2.1, ::ffff:c000:201",
    "::, ::"
  })
  void parsesIpsToCanonicalText(String text, String canonical) {
    assertThat(ResourceAddress.parse(text)).isInstanceOf(ResourceAddress.Ip.class);
    assertThat(((ResourceAddress.Ip) ResourceAddress.parse(text)).address()).isEqualTo(canonical);
  }

  @ParameterizedTest
  @CsvSource({"10.0.0.7/24, 10.0.0.0, 24", "fd00::1/64, fd00::, 64", "0.0.0.0/0, 0.0.0.0, 0"})
  void parsesCidrsToTheirNetwork(String text, String network, int prefix) {
    assertThat(ResourceAddress.parse(text))
        .isEqualTo(new ResourceAddress.Cidr(network, prefix, text.contains(":")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "db.internal",
        "*.example.com",
        "**.corp.example.com",
        "localhost",
        "Web.Example.COM."
      })
  void parsesDnsNamesAndWildcards(String text) {
    assertThat(ResourceAddress.parse(text)).isInstanceOf(ResourceAddress.Dns.class);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "10.0.0.256|above 255",
        "10.0.0|four dot-separated numbers",
        "010.0.0.1|leading zero",
        "10.0.0.0/33|between 0 and 32",
        "fd00::1::2|only once",
        "fd00::/129|between 0 and 128",
        "1:2:3:4:5:6:7:8:9|eight groups",
        "-bad-.example.com|label '-bad-'",
        "example.123|top-level label",
        "under_score.example.com|label 'under_score'"
      })
  void rejectsBadAddressesWithAMessageSayingWhy(String text, String why) {
    assertThatThrownBy(() -> ResourceAddress.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(why);
  }

  @Property(tries = 2000)
  void anyTextEitherParsesOrIsRejectedWithIllegalArgument(@ForAll String text) {
    try {
      assertThat(ResourceAddress.parse(text)).isNotNull();
    } catch (IllegalArgumentException expected) {
      assertThat(expected.getMessage()).isNotBlank();
    }
  }

  @Property(tries = 1000)
  void canonicalFormParsesToItself(@ForAll byte[] raw) {
    if (raw.length != 4 && raw.length != 16) {
      return;
    }
    String text = IpText.format(raw);
    assertThat(IpText.parse(text)).isEqualTo(raw);
  }
}
