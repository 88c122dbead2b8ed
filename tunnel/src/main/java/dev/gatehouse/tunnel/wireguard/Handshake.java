package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Crypto.dh;
import static dev.gatehouse.tunnel.wireguard.Crypto.hash;
import static dev.gatehouse.tunnel.wireguard.Crypto.kdf;

import java.util.Arrays;

/**
 * The Noise_IKpsk2 handshake of one peer (§5.4.2–§5.4.5), as an explicit state machine. Not
 * thread-safe: its {@link Peer} serializes access.
 */
final class Handshake {

  /** Where the handshake stands, as in wireguard-go's {@code handshakeState}. */
  enum State {
    ZEROED,
    INITIATION_CREATED,
    INITIATION_CONSUMED,
    RESPONSE_CREATED,
  }

  /** Ci/Hi after {@code HASH(CONSTRUCTION)} and {@code HASH(Ci || IDENTIFIER)}: constant. */
  static final byte[] INITIAL_CHAIN_KEY = hash(Protocol.CONSTRUCTION);

  static final byte[] INITIAL_HASH = hash(INITIAL_CHAIN_KEY, Protocol.IDENTIFIER);

  private final StaticIdentity local;
  private final byte[] remoteStatic;
  private final byte[] staticStatic; // DH(Spriv_local, Spub_remote), precomputed
  private final byte[] presharedKey;

  private State state = State.ZEROED;
  private byte[] chainKey;
  private byte[] hash;
  private byte[] localEphemeral;
  private byte[] remoteEphemeral;
  private int localIndex;
  private int remoteIndex;
  private byte[] lastTimestamp = new byte[Protocol.TIMESTAMP_SIZE];
  private long lastInitiationConsumedNanos;
  private boolean initiationConsumedOnce;

  Handshake(StaticIdentity local, byte[] remoteStatic, byte[] presharedKey) {
    this.local = local;
    this.remoteStatic = remoteStatic.clone();
    this.presharedKey = presharedKey == null ? new byte[32] : presharedKey.clone();
    byte[] ss;
    try {
      ss = dh(local.privateKey(), remoteStatic);
    } catch (Crypto.CryptoFailure e) {
      ss = null; // a low-order peer key: every handshake with it fails
    }
    this.staticStatic = ss;
  }

  State state() {
    return state;
  }

  int localIndex() {
    return localIndex;
  }

  /**
   * Creates an initiation (§5.4.2) without macs and moves to INITIATION_CREATED. Returns null if
   * the peer's static key is unusable.
   */
  byte[] createInitiation(int newLocalIndex, long epochNanos) {
    if (staticStatic == null) {
      return null;
    }
    try {
      byte[] c = INITIAL_CHAIN_KEY;
      byte[] h = hash(INITIAL_HASH, remoteStatic);
      byte[] ePriv = Crypto.generatePrivateKey();
      byte[] ePub = Crypto.publicKey(ePriv);
      c = kdf(1, c, ePub)[0];
      h = hash(h, ePub);
      byte[][] ck = kdf(2, c, dh(ePriv, remoteStatic));
      c = ck[0];
      byte[] encStatic = Crypto.seal(ck[1], local.publicKey(), h);
      h = hash(h, encStatic);
      ck = kdf(2, c, staticStatic);
      c = ck[0];
      byte[] encTs = Crypto.seal(ck[1], Crypto.tai64n(epochNanos), h);
      h = hash(h, encTs);
      chainKey = c;
      hash = h;
      localEphemeral = ePriv;
      localIndex = newLocalIndex;
      state = State.INITIATION_CREATED;
      return Message.writeInitiation(newLocalIndex, ePub, encStatic, encTs);
    } catch (Crypto.CryptoFailure e) {
      return null;
    }
  }

  /**
   * First half of consuming an initiation, before the peer is known: decrypts the initiator's
   * static key. Returns null if the message does not decrypt.
   */
  static InitiationPreamble decryptStatic(StaticIdentity local, Message.HandshakeInitiation m) {
    try {
      byte[] c = INITIAL_CHAIN_KEY;
      byte[] h = hash(INITIAL_HASH, local.publicKey());
      c = kdf(1, c, m.ephemeral())[0];
      h = hash(h, m.ephemeral());
      byte[][] ck = kdf(2, c, dh(local.privateKey(), m.ephemeral()));
      c = ck[0];
      byte[] remoteStatic = Crypto.open(ck[1], m.encryptedStatic(), h);
      h = hash(h, m.encryptedStatic());
      return new InitiationPreamble(remoteStatic, c, h);
    } catch (Crypto.CryptoFailure e) {
      return null;
    }
  }

  /** Chaining key and hash after the static key, plus the initiator's static public key. */
  record InitiationPreamble(byte[] remoteStatic, byte[] chainKey, byte[] hash) {}

  /** Outcome of {@link #consumeInitiation}. */
  enum ConsumeResult {
    OK,
    DECRYPT_FAILED,
    REPLAYED_TIMESTAMP,
    FLOOD,
  }

  /** Second half (§5.4.2): timestamp, replay and flood checks; on OK moves to CONSUMED. */
  ConsumeResult consumeInitiation(
      InitiationPreamble p, Message.HandshakeInitiation m, long nowNanos) {
    if (staticStatic == null) {
      return ConsumeResult.DECRYPT_FAILED;
    }
    byte[] timestamp;
    byte[] c;
    try {
      byte[][] ck = kdf(2, p.chainKey(), staticStatic);
      c = ck[0];
      timestamp = Crypto.open(ck[1], m.encryptedTimestamp(), p.hash());
    } catch (Crypto.CryptoFailure e) {
      return ConsumeResult.DECRYPT_FAILED;
    }
    if (Arrays.compareUnsigned(timestamp, lastTimestamp) <= 0) {
      return ConsumeResult.REPLAYED_TIMESTAMP;
    }
    if (initiationConsumedOnce
        && nowNanos - lastInitiationConsumedNanos < Protocol.INITIATION_MIN_INTERVAL.toNanos()) {
      return ConsumeResult.FLOOD;
    }
    lastTimestamp = timestamp;
    lastInitiationConsumedNanos = nowNanos;
    initiationConsumedOnce = true;
    chainKey = c;
    hash = hash(p.hash(), m.encryptedTimestamp());
    remoteEphemeral = m.ephemeral().clone();
    remoteIndex = m.sender();
    state = State.INITIATION_CONSUMED;
    return ConsumeResult.OK;
  }

  /** A response (without macs) and the keypair it derives. */
  record Response(byte[] message, Keypair keypair) {}

  /** Creates the response (§5.4.3) to a consumed initiation and derives the responder keypair. */
  Response createResponse(int newLocalIndex, long nowNanos) {
    if (state != State.INITIATION_CONSUMED) {
      return null;
    }
    try {
      byte[] ePriv = Crypto.generatePrivateKey();
      byte[] ePub = Crypto.publicKey(ePriv);
      byte[] c = kdf(1, chainKey, ePub)[0];
      byte[] h = hash(hash, ePub);
      c = kdf(1, c, dh(ePriv, remoteEphemeral))[0];
      c = kdf(1, c, dh(ePriv, remoteStatic))[0];
      byte[][] cTk = kdf(3, c, presharedKey);
      c = cTk[0];
      h = hash(h, cTk[1]);
      byte[] empty = Crypto.seal(cTk[2], new byte[0], h);
      h = hash(h, empty);
      byte[][] keys = kdf(2, c, new byte[0]);
      Keypair kp = new Keypair(keys[1], keys[0], false, newLocalIndex, remoteIndex, nowNanos);
      byte[] msg = Message.writeResponse(newLocalIndex, remoteIndex, ePub, empty);
      zeroEphemeralState();
      return new Response(msg, kp);
    } catch (Crypto.CryptoFailure e) {
      zeroEphemeralState();
      return null;
    }
  }

  /** Consumes a response (§5.4.3) to our initiation; returns the initiator keypair or null. */
  Keypair consumeResponse(Message.HandshakeResponse m, long nowNanos) {
    if (state != State.INITIATION_CREATED || m.receiver() != localIndex) {
      return null;
    }
    try {
      byte[] c = kdf(1, chainKey, m.ephemeral())[0];
      byte[] h = hash(hash, m.ephemeral());
      c = kdf(1, c, dh(localEphemeral, m.ephemeral()))[0];
      c = kdf(1, c, dh(local.privateKey(), m.ephemeral()))[0];
      byte[][] cTk = kdf(3, c, presharedKey);
      c = cTk[0];
      h = hash(h, cTk[1]);
      byte[] empty = Crypto.open(cTk[2], m.encryptedNothing(), h);
      if (empty.length != 0) {
        return null;
      }
      byte[][] keys = kdf(2, c, new byte[0]);
      Keypair kp = new Keypair(keys[0], keys[1], true, localIndex, m.sender(), nowNanos);
      zeroEphemeralState();
      return kp;
    } catch (Crypto.CryptoFailure e) {
      return null; // state unchanged: a forged response must not abort a real handshake
    }
  }

  /** Forgets ephemeral secrets (after a session is derived, or when keys are zeroed). */
  void zeroEphemeralState() {
    if (localEphemeral != null) {
      Arrays.fill(localEphemeral, (byte) 0);
    }
    localEphemeral = null;
    remoteEphemeral = null;
    chainKey = null;
    hash = null;
    state = State.ZEROED;
  }
}
