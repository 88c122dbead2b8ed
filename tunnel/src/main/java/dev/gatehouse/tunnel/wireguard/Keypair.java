package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Protocol.AEAD_TAG_SIZE;
import static dev.gatehouse.tunnel.wireguard.Protocol.TRANSPORT_HEADER_SIZE;
import static dev.gatehouse.tunnel.wireguard.Protocol.TYPE_TRANSPORT;

import java.util.Arrays;

/**
 * One session's transport keys (§5.4.5) with its sending counter and receive replay window — the
 * hot path of the tunnel. Sending and receiving are independently locked, so one thread may encrypt
 * while another decrypts. Each direction keeps its own {@link TransportAead} (OpenSSL's through FFM
 * where it loads); buffers are the caller's heap arrays and encryption runs in place.
 */
public final class Keypair {
  final int localIndex;
  final int remoteIndex;
  final boolean initiator;
  final long createdNanos;

  private final TransportAead sendAead;
  private final TransportAead receiveAead;
  private final Object sendLock = new Object();
  private final Object receiveLock = new Object();
  private final ReplayWindow replay = new ReplayWindow();
  private volatile long sendCounter;

  Keypair(
      byte[] sendKey,
      byte[] receiveKey,
      boolean initiator,
      int localIndex,
      int remoteIndex,
      long createdNanos) {
    this.sendAead = TransportAead.forKey(sendKey);
    this.receiveAead = TransportAead.forKey(receiveKey);
    Arrays.fill(sendKey, (byte) 0);
    Arrays.fill(receiveKey, (byte) 0);
    this.initiator = initiator;
    this.localIndex = localIndex;
    this.remoteIndex = remoteIndex;
    this.createdNanos = createdNanos;
  }

  /** Next counter to be used for sending (number of messages sent so far). */
  public long sendCounter() {
    return sendCounter;
  }

  /** Whether this side initiated the handshake that created the keypair. */
  public boolean initiator() {
    return initiator;
  }

  /**
   * Seals a transport message in place. On entry {@code buf[off+16, off+16+len)} holds the
   * plaintext and {@code buf} has room for padding and the tag; on return {@code buf[off, off+n)}
   * is the complete message, {@code n} returned. Returns -1 when the counter reached {@code
   * rejectAfterMessages} (the keypair must not be used any more).
   */
  int seal(byte[] buf, int off, int len, long rejectAfterMessages) {
    int padded = (len + 15) & ~15;
    int p = off + TRANSPORT_HEADER_SIZE;
    Arrays.fill(buf, p + len, p + padded, (byte) 0);
    synchronized (sendLock) {
      long counter = sendCounter;
      if (Long.compareUnsigned(counter, rejectAfterMessages) >= 0) {
        return -1;
      }
      sendCounter = counter + 1;
      buf[off] = TYPE_TRANSPORT;
      buf[off + 1] = 0;
      buf[off + 2] = 0;
      buf[off + 3] = 0;
      Message.putLe32(buf, off + 4, remoteIndex);
      Message.putLe64(buf, off + 8, counter);
      return TRANSPORT_HEADER_SIZE + sendAead.seal(counter, buf, p, padded, buf, p);
    }
  }

  /**
   * Opens the transport message {@code in[off, off+len)} (header included) into {@code
   * out[outOff...)}. Returns the plaintext length (padding included), {@link #REPLAYED} when the
   * counter was seen or is too old, or {@link #BAD_TAG} when authentication fails. Never throws on
   * hostile input.
   */
  int open(byte[] in, int off, int len, byte[] out, int outOff, long rejectAfterMessages) {
    long counter = Message.le64(in, off + 8);
    int cipherLen = len - TRANSPORT_HEADER_SIZE;
    synchronized (receiveLock) {
      if (!replay.mightAccept(counter, rejectAfterMessages)) {
        return REPLAYED;
      }
      int n = receiveAead.open(counter, in, off + TRANSPORT_HEADER_SIZE, cipherLen, out, outOff);
      if (n < 0) {
        return BAD_TAG;
      }
      if (!replay.accept(counter, rejectAfterMessages)) {
        return REPLAYED;
      }
      return n;
    }
  }

  static final int REPLAYED = -1;
  static final int BAD_TAG = -2;

  /** Bytes a sealed message needs beyond the plaintext: header, up to 15 padding, tag. */
  public static final int OVERHEAD = TRANSPORT_HEADER_SIZE + 15 + AEAD_TAG_SIZE;
}
