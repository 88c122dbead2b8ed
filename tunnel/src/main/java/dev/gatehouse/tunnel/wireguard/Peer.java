package dev.gatehouse.tunnel.wireguard;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.function.LongUnaryOperator;

/**
 * One remote peer: its handshake, its current/previous/next keypairs (§5.4.5, §6.1), timers,
 * endpoint, staged packets and counters. State changes happen under the peer's monitor; the
 * transport hot path only reads the volatile {@link #current} keypair.
 */
public final class Peer {
  /** Packets kept while waiting for a session; the oldest is dropped beyond this (wg-go: 128). */
  static final int MAX_STAGED = 128;

  private final byte[] publicKey;
  final Handshake handshake;
  final CookieGenerator cookies;
  final Timers timers;
  final InboundFilter filter;

  volatile Keypair current;
  Keypair previous;
  Keypair next;
  private volatile InetSocketAddress endpoint;
  private volatile TunnelResult.WriteToNetwork toNetwork;
  final TunnelResult.WriteToTunnel toTunnel = new TunnelResult.WriteToTunnel(this);

  final ArrayDeque<byte[]> staged = new ArrayDeque<>();
  long lastSentHandshakeNanos;
  boolean sentHandshakeOnce;
  boolean sentLastMinuteHandshake;
  int pendingHandshakeIndex; // index of our in-flight initiation, 0 = none
  boolean hasPendingHandshakeIndex;
  boolean initiationQueued;

  private volatile long lastHandshakeEpochNanos;
  private volatile long handshakesCompleted;
  private volatile long rxBytes;
  private volatile long txBytes;

  Peer(
      StaticIdentity local,
      PeerConfig config,
      TimerConfig timerConfig,
      LongUnaryOperator jitter,
      long now) {
    this.publicKey = config.publicKey().clone();
    this.handshake = new Handshake(local, publicKey, config.presharedKey());
    this.cookies = new CookieGenerator(publicKey);
    this.timers = new Timers(timerConfig, jitter, 0);
    this.timers.setPersistentKeepalive(config.persistentKeepalive().toNanos(), now);
    this.filter = config.filter();
    setEndpoint(config.endpoint());
  }

  /** The peer's static public key. */
  public byte[] publicKey() {
    return publicKey.clone();
  }

  /** Where we currently send to (updated by roaming on every authenticated packet). */
  public InetSocketAddress endpoint() {
    return endpoint;
  }

  void setEndpoint(InetSocketAddress e) {
    if (e != null && !e.equals(endpoint)) {
      endpoint = e;
      toNetwork = new TunnelResult.WriteToNetwork(this, e);
    }
  }

  TunnelResult.WriteToNetwork toNetwork() {
    return toNetwork;
  }

  /** Completed handshakes (either role) since the peer was added. */
  public long handshakesCompleted() {
    return handshakesCompleted;
  }

  /** Wall-clock nanos of the last completed handshake, 0 if none. */
  public long lastHandshakeEpochNanos() {
    return lastHandshakeEpochNanos;
  }

  public long rxBytes() {
    return rxBytes;
  }

  public long txBytes() {
    return txBytes;
  }

  void addRx(long n) {
    rxBytes += n; // single receiving thread; a lost update only skews statistics
  }

  void addTx(long n) {
    txBytes += n;
  }

  void handshakeCompleted(long epochNanos) {
    handshakesCompleted++;
    lastHandshakeEpochNanos = epochNanos;
  }

  /** The current sending keypair, or null. */
  public Keypair currentKeypair() {
    return current;
  }

  /** Whether a keypair may still send at {@code now} (REJECT_AFTER_TIME/MESSAGES, §6.1). */
  static boolean canSend(Keypair kp, long now, TimerConfig cfg) {
    return kp != null
        && now - kp.createdNanos < cfg.rejectAfterTime().toNanos()
        && Long.compareUnsigned(kp.sendCounter(), cfg.rejectAfterMessages()) < 0;
  }

  /**
   * Installs a fresh keypair (wireguard-go's {@code BeginSymmetricSession}) and returns the indices
   * of keypairs that were dropped, for the index table. Caller holds the monitor.
   */
  int[] installKeypair(Keypair kp) {
    int[] freed = new int[2];
    int n = 0;
    if (kp.initiator) {
      Keypair oldPrevious = previous;
      if (next != null) {
        previous = next;
        next = null;
        // the unconfirmed "next" keypair becomes previous; the old current is dropped
        if (current != null) {
          freed[n++] = current.localIndex;
        }
      } else {
        previous = current;
      }
      if (oldPrevious != null) {
        freed[n++] = oldPrevious.localIndex;
      }
      current = kp;
    } else {
      if (next != null) {
        freed[n++] = next.localIndex;
      }
      next = kp;
      if (previous != null) {
        freed[n++] = previous.localIndex;
      }
      previous = null;
    }
    return java.util.Arrays.copyOf(freed, n);
  }

  /**
   * A packet arrived on {@code kp}: if it is the unconfirmed next keypair, promote it to current
   * (§5.4.5, responder confirmation). Returns {@link #NOT_PROMOTED}, {@link
   * #PROMOTED_NOTHING_FREED} or the (non-negative, unsigned) index of the dropped previous keypair.
   * Caller holds the monitor.
   */
  long confirmIfNext(Keypair kp) {
    if (kp != next) {
      return NOT_PROMOTED;
    }
    long freed = previous == null ? PROMOTED_NOTHING_FREED : previous.localIndex & 0xffffffffL;
    previous = current;
    current = kp;
    next = null;
    return freed;
  }

  static final long NOT_PROMOTED = -1;
  static final long PROMOTED_NOTHING_FREED = -2;

  /** Erases every keypair and handshake secret; returns the freed indices. */
  int[] zeroKeys() {
    int[] freed = new int[4];
    int n = 0;
    for (Keypair kp : new Keypair[] {current, previous, next}) {
      if (kp != null) {
        freed[n++] = kp.localIndex;
      }
    }
    if (hasPendingHandshakeIndex) {
      freed[n++] = pendingHandshakeIndex;
      hasPendingHandshakeIndex = false;
    }
    current = null;
    previous = null;
    next = null;
    handshake.zeroEphemeralState();
    staged.clear();
    return java.util.Arrays.copyOf(freed, n);
  }

  /** Keeps a copy of a packet until a session exists; returns false if the oldest was dropped. */
  boolean stage(byte[] packet, int off, int len) {
    boolean overflow = false;
    if (staged.size() >= MAX_STAGED) {
      staged.pollFirst();
      overflow = true;
    }
    staged.addLast(java.util.Arrays.copyOfRange(packet, off, off + len));
    return !overflow;
  }

  @Override
  public String toString() {
    return "Peer[" + StaticIdentity.encodeKey(publicKey) + "]";
  }
}
