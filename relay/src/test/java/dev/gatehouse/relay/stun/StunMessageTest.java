package dev.gatehouse.relay.stun;

import static dev.gatehouse.relay.stun.Rfc5769Vectors.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.stun.StunAttribute.*;
import dev.gatehouse.relay.stun.StunParseResult.Parsed;
import dev.gatehouse.relay.stun.StunParseResult.Reason;
import dev.gatehouse.relay.stun.StunParseResult.Rejected;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class StunMessageTest {

  static StunMessage parsed(byte[] datagram) {
    StunParseResult r = StunMessage.parse(datagram, 0, datagram.length);
    assertThat(r).isInstanceOf(Parsed.class);
    return ((Parsed) r).message();
  }

  static Reason rejected(byte[] datagram) {
    StunParseResult r = StunMessage.parse(datagram, 0, datagram.length);
    assertThat(r).isInstanceOf(Rejected.class);
    return ((Rejected) r).reason();
  }

  // ---------------------------------------------------------------- RFC 5769 vectors

  @Test
  void rfc5769SampleRequestParsesAndVerifies() {
    StunMessage m = parsed(SAMPLE_REQUEST);
    assertThat(m.messageClass()).isEqualTo(StunClass.REQUEST);
    assertThat(m.method()).isEqualTo(TurnProtocol.METHOD_BINDING);
    assertThat(m.transactionId()).isEqualTo(TRANSACTION_ID);
    assertThat(m.attribute(Software.class).value()).isEqualTo("STUN test client");
    assertThat(m.attribute(Username.class).value()).isEqualTo("evtj:h6vY");
    assertThat(m.all(Unknown.class))
        .extracting(Unknown::type)
        .containsExactly(0x0024, 0x8029); // PRIORITY, ICE-CONTROLLED
    assertThat(m.all(Unknown.class).get(0).comprehensionRequired()).isTrue();
    assertThat(m.all(Unknown.class).get(1).comprehensionRequired()).isFalse();
    assertThat(m.attribute(Fingerprint.class).crc()).isEqualTo(0xe57a3bcf);
    assertThat(m.verifyIntegrity(StunIntegrity.shortTermKey(PASSWORD))).isTrue();
    assertThat(m.verifyIntegrity(StunIntegrity.shortTermKey("wrong"))).isFalse();
  }

  @Test
  void rfc5769SampleRequestIsReproducedByteForByte() {
    byte[] encoded =
        StunMessage.builder(StunClass.REQUEST, TurnProtocol.METHOD_BINDING, TRANSACTION_ID)
            .padding((byte) 0x20)
            .add(new Software("STUN test client"))
            .add(new Unknown(0x0024, hex("6e0001ff")))
            .add(new Unknown(0x8029, hex("932ff9b151263b36")))
            .add(new Username("evtj:h6vY"))
            .encode(StunIntegrity.shortTermKey(PASSWORD), true);
    assertThat(encoded).isEqualTo(SAMPLE_REQUEST);
  }

  @Test
  void rfc5769Ipv4ResponseParsesVerifiesAndIsReproduced() {
    StunMessage m = parsed(IPV4_RESPONSE);
    assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(m.attribute(XorMappedAddress.class).address())
        .isEqualTo(new InetSocketAddress("192.0.2.1", 32853));
    assertThat(m.attribute(Software.class).value()).isEqualTo("test vector");
    assertThat(m.verifyIntegrity(StunIntegrity.shortTermKey(PASSWORD))).isTrue();

    byte[] encoded =
        StunMessage.builder(StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_BINDING, TRANSACTION_ID)
            .padding((byte) 0x20)
            .add(new Software("test vector"))
            .add(new XorMappedAddress(new InetSocketAddress("192.0.2.1", 32853)))
            .encode(StunIntegrity.shortTermKey(PASSWORD), true);
    assertThat(encoded).isEqualTo(IPV4_RESPONSE);
  }

  @Test
  void rfc5769Ipv6ResponseParsesVerifiesAndIsReproduced() throws Exception {
    InetSocketAddress mapped =
        new InetSocketAddress(InetAddress.getByName("2001:db8:1234:5678:11:2233:4455:6677"), 32853);
    StunMessage m = parsed(IPV6_RESPONSE);
    assertThat(m.attribute(XorMappedAddress.class).address()).isEqualTo(mapped);
    assertThat(m.verifyIntegrity(StunIntegrity.shortTermKey(PASSWORD))).isTrue();

    byte[] encoded =
        StunMessage.builder(StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_BINDING, TRANSACTION_ID)
            .padding((byte) 0x20)
            .add(new Software("test vector"))
            .add(new XorMappedAddress(mapped))
            .encode(StunIntegrity.shortTermKey(PASSWORD), true);
    assertThat(encoded).isEqualTo(IPV6_RESPONSE);
  }

  @Test
  void rfc5769LongTermRequestVerifiesWithMd5KeyAndIsReproduced() {
    StunMessage m = parsed(LONG_TERM_REQUEST);
    assertThat(m.attribute(Username.class).value()).isEqualTo(LONG_TERM_USERNAME);
    assertThat(m.attribute(Nonce.class).value()).isEqualTo(LONG_TERM_NONCE);
    assertThat(m.attribute(Realm.class).value()).isEqualTo(LONG_TERM_REALM);
    assertThat(m.attribute(Fingerprint.class)).isNull();
    byte[] key = StunIntegrity.longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD);
    assertThat(m.verifyIntegrity(key)).isTrue();
    assertThat(m.verifyIntegrity(StunIntegrity.longTermKey(LONG_TERM_USERNAME, "x", "y")))
        .isFalse();

    byte[] encoded =
        StunMessage.builder(
                StunClass.REQUEST, TurnProtocol.METHOD_BINDING, LONG_TERM_TRANSACTION_ID)
            .add(new Username(LONG_TERM_USERNAME))
            .add(new Nonce(LONG_TERM_NONCE))
            .add(new Realm(LONG_TERM_REALM))
            .encode(key, false);
    assertThat(encoded).isEqualTo(LONG_TERM_REQUEST);
  }

  @Test
  void aFlippedBitBreaksTheFingerprint() {
    byte[] copy = SAMPLE_REQUEST.clone();
    copy[30] ^= 0x01; // inside SOFTWARE
    assertThat(rejected(copy)).isEqualTo(Reason.BAD_FINGERPRINT);
  }

  @Test
  void aFlippedBitWithoutFingerprintBreaksIntegrity() {
    byte[] copy = LONG_TERM_REQUEST.clone();
    copy[60] ^= 0x01; // inside NONCE
    StunMessage m = parsed(copy);
    byte[] key = StunIntegrity.longTermKey(LONG_TERM_USERNAME, LONG_TERM_REALM, LONG_TERM_PASSWORD);
    assertThat(m.verifyIntegrity(key)).isFalse();
  }

  // ---------------------------------------------------------------- TURN attributes

  @Test
  void everyTurnAttributeRoundTrips() throws Exception {
    byte[] tx = hex("0102030405060708090a0b0c");
    InetSocketAddress v4 = new InetSocketAddress("198.51.100.7", 40000);
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 3478);
    List<StunAttribute> attrs =
        List.of(
            new XorPeerAddress(v4),
            new XorPeerAddress(v6),
            new XorRelayedAddress(v6),
            new XorRelayedAddress(v4),
            new XorMappedAddress(v4),
            new Lifetime(4294967295L),
            new RequestedTransport(TurnProtocol.TRANSPORT_UDP),
            new RequestedAddressFamily(TurnProtocol.FAMILY_IPV6),
            new EvenPort(true),
            new ChannelNumber(0x4001),
            new Data(new byte[] {1, 2, 3, 4, 5}),
            new Nonce("nonce"),
            new Realm("gatehouse"),
            new Username("1700000000:salt"),
            new ErrorCode(437, "Allocation Mismatch"),
            new UnknownAttributes(List.of(0x0018, 0x7fff)),
            new DontFragment(),
            new Software("gatehouse-relay"));
    StunMessage.Builder b =
        StunMessage.builder(StunClass.REQUEST, TurnProtocol.METHOD_ALLOCATE, tx);
    attrs.forEach(b::add);
    byte[] key = StunIntegrity.longTermKey("u", "r", "p");
    StunMessage m = parsed(b.encode(key, true));
    for (int i = 0; i < attrs.size(); i++) {
      StunAttribute sent = attrs.get(i);
      StunAttribute got = m.attributes().get(i);
      if (sent instanceof Data d) {
        assertThat(((Data) got).bytes()).isEqualTo(d.bytes()); // arrays compare by identity
      } else {
        assertThat(got).isEqualTo(sent);
      }
    }
    assertThat(m.attributes().get(attrs.size())).isInstanceOf(MessageIntegrity.class);
    assertThat(m.attributes().get(attrs.size() + 1)).isInstanceOf(Fingerprint.class);
    assertThat(m.verifyIntegrity(key)).isTrue();
  }

  @Test
  void messageTypesInterleaveMethodAndClass() {
    byte[] tx = new byte[12];
    assertThat(type(StunClass.REQUEST, TurnProtocol.METHOD_ALLOCATE, tx)).isEqualTo(0x0003);
    assertThat(type(StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_ALLOCATE, tx))
        .isEqualTo(0x0103);
    assertThat(type(StunClass.ERROR_RESPONSE, TurnProtocol.METHOD_ALLOCATE, tx)).isEqualTo(0x0113);
    assertThat(type(StunClass.INDICATION, TurnProtocol.METHOD_SEND, tx)).isEqualTo(0x0016);
    assertThat(type(StunClass.INDICATION, TurnProtocol.METHOD_DATA, tx)).isEqualTo(0x0017);
    assertThat(type(StunClass.REQUEST, TurnProtocol.METHOD_CHANNEL_BIND, tx)).isEqualTo(0x0009);
    assertThat(type(StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_CREATE_PERMISSION, tx))
        .isEqualTo(0x0108);
    for (int method = 0; method < 0x1000; method += 0x0ab) {
      for (StunClass c : StunClass.values()) {
        StunMessage m = parsed(StunMessage.builder(c, method, tx).encode());
        assertThat(m.method()).isEqualTo(method);
        assertThat(m.messageClass()).isEqualTo(c);
      }
    }
  }

  private static int type(StunClass c, int method, byte[] tx) {
    byte[] b = StunMessage.builder(c, method, tx).encode();
    return ((b[0] & 0xff) << 8) | (b[1] & 0xff);
  }

  @Test
  void attributesAfterMessageIntegrityAreIgnored() {
    byte[] tx = new byte[12];
    byte[] key = StunIntegrity.shortTermKey("pw");
    byte[] signed =
        StunMessage.builder(StunClass.REQUEST, TurnProtocol.METHOD_REFRESH, tx)
            .add(new Lifetime(600))
            .encode(key, false);
    // append an unsigned LIFETIME after MESSAGE-INTEGRITY
    byte[] extra = Arrays.copyOf(signed, signed.length + 8);
    System.arraycopy(hex("000d000400000000"), 0, extra, signed.length, 8);
    extra[3] = (byte) (extra.length - 20);
    StunMessage m = parsed(extra);
    assertThat(m.all(Lifetime.class)).containsExactly(new Lifetime(600));
  }

  // ---------------------------------------------------------------- rejections

  @Test
  void malformedDatagramsAreRejectedWithAReason() {
    assertThat(rejected(new byte[19])).isEqualTo(Reason.TOO_SHORT);
    byte[] ok = StunMessage.builder(StunClass.REQUEST, 1, new byte[12]).encode();

    byte[] notStun = ok.clone();
    notStun[0] = (byte) 0x80;
    assertThat(rejected(notStun)).isEqualTo(Reason.NOT_STUN);

    byte[] cookie = ok.clone();
    cookie[4] = 0;
    assertThat(rejected(cookie)).isEqualTo(Reason.BAD_MAGIC_COOKIE);

    byte[] length = ok.clone();
    length[3] = 4;
    assertThat(rejected(length)).isEqualTo(Reason.BAD_LENGTH);
    assertThat(rejected(Arrays.copyOf(ok, 22))).isEqualTo(Reason.BAD_LENGTH);

    byte[] truncated = Arrays.copyOf(ok, 24);
    truncated[3] = 4;
    System.arraycopy(hex("00060008"), 0, truncated, 20, 4); // USERNAME of 8 bytes, none there
    assertThat(rejected(truncated)).isEqualTo(Reason.TRUNCATED_ATTRIBUTE);

    byte[] badLifetime = Arrays.copyOf(ok, 28);
    badLifetime[3] = 8;
    System.arraycopy(hex("000d000300000000"), 0, badLifetime, 20, 8); // LIFETIME of 3 bytes
    assertThat(rejected(badLifetime)).isEqualTo(Reason.MALFORMED_ATTRIBUTE);

    byte[] badFamily = Arrays.copyOf(ok, 32);
    badFamily[3] = 12;
    System.arraycopy(hex("0012000800030000" + "00000000"), 0, badFamily, 20, 12);
    assertThat(rejected(badFamily)).isEqualTo(Reason.MALFORMED_ATTRIBUTE);

    // A correct FINGERPRINT (over the final length) followed by an empty SOFTWARE.
    byte[] afterFp = Arrays.copyOf(ok, 20 + 8 + 4);
    afterFp[3] = 12;
    System.arraycopy(hex("80280004"), 0, afterFp, 20, 4);
    int crc = StunIntegrity.fingerprint(afterFp, 0, 20);
    System.arraycopy(StunAttribute.be32(crc), 0, afterFp, 24, 4);
    System.arraycopy(hex("80220000"), 0, afterFp, 28, 4);
    assertThat(rejected(afterFp)).isEqualTo(Reason.ATTRIBUTE_AFTER_FINGERPRINT);

    assertThat(StunMessage.parse(ok, 5, ok.length)).isEqualTo(new Rejected(Reason.OUT_OF_BOUNDS));
    assertThat(StunMessage.parse(ok, -1, 4)).isEqualTo(new Rejected(Reason.OUT_OF_BOUNDS));
  }

  @Test
  void parsingAtAnOffsetReadsOnlyThatRange() {
    byte[] framed = new byte[IPV4_RESPONSE.length + 7];
    System.arraycopy(IPV4_RESPONSE, 0, framed, 3, IPV4_RESPONSE.length);
    StunParseResult r = StunMessage.parse(framed, 3, IPV4_RESPONSE.length);
    assertThat(((Parsed) r).message().verifyIntegrity(StunIntegrity.shortTermKey(PASSWORD)))
        .isTrue();
  }
}
