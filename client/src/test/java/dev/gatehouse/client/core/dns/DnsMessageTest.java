package dev.gatehouse.client.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DnsMessageTest {

  @Test
  void readsAQuery() {
    byte[] q = DnsTestPackets.query(0x1234, "Web.SVC.test", DnsMessage.TYPE_A);
    DnsMessage.Query parsed = DnsMessage.parseQuery(q, 0, q.length);
    assertThat(parsed.id()).isEqualTo(0x1234);
    assertThat(parsed.name()).isEqualTo("web.svc.test");
    assertThat(parsed.type()).isEqualTo(DnsMessage.TYPE_A);
    assertThat(parsed.qclass()).isEqualTo(DnsMessage.CLASS_IN);
    assertThat(parsed.question()).hasSize(q.length - 12);
  }

  @Test
  void answersCarryTheQuestionAndOneRecordPerAddress() {
    byte[] q = DnsTestPackets.query(7, "web.svc.test", DnsMessage.TYPE_A);
    DnsMessage.Query parsed = DnsMessage.parseQuery(q, 0, q.length);
    byte[] a =
        DnsMessage.respond(
            parsed, DnsMessage.RCODE_NOERROR, List.of(new byte[] {100, 96, 0, 9}), 30);
    assertThat(DnsMessage.isResponse(a, 0, a.length)).isTrue();
    assertThat(a[0]).isEqualTo((byte) 0);
    assertThat(a[1]).isEqualTo((byte) 7);
    assertThat(a[2] & 0x01).as("RD copied").isEqualTo(1);
    assertThat(DnsTestPackets.rcode(a)).isZero();
    assertThat(DnsTestPackets.answers(a)).containsExactly(new byte[] {100, 96, 0, 9});
    // TTL and RDLENGTH of the record
    int rr = 12 + parsed.question().length;
    assertThat(a[rr + 9]).isEqualTo((byte) 30);
    assertThat(a[rr + 11]).isEqualTo((byte) 4);
  }

  @Test
  void refusesWhatIsNotAStandardQuery() {
    byte[] q = DnsTestPackets.query(7, "a.b", 1);
    byte[] response = q.clone();
    response[2] |= (byte) 0x80;
    byte[] twoQuestions = q.clone();
    twoQuestions[5] = 2;
    byte[] pointer = q.clone();
    pointer[12] = (byte) 0xc0;
    byte[] notify = q.clone();
    notify[2] = (byte) (4 << 3);
    for (byte[] bad : List.of(response, twoQuestions, pointer, notify, new byte[11])) {
      assertThat(DnsMessage.parseQuery(bad, 0, bad.length)).isNull();
    }
    assertThat(DnsMessage.parseQuery(q, 0, q.length - 1)).as("truncated").isNull();
    assertThat(DnsMessage.parseQuery(null, 0, 0)).isNull();
  }

  @Test
  void oddCharactersLeaveTheNameUnmatchable() {
    byte[] q = DnsTestPackets.query(7, "we b.svc.test", 1);
    assertThat(DnsMessage.parseQuery(q, 0, q.length).name()).isNull();
  }

  @Property(tries = 2000)
  void randomBytesNeverThrow(@ForAll @Size(max = 600) byte[] bytes) {
    DnsMessage.Query q = DnsMessage.parseQuery(bytes, 0, bytes.length);
    if (q != null) {
      DnsMessage.respond(q, DnsMessage.RCODE_NOERROR, List.of(new byte[4]), 30);
    }
  }

  @Property(tries = 2000)
  void mutatedQueriesNeverThrow(
      @ForAll("names") String name,
      @ForAll @IntRange(min = 0, max = 300) int at,
      @ForAll byte value,
      @ForAll @IntRange(min = 0, max = 300) int cut) {
    byte[] q = DnsTestPackets.query(1, name, 1);
    q[at % q.length] = value;
    int len = Math.min(q.length, cut);
    DnsMessage.Query parsed = DnsMessage.parseQuery(q, 0, len);
    if (parsed != null && parsed.name() != null) {
      assertThat(parsed.name().length()).isLessThanOrEqualTo(DnsMessage.MAX_NAME);
    }
  }

  @Provide
  Arbitrary<String> names() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .ofMinLength(1)
        .ofMaxLength(20)
        .list()
        .ofMinSize(1)
        .ofMaxSize(5)
        .map(l -> String.join(".", l));
  }
}
