package dev.gatehouse.relay.stun;

import java.time.Duration;

/**
 * Wire constants of STUN (RFC 8489) and TURN (RFC 8656), each citing the section or registry entry
 * that defines it. Message types are split into a 12-bit method and a 2-bit class (RFC 8489 §5).
 */
public final class TurnProtocol {
  private TurnProtocol() {}

  // ---- STUN header (RFC 8489 §5) ----

  /** RFC 8489 §5: every STUN message starts with a 20-byte header. */
  public static final int HEADER_SIZE = 20;

  /** RFC 8489 §5: the fixed magic cookie in bytes 4..7 of the header. */
  public static final int MAGIC_COOKIE = 0x2112A442;

  /** RFC 8489 §5: the transaction id is 96 bits. */
  public static final int TRANSACTION_ID_SIZE = 12;

  /** RFC 8489 §14: attributes are padded to a multiple of 4 bytes. */
  public static final int ATTRIBUTE_ALIGNMENT = 4;

  /** RFC 8489 §14.7: the FINGERPRINT CRC-32 is XOR-ed with this value ("STUN"). */
  public static final int FINGERPRINT_XOR = 0x5354554e;

  /** RFC 8489 §14.5: HMAC-SHA1 output size of MESSAGE-INTEGRITY. */
  public static final int MESSAGE_INTEGRITY_SIZE = 20;

  // ---- Methods (RFC 8489 §18.2 registry; TURN methods from RFC 8656) ----

  /** RFC 8489 §18.2: Binding. */
  public static final int METHOD_BINDING = 0x001;

  /** RFC 8656: Allocate (§7, request/response only). */
  public static final int METHOD_ALLOCATE = 0x003;

  /** RFC 8656: Refresh (§8, request/response only). */
  public static final int METHOD_REFRESH = 0x004;

  /** RFC 8656: Send (§11, indication only). */
  public static final int METHOD_SEND = 0x006;

  /** RFC 8656: Data (§11, indication only). */
  public static final int METHOD_DATA = 0x007;

  /** RFC 8656: CreatePermission (§10, request/response only). */
  public static final int METHOD_CREATE_PERMISSION = 0x008;

  /** RFC 8656: ChannelBind (§12, request/response only). */
  public static final int METHOD_CHANNEL_BIND = 0x009;

  // ---- Comprehension-required attributes (type < 0x8000) ----

  /** RFC 8489 §14.3: USERNAME, at most 513 bytes. */
  public static final int ATTR_USERNAME = 0x0006;

  /** RFC 8489 §14.5: MESSAGE-INTEGRITY, HMAC-SHA1. */
  public static final int ATTR_MESSAGE_INTEGRITY = 0x0008;

  /** RFC 8489 §14.8: ERROR-CODE. */
  public static final int ATTR_ERROR_CODE = 0x0009;

  /** RFC 8489 §14.13: UNKNOWN-ATTRIBUTES. */
  public static final int ATTR_UNKNOWN_ATTRIBUTES = 0x000A;

  /** RFC 8656 CHANNEL-NUMBER: 16-bit channel and 16 reserved bits. */
  public static final int ATTR_CHANNEL_NUMBER = 0x000C;

  /** RFC 8656 LIFETIME: seconds until the allocation expires. */
  public static final int ATTR_LIFETIME = 0x000D;

  /** RFC 8656 XOR-PEER-ADDRESS. */
  public static final int ATTR_XOR_PEER_ADDRESS = 0x0012;

  /** RFC 8656 DATA. */
  public static final int ATTR_DATA = 0x0013;

  /** RFC 8489 §14.9: REALM, fewer than 128 characters. */
  public static final int ATTR_REALM = 0x0014;

  /** RFC 8489 §14.10: NONCE, fewer than 128 characters. */
  public static final int ATTR_NONCE = 0x0015;

  /** RFC 8656 XOR-RELAYED-ADDRESS. */
  public static final int ATTR_XOR_RELAYED_ADDRESS = 0x0016;

  /** RFC 8656 REQUESTED-ADDRESS-FAMILY. */
  public static final int ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017;

  /** RFC 8656 EVEN-PORT: one byte whose top bit (R) asks to reserve the next port. */
  public static final int ATTR_EVEN_PORT = 0x0018;

  /** RFC 8656 REQUESTED-TRANSPORT: protocol number in the first byte. */
  public static final int ATTR_REQUESTED_TRANSPORT = 0x0019;

  /** RFC 8656 DONT-FRAGMENT: no value. */
  public static final int ATTR_DONT_FRAGMENT = 0x001A;

  /** RFC 8489 §14.2: XOR-MAPPED-ADDRESS. */
  public static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;

  /** RFC 8656 RESERVATION-TOKEN: 8 bytes. */
  public static final int ATTR_RESERVATION_TOKEN = 0x0022;

  // ---- Comprehension-optional attributes (type >= 0x8000) ----

  /** RFC 8489 §14.14: SOFTWARE. */
  public static final int ATTR_SOFTWARE = 0x8022;

  /** RFC 8489 §14.7: FINGERPRINT. */
  public static final int ATTR_FINGERPRINT = 0x8028;

  /** RFC 8656 ADDITIONAL-ADDRESS-FAMILY (dual allocation; ignored here). */
  public static final int ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000;

  /** RFC 8489 §14.3: USERNAME values are at most 513 bytes. */
  public static final int MAX_USERNAME_BYTES = 513;

  /** RFC 8489 §14.9, §14.10, §14.14: REALM, NONCE and SOFTWARE values are at most 763 bytes. */
  public static final int MAX_TEXT_BYTES = 763;

  // ---- Address families (RFC 8489 §14.1, RFC 8656 REQUESTED-ADDRESS-FAMILY) ----

  /** RFC 8489 §14.1: IPv4 family byte. */
  public static final int FAMILY_IPV4 = 0x01;

  /** RFC 8489 §14.1: IPv6 family byte. */
  public static final int FAMILY_IPV6 = 0x02;

  /** RFC 8656 REQUESTED-TRANSPORT: IANA protocol number of UDP. */
  public static final int TRANSPORT_UDP = 17;

  // ---- Error codes (RFC 8489 §14.8, RFC 8656 error registry) ----

  /** RFC 8489 §14.8: Bad Request. */
  public static final int ERROR_BAD_REQUEST = 400;

  /** RFC 8489 §14.8: Unauthenticated. */
  public static final int ERROR_UNAUTHENTICATED = 401;

  /** RFC 8656: Forbidden (peer address not allowed). */
  public static final int ERROR_FORBIDDEN = 403;

  /** RFC 8656: Wrong Credentials (a request on an allocation with another username). */
  public static final int ERROR_WRONG_CREDENTIALS = 441;

  /** RFC 8489 §14.8: Unknown Attribute. */
  public static final int ERROR_UNKNOWN_ATTRIBUTE = 420;

  /** RFC 8656: Allocation Mismatch. */
  public static final int ERROR_ALLOCATION_MISMATCH = 437;

  /** RFC 8489 §14.8: Stale Nonce. */
  public static final int ERROR_STALE_NONCE = 438;

  /** RFC 8656: Address Family not Supported. */
  public static final int ERROR_ADDRESS_FAMILY_NOT_SUPPORTED = 440;

  /** RFC 8656: Unsupported Transport Protocol. */
  public static final int ERROR_UNSUPPORTED_TRANSPORT = 442;

  /** RFC 8656: Peer Address Family Mismatch. */
  public static final int ERROR_PEER_ADDRESS_FAMILY_MISMATCH = 443;

  /** RFC 8656: Allocation Quota Reached. */
  public static final int ERROR_ALLOCATION_QUOTA_REACHED = 486;

  /** RFC 8656: Insufficient Capacity. */
  public static final int ERROR_INSUFFICIENT_CAPACITY = 508;

  // ---- Channels (RFC 8656 §12) ----

  /** RFC 8656 §12: lowest channel number a client may bind. */
  public static final int CHANNEL_MIN = 0x4000;

  /** RFC 8656 §12: highest channel number a client may bind (0x5000..0xFFFF are reserved). */
  public static final int CHANNEL_MAX = 0x4FFF;

  /**
   * RFC 5766 §11 allowed channels up to 0x7FFE and coturn (server and {@code turnutils_uclient})
   * still uses 0x4000..0x7FFF; accepted only when the legacy range is switched on.
   */
  public static final int LEGACY_CHANNEL_MAX = 0x7FFF;

  /** RFC 8656 §12.4: ChannelData header: channel number and length, 16 bits each. */
  public static final int CHANNEL_DATA_HEADER_SIZE = 4;

  // ---- Timers (RFC 8656) ----

  /** RFC 8656 §7.2: default allocation lifetime (10 minutes). */
  public static final Duration DEFAULT_ALLOCATION_LIFETIME = Duration.ofMinutes(10);

  /** RFC 8656 §7.2: the server's maximum allowed lifetime (RECOMMENDED: 1 hour). */
  public static final Duration MAX_ALLOCATION_LIFETIME = Duration.ofHours(1);

  /** RFC 8656 §9: a permission lasts 300 seconds unless refreshed. */
  public static final Duration PERMISSION_LIFETIME = Duration.ofMinutes(5);

  /** RFC 8656 §12: a channel binding lasts 10 minutes unless refreshed. */
  public static final Duration CHANNEL_LIFETIME = Duration.ofMinutes(10);

  /**
   * RFC 8656 §12: after a binding expires, neither its channel nor its peer address may be bound to
   * anything else for 5 minutes.
   */
  public static final Duration CHANNEL_COOLDOWN = Duration.ofMinutes(5);
}
