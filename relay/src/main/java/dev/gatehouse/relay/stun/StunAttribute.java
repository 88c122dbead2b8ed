package dev.gatehouse.relay.stun;

import static dev.gatehouse.relay.stun.TurnProtocol.*;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One STUN attribute (RFC 8489 §14, RFC 8656). Each known attribute is a record; anything else is
 * kept as {@link Unknown} so that a server can answer 420 for unknown comprehension-required
 * attributes. Values are immutable: records never share arrays with the datagram they came from.
 *
 * <p>{@link #decode} is total: a malformed value yields {@code null}, never an exception. Records
 * holding arrays compare them by identity, as Java records do; {@link StunMessage}s compare by
 * their wire bytes.
 */
public sealed interface StunAttribute {

  /** The attribute type on the wire. */
  default int type() {
    return switch (this) {
      case XorMappedAddress a -> ATTR_XOR_MAPPED_ADDRESS;
      case XorPeerAddress a -> ATTR_XOR_PEER_ADDRESS;
      case XorRelayedAddress a -> ATTR_XOR_RELAYED_ADDRESS;
      case Lifetime a -> ATTR_LIFETIME;
      case RequestedTransport a -> ATTR_REQUESTED_TRANSPORT;
      case RequestedAddressFamily a -> ATTR_REQUESTED_ADDRESS_FAMILY;
      case EvenPort a -> ATTR_EVEN_PORT;
      case ChannelNumber a -> ATTR_CHANNEL_NUMBER;
      case Data a -> ATTR_DATA;
      case Username a -> ATTR_USERNAME;
      case Realm a -> ATTR_REALM;
      case Nonce a -> ATTR_NONCE;
      case Software a -> ATTR_SOFTWARE;
      case ErrorCode a -> ATTR_ERROR_CODE;
      case UnknownAttributes a -> ATTR_UNKNOWN_ATTRIBUTES;
      case DontFragment a -> ATTR_DONT_FRAGMENT;
      case MessageIntegrity a -> ATTR_MESSAGE_INTEGRITY;
      case Fingerprint a -> ATTR_FINGERPRINT;
      case Unknown u -> u.type(); // the record's accessor
    };
  }

  /** RFC 8489 §14.2: the client's reflexive transport address. */
  record XorMappedAddress(InetSocketAddress address) implements StunAttribute {}

  /** RFC 8656 XOR-PEER-ADDRESS: a peer's transport address. */
  record XorPeerAddress(InetSocketAddress address) implements StunAttribute {}

  /** RFC 8656 XOR-RELAYED-ADDRESS: the allocation's relayed transport address. */
  record XorRelayedAddress(InetSocketAddress address) implements StunAttribute {}

  /** RFC 8656 LIFETIME, unsigned seconds. */
  record Lifetime(long seconds) implements StunAttribute {}

  /** RFC 8656 REQUESTED-TRANSPORT: an IANA protocol number (17 = UDP). */
  record RequestedTransport(int protocol) implements StunAttribute {}

  /** RFC 8656 REQUESTED-ADDRESS-FAMILY: 0x01 IPv4, 0x02 IPv6. */
  record RequestedAddressFamily(int family) implements StunAttribute {}

  /** RFC 8656 EVEN-PORT; {@code reserveNext} is the R bit. */
  record EvenPort(boolean reserveNext) implements StunAttribute {}

  /** RFC 8656 CHANNEL-NUMBER (any 16-bit value; range checks belong to the TURN layer). */
  record ChannelNumber(int channel) implements StunAttribute {}

  /** RFC 8656 DATA: the application payload. */
  record Data(byte[] bytes) implements StunAttribute {}

  /** RFC 8489 §14.3. */
  record Username(String value) implements StunAttribute {}

  /** RFC 8489 §14.9. */
  record Realm(String value) implements StunAttribute {}

  /** RFC 8489 §14.10. */
  record Nonce(String value) implements StunAttribute {}

  /** RFC 8489 §14.14. */
  record Software(String value) implements StunAttribute {}

  /** RFC 8489 §14.8: a code in 300..699 and a reason phrase. */
  record ErrorCode(int code, String reason) implements StunAttribute {}

  /** RFC 8489 §14.13: the attribute types the server did not understand. */
  record UnknownAttributes(List<Integer> types) implements StunAttribute {
    public UnknownAttributes {
      types = List.copyOf(types);
    }
  }

  /** RFC 8656 DONT-FRAGMENT (no value). */
  record DontFragment() implements StunAttribute {}

  /**
   * RFC 8489 §14.5: the HMAC as received. Verification needs the message bytes, so it happens in
   * {@link StunMessage#verifyIntegrity}; encoders add it with {@link StunMessage.Builder}.
   */
  record MessageIntegrity(byte[] hmac) implements StunAttribute {}

  /** RFC 8489 §14.7: the CRC as received (the parser has already checked it). */
  record Fingerprint(int crc) implements StunAttribute {}

  /** Any other attribute (including RESERVATION-TOKEN), kept verbatim. */
  record Unknown(int type, byte[] value) implements StunAttribute {
    @Override
    public String toString() {
      return String.format("Unknown[0x%04x, %d bytes]", type, value.length);
    }

    /** RFC 8489 §14: types below 0x8000 must be understood by the receiver. */
    public boolean comprehensionRequired() {
      return type < 0x8000;
    }
  }

  // ------------------------------------------------------------------ decoding

  /**
   * Decodes the value {@code buf[off, off+len)} of an attribute of {@code type}; {@code
   * transactionId} is needed to un-XOR IPv6 addresses. Returns null when a known attribute has a
   * malformed value. Never throws for any {@code off}/{@code len} inside {@code buf}.
   */
  static StunAttribute decode(int type, byte[] buf, int off, int len, byte[] transactionId) {
    return switch (type) {
      case ATTR_XOR_MAPPED_ADDRESS -> {
        InetSocketAddress a = decodeXorAddress(buf, off, len, transactionId);
        yield a == null ? null : new XorMappedAddress(a);
      }
      case ATTR_XOR_PEER_ADDRESS -> {
        InetSocketAddress a = decodeXorAddress(buf, off, len, transactionId);
        yield a == null ? null : new XorPeerAddress(a);
      }
      case ATTR_XOR_RELAYED_ADDRESS -> {
        InetSocketAddress a = decodeXorAddress(buf, off, len, transactionId);
        yield a == null ? null : new XorRelayedAddress(a);
      }
      case ATTR_LIFETIME -> len == 4 ? new Lifetime(u32(buf, off)) : null;
      case ATTR_REQUESTED_TRANSPORT -> len == 4 ? new RequestedTransport(buf[off] & 0xff) : null;
      case ATTR_REQUESTED_ADDRESS_FAMILY ->
          len == 4 ? new RequestedAddressFamily(buf[off] & 0xff) : null;
      case ATTR_EVEN_PORT -> len == 1 ? new EvenPort((buf[off] & 0x80) != 0) : null;
      case ATTR_CHANNEL_NUMBER -> len == 4 ? new ChannelNumber(u16(buf, off)) : null;
      case ATTR_DATA -> new Data(Arrays.copyOfRange(buf, off, off + len));
      case ATTR_USERNAME -> len <= MAX_USERNAME_BYTES ? new Username(utf8(buf, off, len)) : null;
      case ATTR_REALM -> len <= MAX_TEXT_BYTES ? new Realm(utf8(buf, off, len)) : null;
      case ATTR_NONCE -> len <= MAX_TEXT_BYTES ? new Nonce(utf8(buf, off, len)) : null;
      case ATTR_SOFTWARE -> len <= MAX_TEXT_BYTES ? new Software(utf8(buf, off, len)) : null;
      case ATTR_ERROR_CODE -> decodeErrorCode(buf, off, len);
      case ATTR_UNKNOWN_ATTRIBUTES -> decodeUnknownAttributes(buf, off, len);
      case ATTR_DONT_FRAGMENT -> len == 0 ? new DontFragment() : null;
      case ATTR_MESSAGE_INTEGRITY ->
          len == MESSAGE_INTEGRITY_SIZE
              ? new MessageIntegrity(Arrays.copyOfRange(buf, off, off + len))
              : null;
      case ATTR_FINGERPRINT -> len == 4 ? new Fingerprint((int) u32(buf, off)) : null;
      default -> new Unknown(type, Arrays.copyOfRange(buf, off, off + len));
    };
  }

  private static StunAttribute decodeErrorCode(byte[] buf, int off, int len) {
    if (len < 4 || len > 4 + MAX_TEXT_BYTES) {
      return null;
    }
    int cls = buf[off + 2] & 0x07;
    int number = buf[off + 3] & 0xff;
    if (cls < 3 || cls > 6 || number > 99) {
      return null;
    }
    return new ErrorCode(cls * 100 + number, utf8(buf, off + 4, len - 4));
  }

  private static StunAttribute decodeUnknownAttributes(byte[] buf, int off, int len) {
    if (len % 2 != 0) {
      return null;
    }
    List<Integer> types = new ArrayList<>(len / 2);
    for (int i = 0; i < len; i += 2) {
      types.add(u16(buf, off + i));
    }
    return new UnknownAttributes(types);
  }

  /** RFC 8489 §14.2: family, X-Port (port ^ cookie>>16), X-Address (address ^ cookie||txid). */
  private static InetSocketAddress decodeXorAddress(
      byte[] buf, int off, int len, byte[] transactionId) {
    if (len < 4 || buf[off] != 0) {
      return null;
    }
    int family = buf[off + 1] & 0xff;
    int addressLength =
        switch (family) {
          case FAMILY_IPV4 -> 4;
          case FAMILY_IPV6 -> 16;
          default -> -1;
        };
    if (addressLength < 0 || len != 4 + addressLength) {
      return null;
    }
    int port = u16(buf, off + 2) ^ (MAGIC_COOKIE >>> 16);
    byte[] address = Arrays.copyOfRange(buf, off + 4, off + 4 + addressLength);
    xorAddress(address, transactionId);
    try {
      return new InetSocketAddress(InetAddress.getByAddress(address), port);
    } catch (UnknownHostException e) {
      return null; // unreachable: the length is 4 or 16
    }
  }

  // ------------------------------------------------------------------ encoding

  /** The value bytes of {@code attribute} (without header or padding). */
  static byte[] encodeValue(StunAttribute attribute, byte[] transactionId) {
    return switch (attribute) {
      case XorMappedAddress a -> encodeXorAddress(a.address(), transactionId);
      case XorPeerAddress a -> encodeXorAddress(a.address(), transactionId);
      case XorRelayedAddress a -> encodeXorAddress(a.address(), transactionId);
      case Lifetime l -> be32((int) l.seconds());
      case RequestedTransport t -> new byte[] {(byte) t.protocol(), 0, 0, 0};
      case RequestedAddressFamily f -> new byte[] {(byte) f.family(), 0, 0, 0};
      case EvenPort e -> new byte[] {(byte) (e.reserveNext() ? 0x80 : 0)};
      case ChannelNumber c -> new byte[] {(byte) (c.channel() >>> 8), (byte) c.channel(), 0, 0};
      case Data d -> d.bytes().clone();
      case Username u -> u.value().getBytes(StandardCharsets.UTF_8);
      case Realm r -> r.value().getBytes(StandardCharsets.UTF_8);
      case Nonce n -> n.value().getBytes(StandardCharsets.UTF_8);
      case Software s -> s.value().getBytes(StandardCharsets.UTF_8);
      case ErrorCode e -> encodeErrorCode(e);
      case UnknownAttributes u -> {
        byte[] out = new byte[u.types().size() * 2];
        for (int i = 0; i < u.types().size(); i++) {
          out[2 * i] = (byte) (u.types().get(i) >>> 8);
          out[2 * i + 1] = (byte) (int) u.types().get(i);
        }
        yield out;
      }
      case DontFragment d -> new byte[0];
      case MessageIntegrity m -> m.hmac().clone();
      case Fingerprint f -> be32(f.crc());
      case Unknown u -> u.value().clone();
    };
  }

  private static byte[] encodeErrorCode(ErrorCode e) {
    byte[] reason = e.reason().getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[4 + reason.length];
    out[2] = (byte) (e.code() / 100);
    out[3] = (byte) (e.code() % 100);
    System.arraycopy(reason, 0, out, 4, reason.length);
    return out;
  }

  private static byte[] encodeXorAddress(InetSocketAddress address, byte[] transactionId) {
    InetAddress ip = address.getAddress();
    byte[] raw = ip.getAddress();
    byte[] out = new byte[4 + raw.length];
    out[1] = (byte) (ip instanceof Inet4Address ? FAMILY_IPV4 : FAMILY_IPV6);
    int xport = address.getPort() ^ (MAGIC_COOKIE >>> 16);
    out[2] = (byte) (xport >>> 8);
    out[3] = (byte) xport;
    xorAddress(raw, transactionId);
    System.arraycopy(raw, 0, out, 4, raw.length);
    return out;
  }

  /** XORs an address in place with the magic cookie, then (IPv6) the transaction id. */
  private static void xorAddress(byte[] address, byte[] transactionId) {
    for (int i = 0; i < address.length; i++) {
      int mask =
          i < 4
              ? (MAGIC_COOKIE >>> (24 - 8 * i)) & 0xff
              : transactionId[i - 4] & 0xff; // only reached for 16-byte (IPv6) addresses
      address[i] ^= (byte) mask;
    }
  }

  // ------------------------------------------------------------------ bytes

  static int u16(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }

  static long u32(byte[] b, int off) {
    return ((long) (b[off] & 0xff) << 24)
        | ((b[off + 1] & 0xff) << 16)
        | ((b[off + 2] & 0xff) << 8)
        | (b[off + 3] & 0xff);
  }

  static byte[] be32(int v) {
    return new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v};
  }

  private static String utf8(byte[] buf, int off, int len) {
    return new String(buf, off, len, StandardCharsets.UTF_8); // malformed input is replaced
  }
}
