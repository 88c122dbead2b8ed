package dev.gatehouse.client.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class DnsStubTest {

  static final UUID WILDCARD = UUID.randomUUID();
  static final UUID EXACT = UUID.randomUUID();

  final DnsStub stub = new DnsStub(new ProxyIps(1000), false);

  DnsStubTest() {
    stub.resource(WILDCARD, "*.svc.test");
    stub.resource(EXACT, "db.svc.test");
  }

  DnsStub.Outcome ask(String name, int type) {
    byte[] p = DnsTestPackets.packet(42, name, type);
    return stub.onPacket(p, 0, p.length);
  }

  static byte[] dnsOf(byte[] packet) {
    return Arrays.copyOfRange(packet, 28, packet.length);
  }

  @Test
  void aResourceNameGetsAStableProxyAddress() {
    var a = (DnsStub.Outcome.Answer) ask("web.svc.test", DnsMessage.TYPE_A);
    assertThat(a.resourceId()).isEqualTo(WILDCARD);
    assertThat(a.name()).isEqualTo("web.svc.test");
    assertThat(a.proxyIp()[0]).isEqualTo((byte) 100);
    assertThat(a.proxyIp()[1] & 0xe0).as("in 100.96.0.0/11").isEqualTo(96);
    assertThat(DnsTestPackets.checksumsValid(a.packet())).isTrue();
    // from the stub's port 53 back to the asker
    assertThat(Arrays.copyOfRange(a.packet(), 12, 16)).isEqualTo(DnsStub.SENTINEL);
    assertThat(Arrays.copyOfRange(a.packet(), 16, 20)).isEqualTo(DnsTestPackets.CLIENT);
    assertThat(DnsTestPackets.answers(dnsOf(a.packet()))).containsExactly(a.proxyIp());

    var again = (DnsStub.Outcome.Answer) ask("WEB.svc.test.", DnsMessage.TYPE_A);
    assertThat(again.proxyIp()).isEqualTo(a.proxyIp());
    var other = (DnsStub.Outcome.Answer) ask("api.svc.test", DnsMessage.TYPE_A);
    assertThat(other.proxyIp()).isNotEqualTo(a.proxyIp());
    assertThat(stub.nameOf(a.proxyIp(), 0)).isEqualTo("web.svc.test");
  }

  @Test
  void anExactNameWinsOverAWildcard() {
    assertThat(((DnsStub.Outcome.Answer) ask("db.svc.test", 1)).resourceId()).isEqualTo(EXACT);
  }

  @Test
  void aaaaForAResourceIsAnEmptyNoError() {
    var a = (DnsStub.Outcome.Answer) ask("web.svc.test", DnsMessage.TYPE_AAAA);
    byte[] dns = dnsOf(a.packet());
    assertThat(DnsTestPackets.rcode(dns)).isEqualTo(DnsMessage.RCODE_NOERROR);
    assertThat(DnsTestPackets.answers(dns)).isEmpty();
  }

  @Test
  void otherNamesAreRefusedWithoutAnUpstreamAndForwardedWithOne() {
    var refused = (DnsStub.Outcome.Answer) ask("example.com", 1);
    assertThat(refused.resourceId()).isNull();
    assertThat(DnsTestPackets.rcode(dnsOf(refused.packet()))).isEqualTo(DnsMessage.RCODE_REFUSED);
    assertThat(stub.counters().refused()).isEqualTo(1);

    DnsStub forwarding = new DnsStub(new ProxyIps(10), true);
    byte[] p = DnsTestPackets.packet(9, "example.com", 1);
    var f = (DnsStub.Outcome.Forward) forwarding.onPacket(p, 0, p.length);
    assertThat(f.query()).isEqualTo(DnsTestPackets.query(9, "example.com", 1));
    assertThat(f.replyTo()).isEqualTo(new DnsStub.ReplyTo(DnsTestPackets.CLIENT, 40_000));

    byte[] answer = f.query().clone();
    answer[2] |= (byte) 0x80;
    byte[] framed = forwarding.upstreamAnswer(f.replyTo(), answer, 0, answer.length);
    assertThat(DnsTestPackets.checksumsValid(framed)).isTrue();
    assertThat(dnsOf(framed)).isEqualTo(answer);
    assertThat(forwarding.upstreamAnswer(f.replyTo(), f.query(), 0, f.query().length))
        .as("a query is no answer")
        .isNull();
    assertThat(forwarding.counters().forwarded()).isEqualTo(1);
  }

  @Test
  void packetsThatAreNoQueriesAreDroppedAndCounted() {
    byte[] p = DnsTestPackets.packet(1, "web.svc.test", 1);
    byte[] tcp = p.clone();
    tcp[9] = 6;
    byte[] port = p.clone();
    port[23] = 54;
    byte[] garbage = p.clone();
    garbage[28 + 5] = 9; // nine questions
    for (byte[] bad : new byte[][] {tcp, port, garbage, Arrays.copyOf(p, 27)}) {
      assertThat(stub.onPacket(bad, 0, bad.length)).isInstanceOf(DnsStub.Outcome.Dropped.class);
    }
    assertThat(stub.counters().dropped()).isEqualTo(4);
  }

  @Property(tries = 2000)
  void randomPacketsToTheStubNeverThrow(@ForAll @Size(min = 20, max = 700) byte[] bytes) {
    bytes[0] = 0x45;
    System.arraycopy(DnsStub.SENTINEL, 0, bytes, 16, 4);
    assertThat(DnsStub.isForStub(bytes, 0, bytes.length)).isTrue();
    assertThat(stub.onPacket(bytes, 0, bytes.length)).isNotNull();
  }

  @Property(tries = 1000)
  void mutatedQueryPacketsNeverThrow(@ForAll int at, @ForAll byte value) {
    byte[] p = DnsTestPackets.packet(1, "web.svc.test", 1);
    p[Math.floorMod(at, p.length - 20) + 20] = value;
    assertThat(stub.onPacket(p, 0, p.length)).isNotNull();
  }
}
