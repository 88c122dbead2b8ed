package dev.gatehouse.tunnel.packet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** TSO super-packets become valid MTU-sized segments that carry the same bytes in order. */
class GsoSegmenterTest {
  private final GsoSegmenter segmenter = new GsoSegmenter();

  @Property(tries = 300)
  void segmentsAreValidAndPreservePayload(
      @ForAll boolean v6,
      @ForAll @Size(min = 1, max = 60000) byte[] payload,
      @ForAll @IntRange(min = 536, max = 1460) int mss,
      @ForAll @IntRange(min = 0, max = 10) int optionWords,
      @ForAll boolean psh,
      @ForAll boolean fin,
      @ForAll int seq) {
    int flags = TcpHeaders.ACK | (psh ? TcpHeaders.PSH : 0) | (fin ? TcpHeaders.FIN : 0);
    int options = optionWords * 4;
    byte[] in = TcpSegments.superPacket(v6, seq, flags, options, payload);

    int n = segmenter.segment(in, 0, in.length, TcpSegments.tso(v6, options, mss));

    assertThat(n).isEqualTo((payload.length + mss - 1) / mss);
    int ipH = v6 ? 40 : 20;
    int headers = ipH + 20 + options;
    byte[] out = segmenter.buffer();
    ByteArrayOutputStream joined = new ByteArrayOutputStream();
    for (int i = 0; i < n; i++) {
      int off = segmenter.offset(i);
      int len = segmenter.length(i);
      assertThat(len - headers).isBetween(1, mss);
      assertThat(TcpHeaders.tcpChecksumValid(out, off, v6, ipH, len)).isTrue();
      if (v6) {
        assertThat(TcpHeaders.u16(out, off + 4)).isEqualTo(len - 40);
      } else {
        assertThat(TcpSegments.ipv4HeaderValid(out, off)).isTrue();
        assertThat(TcpHeaders.u16(out, off + 2)).isEqualTo(len);
        assertThat(TcpHeaders.u16(out, off + 4)).isEqualTo((7 + i) & 0xffff);
      }
      assertThat(TcpHeaders.u32(out, off + ipH + 4)).isEqualTo(seq + i * mss);
      int f = out[off + ipH + 13] & 0xff;
      boolean last = i == n - 1;
      assertThat((f & TcpHeaders.PSH) != 0).isEqualTo(psh && last);
      assertThat((f & TcpHeaders.FIN) != 0).isEqualTo(fin && last);
      joined.write(out, off + headers, len - headers);
    }
    assertThat(joined.toByteArray()).isEqualTo(payload);
  }

  /** What the TUN device does: prepare once, then build each segment in the caller's buffer. */
  @Property(tries = 100)
  void emittingIntoCallerBuffersGivesTheSameSegments(
      @ForAll boolean v6,
      @ForAll @Size(min = 1, max = 60000) byte[] payload,
      @ForAll @IntRange(min = 536, max = 1460) int mss,
      @ForAll @IntRange(min = 0, max = 31) int at) {
    byte[] in = TcpSegments.superPacket(v6, 77, TcpHeaders.ACK | TcpHeaders.PSH, 12, payload);
    VirtioNetHeader h = TcpSegments.tso(v6, 12, mss);
    GsoSegmenter reference = new GsoSegmenter();
    int n = reference.segment(in, 0, in.length, h);

    assertThat(segmenter.prepare(in, 0, in.length, h)).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      byte[] dst = new byte[at + segmenter.length(i)];
      assertThat(segmenter.emit(i, dst, at)).isEqualTo(reference.length(i));
      int off = reference.offset(i);
      assertThat(Arrays.copyOfRange(dst, at, dst.length))
          .isEqualTo(Arrays.copyOfRange(reference.buffer(), off, off + reference.length(i)));
    }
    assertThatThrownBy(() -> segmenter.emit(n, new byte[65536], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void emitsNothingAfterMalformedInput() {
    byte[] in = TcpSegments.superPacket(false, 1, TcpHeaders.ACK, 0, new byte[100]);
    VirtioNetHeader bad = new VirtioNetHeader(0, VirtioNetHeader.GSO_TCPV4, 20, 0, 20, 3);

    assertThat(segmenter.prepare(in, 0, in.length, bad)).isEqualTo(-1);
    assertThatThrownBy(() -> segmenter.emit(0, new byte[2000], 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void completesAPartialChecksumWithoutSegmenting() {
    byte[] in = TcpSegments.superPacket(false, 1, TcpHeaders.ACK, 0, new byte[] {1, 2, 3});
    VirtioNetHeader h = new VirtioNetHeader(VirtioNetHeader.NEEDS_CSUM, 0, 0, 0, 20, 16);

    assertThat(segmenter.segment(in, 0, in.length, h)).isEqualTo(1);

    byte[] out = Arrays.copyOf(segmenter.buffer(), segmenter.length(0));
    assertThat(out)
        .isEqualTo(TcpSegments.packet(false, 1, TcpHeaders.ACK, 0, new byte[] {1, 2, 3}, 7));
  }

  @Test
  void passesACompletePacketThrough() {
    byte[] in = TcpSegments.packet(true, 9, TcpHeaders.ACK, 0, new byte[] {4, 5}, 0);

    assertThat(segmenter.segment(in, 0, in.length, VirtioNetHeader.NONE)).isEqualTo(1);
    assertThat(Arrays.copyOf(segmenter.buffer(), segmenter.length(0))).isEqualTo(in);
  }

  @Test
  void rejectsInconsistentHeaders() {
    byte[] v4 = TcpSegments.superPacket(false, 1, TcpHeaders.ACK, 0, new byte[3000]);
    assertThat(segmenter.segment(v4, 0, v4.length, TcpSegments.tso(true, 0, 1000))).isEqualTo(-1);
    assertThat(segmenter.segment(v4, 0, v4.length, TcpSegments.tso(false, 0, 0))).isEqualTo(-1);
    assertThat(segmenter.segment(v4, 0, v4.length, TcpSegments.tso(false, 0, 10))).isEqualTo(-1);
    VirtioNetHeader udp = new VirtioNetHeader(1, 3, 28, 1000, 20, 6);
    assertThat(segmenter.segment(v4, 0, v4.length, udp)).isEqualTo(-1);
    VirtioNetHeader pastEnd = new VirtioNetHeader(1, 0, 0, 0, 20, 9000);
    assertThat(segmenter.segment(v4, 0, v4.length, pastEnd)).isEqualTo(-1);
  }

  @Property(tries = 2000)
  void hostileInputNeverThrows(
      @ForAll @Size(max = 2000) byte[] bytes,
      @ForAll @IntRange(min = 0, max = 255) int flags,
      @ForAll @IntRange(min = 0, max = 255) int gsoType,
      @ForAll @IntRange(min = 0, max = 65535) int hdrLen,
      @ForAll @IntRange(min = 0, max = 65535) int gsoSize,
      @ForAll @IntRange(min = 0, max = 65535) int csumStart,
      @ForAll @IntRange(min = 0, max = 65535) int csumOffset) {
    VirtioNetHeader h = new VirtioNetHeader(flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
    int n = segmenter.segment(bytes, 0, bytes.length, h);
    assertThat(n).isBetween(-1, GsoSegmenter.MAX_SEGMENTS);
  }
}
