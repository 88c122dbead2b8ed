package dev.gatehouse.tunnel.packet;

import static dev.gatehouse.tunnel.packet.TcpHeaders.ACK;
import static dev.gatehouse.tunnel.packet.TcpHeaders.ACK_NUMBER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.FLAGS;
import static dev.gatehouse.tunnel.packet.TcpHeaders.IPV4_MIN_HEADER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.IPV6_HEADER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.PROTO_TCP;
import static dev.gatehouse.tunnel.packet.TcpHeaders.PSH;
import static dev.gatehouse.tunnel.packet.TcpHeaders.SEQ;
import static dev.gatehouse.tunnel.packet.TcpHeaders.TCP_MIN_HEADER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.u16;
import static dev.gatehouse.tunnel.packet.TcpHeaders.u32;

import java.util.Arrays;

/**
 * Generic receive offload for a TUN device with {@code IFF_VNET_HDR}: merges consecutive in-order
 * TCP segments of one flow into a super-packet the kernel takes in one write, as Linux GRO and
 * wireguard-go's {@code tcpGRO} do. Segments merge only when nothing but their payload and sequence
 * number would be lost: same addresses, ports, ACK number, TCP options, TOS/TTL (or IPv6 traffic
 * class, flow label, hop limit), flags ACK or ACK|PSH, a payload no larger than the first
 * segment's, and a valid TCP checksum (the merged packet is marked checksum-partial, so the kernel
 * will not verify it). Everything else passes through unchanged, after closing the flow so that a
 * flow's packets keep their order.
 *
 * <p>Use: {@link #add} packets of a burst (false means full: write out and {@link #clear} first),
 * then {@link #prepare}, write {@code buffer(i)[0, length(i))} for each item (a {@link
 * VirtioNetHeader} followed by the packet), and {@link #clear}. One thread; buffers are reused.
 */
public final class TcpCoalescer {
  /** Largest IP packet an item may grow to. */
  public static final int MAX_PACKET = 65535;

  /** Most segments merged into one item (Linux GRO's limit). */
  public static final int MAX_SEGMENTS = 64;

  private static final int H = VirtioNetHeader.SIZE;

  private static final class Item {
    final byte[] buf = new byte[H + MAX_PACKET];
    int len;
    boolean open;
    boolean v6;
    int ipHeaderLen;
    int tcpHeaderLen;
    int mss;
    int segments;
    int nextSeq;
  }

  private final Item[] items;
  private int count;
  private long merged;

  /** A coalescer holding at most {@code maxItems} packets or super-packets between writes. */
  public TcpCoalescer(int maxItems) {
    items = new Item[maxItems];
  }

  /** Items held. */
  public int size() {
    return count;
  }

  /** Segments merged into an earlier one so far (a counter for diagnostics). */
  public long mergedSegments() {
    return merged;
  }

  /**
   * Adds the IP packet {@code p[off, off+len)} (copied). Returns false, adding nothing, when the
   * coalescer is full.
   */
  public boolean add(byte[] p, int off, int len) {
    if (len > MAX_PACKET) {
      return true; // cannot be an IP packet; the tunnel never produces one
    }
    int ipHeaderLen = candidateIpHeader(p, off, len);
    if (ipHeaderLen > 0) {
      boolean v6 = ipHeaderLen == IPV6_HEADER;
      for (int i = count - 1; i >= 0; i--) {
        Item it = items[i];
        if (it.open && it.v6 == v6 && sameFlow(it, p, off)) {
          if (canAppend(it, p, off, len)) {
            append(it, p, off, len);
            return true;
          }
          it.open = false;
          break;
        }
      }
    } else {
      closeFlowOf(p, off, len);
    }
    if (count == items.length) {
      return false;
    }
    Item it = items[count];
    if (it == null) {
      it = items[count] = new Item();
    }
    count++;
    start(it, p, off, len, ipHeaderLen);
    return true;
  }

  /** Finalizes every item: lengths, checksums and virtio headers. Returns {@link #size()}. */
  public int prepare() {
    for (int i = 0; i < count; i++) {
      Item it = items[i];
      if (it.segments < 2) {
        VirtioNetHeader.writeNone(it.buf, 0);
        continue;
      }
      TcpHeaders.setIpLength(it.buf, H, it.v6, it.ipHeaderLen, it.len);
      long pseudo = TcpHeaders.pseudoHeader(it.buf, H, it.v6, it.len - it.ipHeaderLen);
      TcpHeaders.put16(
          it.buf, H + it.ipHeaderLen + TcpHeaders.CHECKSUM, InternetChecksum.fold(pseudo));
      new VirtioNetHeader(
              VirtioNetHeader.NEEDS_CSUM,
              it.v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
              it.ipHeaderLen + it.tcpHeaderLen,
              it.mss,
              it.ipHeaderLen,
              TcpHeaders.CHECKSUM)
          .write(it.buf, 0);
    }
    return count;
  }

  /** Item {@code i}'s buffer: a virtio header at 0, then the packet (after {@link #prepare}). */
  public byte[] buffer(int i) {
    return items[i].buf;
  }

  /** Bytes of item {@code i} to write, header included. */
  public int length(int i) {
    return H + items[i].len;
  }

  /** Forgets all items (buffers are kept for reuse). */
  public void clear() {
    count = 0;
  }

  private void start(Item it, byte[] p, int off, int len, int ipHeaderLen) {
    System.arraycopy(p, off, it.buf, H, len);
    it.len = len;
    it.segments = 1;
    it.open = ipHeaderLen > 0;
    if (!it.open) {
      return;
    }
    it.v6 = ipHeaderLen == IPV6_HEADER;
    it.ipHeaderLen = ipHeaderLen;
    int tcp = off + ipHeaderLen;
    it.tcpHeaderLen = TcpHeaders.tcpHeaderLength(p, tcp);
    it.mss = len - ipHeaderLen - it.tcpHeaderLen;
    it.nextSeq = u32(p, tcp + SEQ) + it.mss;
    it.open = (p[tcp + FLAGS] & PSH) == 0;
  }

  private void append(Item it, byte[] p, int off, int len) {
    int headers = it.ipHeaderLen + it.tcpHeaderLen;
    int payload = len - headers;
    System.arraycopy(p, off + headers, it.buf, H + it.len, payload);
    it.len += payload;
    it.segments++;
    it.nextSeq += payload;
    merged++;
    int flags = p[off + it.ipHeaderLen + FLAGS] & PSH;
    if (flags != 0) {
      it.buf[H + it.ipHeaderLen + FLAGS] |= (byte) PSH;
    }
    if (flags != 0 || payload < it.mss || it.segments == MAX_SEGMENTS) {
      it.open = false;
    }
  }

  private static boolean sameFlow(Item it, byte[] p, int off) {
    int src = TcpHeaders.srcOffset(it.v6);
    int addrs = 2 * TcpHeaders.addrLength(it.v6);
    return Arrays.equals(it.buf, H + src, H + src + addrs, p, off + src, off + src + addrs)
        && Arrays.equals(
            it.buf,
            H + it.ipHeaderLen,
            H + it.ipHeaderLen + 4,
            p,
            off + it.ipHeaderLen,
            off + it.ipHeaderLen + 4);
  }

  private static boolean canAppend(Item it, byte[] p, int off, int len) {
    byte[] b = it.buf;
    int ipSame =
        it.v6
            ? Arrays.compare(b, H, H + 4, p, off, off + 4) | (b[H + 7] ^ p[off + 7])
            : (b[H + 1] ^ p[off + 1]) | (b[H + 6] ^ p[off + 6]) | (b[H + 8] ^ p[off + 8]);
    if (ipSame != 0) {
      return false;
    }
    int tcpB = H + it.ipHeaderLen;
    int tcpP = off + it.ipHeaderLen;
    int payload = len - it.ipHeaderLen - it.tcpHeaderLen;
    return TcpHeaders.tcpHeaderLength(p, tcpP) == it.tcpHeaderLen
        && u32(p, tcpP + SEQ) == it.nextSeq
        && payload <= it.mss
        && it.len + payload <= MAX_PACKET
        && Arrays.equals(
            b,
            tcpB + ACK_NUMBER,
            tcpB + ACK_NUMBER + 4,
            p,
            tcpP + ACK_NUMBER,
            tcpP + ACK_NUMBER + 4)
        && Arrays.equals(
            b,
            tcpB + TCP_MIN_HEADER,
            tcpB + it.tcpHeaderLen,
            p,
            tcpP + TCP_MIN_HEADER,
            tcpP + it.tcpHeaderLen);
  }

  /**
   * The IP header length if {@code p} is a TCP segment that may merge (IPv4 without options or
   * fragmentation, IPv6 without extension headers; ACK or ACK|PSH; payload; valid checksum), else
   * -1.
   */
  static int candidateIpHeader(byte[] p, int off, int len) {
    int ipHeaderLen = tcpIpHeader(p, off, len);
    if (ipHeaderLen < 0) {
      return -1;
    }
    if (ipHeaderLen == IPV4_MIN_HEADER && (u16(p, off + 6) & 0x3fff) != 0) {
      return -1; // fragment
    }
    int tcp = off + ipHeaderLen;
    int tcpHeaderLen = TcpHeaders.tcpHeaderLength(p, tcp);
    int flags = p[tcp + FLAGS] & 0xff;
    boolean v6 = ipHeaderLen == IPV6_HEADER;
    if (tcpHeaderLen < TCP_MIN_HEADER
        || ipHeaderLen + tcpHeaderLen >= len
        || (flags != ACK && flags != (ACK | PSH))
        || !TcpHeaders.tcpChecksumValid(p, off, v6, ipHeaderLen, len)) {
      return -1;
    }
    return ipHeaderLen;
  }

  /**
   * The IP header length of a TCP packet whose length field matches {@code len} and whose header
   * has the fixed size (20 or 40), else -1.
   */
  private static int tcpIpHeader(byte[] p, int off, int len) {
    if (len < IPV4_MIN_HEADER + TCP_MIN_HEADER) {
      return -1;
    }
    int version = (p[off] & 0xff) >>> 4;
    if (version == 4 && (p[off] & 0x0f) == 5 && p[off + 9] == PROTO_TCP && u16(p, off + 2) == len) {
      return IPV4_MIN_HEADER;
    }
    if (version == 6
        && len >= IPV6_HEADER + TCP_MIN_HEADER
        && p[off + 6] == PROTO_TCP
        && u16(p, off + 4) + IPV6_HEADER == len) {
      return IPV6_HEADER;
    }
    return -1;
  }

  /** A packet that will not merge closes its flow's open item, so it is not overtaken. */
  private void closeFlowOf(byte[] p, int off, int len) {
    int ipHeaderLen = tcpIpHeader(p, off, len);
    if (ipHeaderLen < 0) {
      return;
    }
    boolean v6 = ipHeaderLen == IPV6_HEADER;
    for (int i = count - 1; i >= 0; i--) {
      Item it = items[i];
      if (it.open && it.v6 == v6 && sameFlow(it, p, off)) {
        it.open = false;
        return;
      }
    }
  }
}
