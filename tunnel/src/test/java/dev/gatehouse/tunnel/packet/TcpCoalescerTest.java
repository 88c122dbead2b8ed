package dev.gatehouse.tunnel.packet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** In-order segments of a flow merge into one super-packet that segments back into themselves. */
class TcpCoalescerTest {
  private final TcpCoalescer coalescer = new TcpCoalescer(16);
  private final GsoSegmenter segmenter = new GsoSegmenter();

  @Property(tries = 300)
  void coalescedSegmentsSegmentBackIntoTheOriginals(
      @ForAll boolean v6,
      @ForAll @Size(min = 1, max = 30000) byte[] payload,
      @ForAll @IntRange(min = 536, max = 1380) int mss,
      @ForAll @IntRange(min = 0, max = 3) int optionWords,
      @ForAll boolean psh,
      @ForAll int seq) {
    coalescer.clear();
    int options = optionWords * 4;
    int flags = TcpHeaders.ACK | (psh ? TcpHeaders.PSH : 0);
    byte[] sup = TcpSegments.superPacket(v6, seq, flags, options, payload);
    int n = segmenter.segment(sup, 0, sup.length, TcpSegments.tso(v6, options, mss));
    byte[][] segments = new byte[n][];
    for (int i = 0; i < n; i++) {
      segments[i] = segmentCopy(i);
      assertThat(coalescer.add(segments[i], 0, segments[i].length)).isTrue();
    }

    assertThat(coalescer.prepare()).isEqualTo(1);

    byte[] item = coalescer.buffer(0);
    VirtioNetHeader h = VirtioNetHeader.read(item, 0);
    int m =
        segmenter.segment(
            item, VirtioNetHeader.SIZE, coalescer.length(0) - VirtioNetHeader.SIZE, h);
    assertThat(m).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      byte[] again = segmentCopy(i);
      if (!v6) { // the IPv4 ID of re-segmented packets counts up from the first one's
        assertThat(TcpHeaders.u16(again, 4)).isEqualTo((7 + i) & 0xffff);
      }
      assertThat(again).isEqualTo(segments[i]);
    }
  }

  @Test
  void singlePacketsPassThroughWithAnEmptyHeader() {
    byte[] p = TcpSegments.packet(false, 1, TcpHeaders.ACK, 0, new byte[100], 1);
    coalescer.add(p, 0, p.length);

    assertThat(coalescer.prepare()).isEqualTo(1);
    assertThat(VirtioNetHeader.read(coalescer.buffer(0), 0)).isEqualTo(VirtioNetHeader.NONE);
    assertThat(Arrays.copyOfRange(coalescer.buffer(0), 10, coalescer.length(0))).isEqualTo(p);
  }

  @Test
  void doesNotMergeAcrossGapsFlagsOrBadChecksums() {
    byte[] a = TcpSegments.packet(false, 1000, TcpHeaders.ACK, 0, new byte[100], 1);
    byte[] gap = TcpSegments.packet(false, 1200, TcpHeaders.ACK, 0, new byte[100], 2);
    byte[] syn = TcpSegments.packet(false, 1300, TcpHeaders.SYN, 0, new byte[0], 3);
    byte[] bad = TcpSegments.packet(false, 1300, TcpHeaders.ACK, 0, new byte[100], 4);
    bad[bad.length - 1] ^= 1;
    for (byte[] p : new byte[][] {a, gap, syn, bad}) {
      coalescer.add(p, 0, p.length);
    }

    assertThat(coalescer.prepare()).isEqualTo(4);
    assertThat(coalescer.mergedSegments()).isZero();
  }

  @Test
  void aNonMergeablePacketClosesItsFlowSoOrderIsKept() {
    byte[] a = TcpSegments.packet(false, 1000, TcpHeaders.ACK, 0, new byte[100], 1);
    byte[] fin =
        TcpSegments.packet(false, 1100, TcpHeaders.ACK | TcpHeaders.FIN, 0, new byte[0], 2);
    byte[] b = TcpSegments.packet(false, 1100, TcpHeaders.ACK, 0, new byte[100], 3);
    for (byte[] p : new byte[][] {a, fin, b}) {
      coalescer.add(p, 0, p.length);
    }

    assertThat(coalescer.prepare()).isEqualTo(3);
  }

  @Test
  void reportsFullAndReusesItemsAfterClear() {
    TcpCoalescer small = new TcpCoalescer(1);
    byte[] udp = TestPackets.v4("10.0.0.1", "10.0.0.2", 17, new byte[8]);

    assertThat(small.add(udp, 0, udp.length)).isTrue();
    assertThat(small.add(udp, 0, udp.length)).isFalse();
    small.clear();
    assertThat(small.add(udp, 0, udp.length)).isTrue();
    assertThat(small.size()).isEqualTo(1);
  }

  @Property(tries = 2000)
  void hostileInputNeverThrows(@ForAll @Size(max = 3) byte[][] packets) {
    coalescer.clear();
    for (byte[] p : packets) {
      if (!coalescer.add(p, 0, p.length)) {
        coalescer.clear();
      }
    }
    assertThat(coalescer.prepare()).isLessThanOrEqualTo(16);
  }

  private byte[] segmentCopy(int i) {
    int off = segmenter.offset(i);
    return Arrays.copyOfRange(segmenter.buffer(), off, off + segmenter.length(i));
  }
}
