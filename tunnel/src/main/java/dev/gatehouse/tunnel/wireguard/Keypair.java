package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Protocol.AEAD_TAG_SIZE;
import static dev.gatehouse.tunnel.wireguard.Protocol.TRANSPORT_HEADER_SIZE;
import static dev.gatehouse.tunnel.wireguard.Protocol.TYPE_TRANSPORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One session's transport keys (§5.4.5) with its sending counter and receive replay window — the
 * hot path of the tunnel. Sending and receiving are independently locked, so one thread may encrypt
 * while another decrypts. Each direction keeps its own {@link TransportAead} (OpenSSL's through FFM
 * where it loads). Encryption runs in place in the caller's heap array; a received message is
 * opened from a segment, a heap array's or the socket's native receive buffer, into a heap array.
 */
public final class Keypair {
  private static final ValueLayout.OfLong LE64 =
      ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /**
   * Lanes a keypair can encrypt or decrypt on at once, each with its own AEAD context: lane 0 is
   * shared and used under the direction's lock; lanes 1 and up belong to one thread each (a batch's
   * caller and its crypto workers) and run without the lock.
   */
  public static final int MAX_LANES = 8;

  final int localIndex;
  final int remoteIndex;
  final boolean initiator;
  final long createdNanos;

  private final byte[] sendKey;
  private final byte[] receiveKey;
  private final TransportAead[] sendLanes = new TransportAead[MAX_LANES];
  private final TransportAead[] receiveLanes = new TransportAead[MAX_LANES];
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
    // Kept (on the heap, as a JDK SecretKeySpec would) for the lanes created on first use.
    this.sendKey = sendKey.clone();
    this.receiveKey = receiveKey.clone();
    sendLanes[0] = TransportAead.forKey(sendKey);
    receiveLanes[0] = TransportAead.forKey(receiveKey);
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

  /** Length of the sealed message for {@code len} bytes of plaintext. */
  static int sealedLength(int len) {
    return TRANSPORT_HEADER_SIZE + ((len + 15) & ~15) + AEAD_TAG_SIZE;
  }

  /**
   * Seals a transport message in place on the shared lane. On entry {@code buf[off+16, off+16+len)}
   * holds the plaintext and {@code buf} has room for padding and the tag; on return {@code buf[off,
   * off+n)} is the complete message, {@code n} returned. Returns -1 when the counter reached {@code
   * rejectAfterMessages} (the keypair must not be used any more).
   */
  int seal(byte[] buf, int off, int len, long rejectAfterMessages) {
    synchronized (sendLock) {
      long counter = reserve(buf, off, len, rejectAfterMessages);
      return counter < 0 ? -1 : sealReserved(buf, off, len, counter, 0);
    }
  }

  /**
   * First half of {@link #seal} for parallel encryption: takes the next counter, writes the header
   * and the zero padding, and returns the counter (or -1, as {@link #seal}); {@link #sealReserved}
   * encrypts later, on any lane. Counters are taken in the order the packets will be sent.
   */
  long reserve(byte[] buf, int off, int len, long rejectAfterMessages) {
    int padded = (len + 15) & ~15;
    int p = off + TRANSPORT_HEADER_SIZE;
    Arrays.fill(buf, p + len, p + padded, (byte) 0);
    long counter;
    synchronized (sendLock) {
      counter = sendCounter;
      if (Long.compareUnsigned(counter, rejectAfterMessages) >= 0) {
        return -1;
      }
      sendCounter = counter + 1;
    }
    buf[off] = TYPE_TRANSPORT;
    buf[off + 1] = 0;
    buf[off + 2] = 0;
    buf[off + 3] = 0;
    Message.putLe32(buf, off + 4, remoteIndex);
    Message.putLe64(buf, off + 8, counter);
    return counter;
  }

  /**
   * Encrypts a message {@link #reserve} prepared, on {@code lane} (0 only under the send lock, as
   * {@link #seal} does; 1 and up each from one thread). Returns the message length.
   */
  int sealReserved(byte[] buf, int off, int len, long counter, int lane) {
    int padded = (len + 15) & ~15;
    int p = off + TRANSPORT_HEADER_SIZE;
    TransportAead aead = lane(sendLanes, sendKey, lane);
    return TRANSPORT_HEADER_SIZE + aead.seal(counter, buf, p, padded, buf, p);
  }

  /**
   * Opens the transport message {@code in[off, off+len)} (header included, {@code len} at least a
   * header) into {@code out[outOff...)} on the shared lane 0, or on {@code lane} 1 and up from that
   * lane's one thread (only the replay window is then locked, so lanes decrypt in parallel). The
   * message may lie on the heap or where the socket received it. Returns the plaintext length
   * (padding included), {@link #REPLAYED} when the counter was seen or is too old, or {@link
   * #BAD_TAG} when authentication fails. Never throws on hostile input.
   */
  int open(
      MemorySegment in,
      long off,
      int len,
      byte[] out,
      int outOff,
      long rejectAfterMessages,
      int lane) {
    long counter = in.get(LE64, off + 8);
    if (lane == 0) {
      synchronized (receiveLock) {
        return openOnLane(counter, in, off, len, out, outOff, rejectAfterMessages, 0);
      }
    }
    return openOnLane(counter, in, off, len, out, outOff, rejectAfterMessages, lane);
  }

  private int openOnLane(
      long counter,
      MemorySegment in,
      long off,
      int len,
      byte[] out,
      int outOff,
      long rejectAfterMessages,
      int lane) {
    synchronized (receiveLock) {
      if (!replay.mightAccept(counter, rejectAfterMessages)) {
        return REPLAYED;
      }
    }
    TransportAead aead = lane(receiveLanes, receiveKey, lane);
    int n =
        aead.open(
            counter, in, off + TRANSPORT_HEADER_SIZE, len - TRANSPORT_HEADER_SIZE, out, outOff);
    if (n < 0) {
      return BAD_TAG;
    }
    synchronized (receiveLock) {
      // Accepted only now, after authentication: a forged counter must not move the window.
      return replay.accept(counter, rejectAfterMessages) ? n : REPLAYED;
    }
  }

  /** The lane's AEAD, created on first use by the lane's own thread (so no race on the slot). */
  private static TransportAead lane(TransportAead[] lanes, byte[] key, int lane) {
    TransportAead aead = lanes[lane];
    if (aead == null) {
      aead = TransportAead.forKey(key);
      lanes[lane] = aead;
    }
    return aead;
  }

  static final int REPLAYED = -1;
  static final int BAD_TAG = -2;

  /** Bytes a sealed message needs beyond the plaintext: header, up to 15 padding, tag. */
  public static final int OVERHEAD = TRANSPORT_HEADER_SIZE + 15 + AEAD_TAG_SIZE;
}
