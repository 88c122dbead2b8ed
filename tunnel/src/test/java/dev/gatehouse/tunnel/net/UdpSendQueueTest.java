package dev.gatehouse.tunnel.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/**
 * The queue's limit and its counts; draining into a real socket is {@code
 * LinuxUdpTransportNetnsIT}.
 */
class UdpSendQueueTest {
  private static final InetSocketAddress TO = new InetSocketAddress("127.0.0.1", 9);

  @Test
  void aBatchBeyondTheLimitIsDroppedAndCountedPerDatagram() {
    try (Arena arena = Arena.ofConfined()) {
      UdpSendQueue q = new UdpSendQueue(10_000, arena);
      MemorySegment data = arena.allocate(8_000);
      assertThat(q.isEmpty()).isTrue();
      assertThat(q.add(data, 8_000, 1_000, TO)).isTrue();
      assertThat(q.add(data, 2_500, 1_000, TO)).isFalse(); // 10,500 > 10,000: 3 datagrams lost
      assertThat(q.add(data, 2_000, 0, TO)).isTrue(); // one datagram, exactly at the limit
      assertThat(q.add(data, 1, 0, TO)).isFalse();
      assertThat(q.isEmpty()).isFalse();
      assertThat(q.queued()).isEqualTo(2);
      assertThat(q.dropped()).isEqualTo(4);
    }
  }

  @Test
  void datagramsRoundTheLastShortOneUp() {
    assertThat(UdpSendQueue.datagrams(3_000, 1_000)).isEqualTo(3);
    assertThat(UdpSendQueue.datagrams(3_001, 1_000)).isEqualTo(4);
    assertThat(UdpSendQueue.datagrams(1_400, 0)).isEqualTo(1);
    assertThat(UdpSendQueue.datagrams(0, 0)).isEqualTo(1);
  }
}
