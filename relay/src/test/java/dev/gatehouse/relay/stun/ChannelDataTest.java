package dev.gatehouse.relay.stun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.stun.ChannelData.Frame;
import dev.gatehouse.relay.stun.ChannelData.Reason;
import dev.gatehouse.relay.stun.ChannelData.Rejected;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ChannelDataTest {

  @Test
  void framesArePaddedToFourBytesWhenAsked() {
    byte[] data = {1, 2, 3, 4, 5};
    byte[] padded = ChannelData.encode(0x4001, data, 0, 5, true);
    assertThat(padded).hasSize(12);
    assertThat(Arrays.copyOf(padded, 4)).containsExactly(0x40, 0x01, 0x00, 0x05);
    byte[] unpadded = ChannelData.encode(0x4001, data, 0, 5, false);
    assertThat(unpadded).hasSize(9);
    for (byte[] frame : new byte[][] {padded, unpadded}) {
      Frame f = (Frame) ChannelData.parse(frame, 0, frame.length);
      assertThat(f.channel()).isEqualTo(0x4001);
      assertThat(Arrays.copyOfRange(frame, f.dataOffset(), f.dataOffset() + f.dataLength()))
          .isEqualTo(data);
    }
  }

  @Test
  void emptyDataIsAFrame() {
    byte[] frame = ChannelData.encode(0x4FFF, new byte[0], 0, 0, true);
    assertThat(ChannelData.parse(frame, 0, frame.length)).isEqualTo(new Frame(0x4FFF, 4, 0));
  }

  @Test
  void demultiplexesByTheFirstTwoBits() {
    assertThat(ChannelData.looksLikeChannelData((byte) 0x40)).isTrue();
    assertThat(ChannelData.looksLikeChannelData((byte) 0x7f)).isTrue();
    assertThat(ChannelData.looksLikeChannelData((byte) 0x00)).isFalse(); // STUN
    assertThat(ChannelData.looksLikeChannelData((byte) 0x80)).isFalse(); // RTP
    assertThat(ChannelData.looksLikeChannelData((byte) 0x16)).isFalse(); // DTLS
  }

  @Test
  void rejectsWhatIsNotAFrame() {
    assertThat(ChannelData.parse(new byte[] {0x40, 0}, 0, 2))
        .isEqualTo(new Rejected(Reason.TOO_SHORT));
    assertThat(ChannelData.parse(new byte[] {0x00, 1, 0, 0}, 0, 4))
        .isEqualTo(new Rejected(Reason.NOT_CHANNEL_DATA));
    assertThat(ChannelData.parse(new byte[] {0x40, 1, 0, 5, 1, 2}, 0, 6))
        .isEqualTo(new Rejected(Reason.TRUNCATED));
    assertThat(ChannelData.parse(new byte[] {0x40, 1, 0, 0, 0, 0, 0, 0}, 0, 8))
        .isEqualTo(new Rejected(Reason.TRAILING_BYTES));
    assertThat(ChannelData.parse(new byte[4], 2, 4)).isEqualTo(new Rejected(Reason.OUT_OF_BOUNDS));
  }
}
