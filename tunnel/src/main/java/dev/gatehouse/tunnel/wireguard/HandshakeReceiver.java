package dev.gatehouse.tunnel.wireguard;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * The handshake side of {@link WireGuardDevice#decapsulate}: mac1/mac2 and cookie gating (§5.3,
 * §5.4.4, §5.4.7), consuming initiations and answering them (§5.4.2, §5.4.3), consuming responses
 * and cookie replies, and installing the resulting keypairs. Shares the device's index table, peers
 * and counters; per-peer state is changed under the peer's monitor.
 */
final class HandshakeReceiver {
  private final WireGuardDevice device;
  private final CookieChecker cookieChecker;
  private final LoadMonitor load;

  HandshakeReceiver(WireGuardDevice device, CookieChecker cookieChecker, LoadMonitor load) {
    this.device = device;
    this.cookieChecker = cookieChecker;
    this.load = load;
  }

  TunnelResult receiveInitiation(
      Message.HandshakeInitiation m, InetSocketAddress from, ByteBuffer out) {
    long now = device.clock.monotonicNanos();
    TunnelResult gate =
        checkMacs(
            m.raw(),
            Message.HandshakeInitiation.MAC1_OFFSET,
            Message.HandshakeInitiation.MAC2_OFFSET,
            m.sender(),
            from,
            now,
            out);
    if (gate != null) {
      return gate;
    }
    Handshake.InitiationPreamble pre = Handshake.decryptStatic(device.identity, m);
    if (pre == null) {
      return device.drop(DropReason.HANDSHAKE_FAILED);
    }
    Peer peer = device.peersByKey.get(ByteBuffer.wrap(pre.remoteStatic()));
    if (peer == null) {
      return device.drop(DropReason.UNKNOWN_PEER);
    }
    synchronized (peer) {
      switch (peer.handshake.consumeInitiation(pre, m, now)) {
        case OK -> {}
        case DECRYPT_FAILED -> {
          return device.drop(DropReason.HANDSHAKE_FAILED);
        }
        case REPLAYED_TIMESTAMP -> {
          return device.drop(DropReason.REPLAYED_INITIATION);
        }
        case FLOOD -> {
          return device.drop(DropReason.INITIATION_FLOOD);
        }
      }
      if (peer.hasPendingHandshakeIndex) {
        device.indices.remove(peer.pendingHandshakeIndex); // our own initiation is superseded
        peer.hasPendingHandshakeIndex = false;
      }
      int index = device.indices.allocate(peer);
      Handshake.Response resp = peer.handshake.createResponse(index, now);
      if (resp == null) {
        device.indices.remove(index);
        return device.drop(DropReason.HANDSHAKE_FAILED);
      }
      peer.cookies.addMacs(resp.message(), Message.HandshakeResponse.MAC1_OFFSET, now);
      for (int freed : peer.installKeypair(resp.keypair())) {
        device.indices.remove(freed);
      }
      device.indices.bind(index, peer, resp.keypair());
      device.authenticatedFrom(peer, from);
      peer.sentLastMinuteHandshake = false;
      peer.timers.sessionDerived(now);
      peer.timers.anyAuthenticatedPacketTraversal(now);
      peer.timers.anyAuthenticatedPacketSent();
      return WireGuardDevice.writeOut(resp.message(), out, peer.toNetwork());
    }
  }

  TunnelResult receiveResponse(
      Message.HandshakeResponse m, InetSocketAddress from, ByteBuffer out) {
    long now = device.clock.monotonicNanos();
    TunnelResult gate =
        checkMacs(
            m.raw(),
            Message.HandshakeResponse.MAC1_OFFSET,
            Message.HandshakeResponse.MAC2_OFFSET,
            m.sender(),
            from,
            now,
            out);
    if (gate != null) {
      return gate;
    }
    IndexTable.Entry e = device.indices.get(m.receiver());
    if (e == null || e.keypair() != null) {
      return device.drop(DropReason.UNKNOWN_INDEX);
    }
    Peer peer = e.peer();
    synchronized (peer) {
      Keypair kp = peer.handshake.consumeResponse(m, now);
      if (kp == null) {
        return device.drop(DropReason.HANDSHAKE_FAILED);
      }
      peer.hasPendingHandshakeIndex = false;
      for (int freed : peer.installKeypair(kp)) {
        device.indices.remove(freed);
      }
      device.indices.bind(kp.localIndex, peer, kp);
      device.authenticatedFrom(peer, from);
      peer.sentLastMinuteHandshake = false;
      peer.handshakeCompleted(device.clock.epochNanos());
      peer.timers.anyAuthenticatedPacketReceived();
      peer.timers.anyAuthenticatedPacketTraversal(now);
      peer.timers.handshakeComplete();
      peer.timers.sessionDerived(now);
      device.queueKeepalive(peer); // confirms the session to the responder, flushes staged packets
    }
    return TunnelResult.DONE;
  }

  TunnelResult receiveCookie(Message.CookieReply m) {
    IndexTable.Entry e = device.indices.get(m.receiver());
    if (e == null) {
      return device.drop(DropReason.UNKNOWN_INDEX);
    }
    Peer peer = e.peer();
    synchronized (peer) {
      if (!peer.cookies.consumeCookieReply(m, device.clock.monotonicNanos())) {
        return device.drop(DropReason.BAD_COOKIE);
      }
    }
    return TunnelResult.DONE; // the retransmit timer resends the initiation, now with mac2
  }

  /** Returns null to proceed, or the result (drop or cookie reply written to out). */
  private TunnelResult checkMacs(
      byte[] raw,
      int mac1Offset,
      int mac2Offset,
      int sender,
      InetSocketAddress from,
      long now,
      ByteBuffer out) {
    if (!cookieChecker.checkMac1(raw, mac1Offset)) {
      return device.drop(DropReason.BAD_MAC1);
    }
    if (!load.recordAndCheck(now)) {
      return null;
    }
    if (!cookieChecker.checkMac2(raw, mac2Offset, from, now)) {
      device.drops.incrementAndGet(DropReason.COOKIE_REQUIRED.ordinal());
      byte[] reply = cookieChecker.createReply(raw, mac1Offset, sender, from, now);
      return WireGuardDevice.writeOut(reply, out, new TunnelResult.WriteToNetwork(null, from));
    }
    if (!load.allow(from.getAddress(), now)) {
      return device.drop(DropReason.RATE_LIMITED);
    }
    return null;
  }
}
