package dev.gatehouse.tunnel.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bursts of datagrams arrive whole and in order, batched (recvmmsg, GRO, GSO) or not. */
class NettyUdpTransportTest {

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void burstsFromAnotherThreadArriveIntactAndInOrder(boolean batching) throws Exception {
    int count = 300;
    List<byte[]> received = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(count);
    try (NettyUdpTransport rx = NettyUdpTransport.bind(loopback(), batching);
        NettyUdpTransport tx = NettyUdpTransport.bind(loopback(), batching)) {
      rx.start(
          (datagram, sender) -> {
            byte[] b = new byte[datagram.remaining()];
            datagram.get(b);
            received.add(b);
            done.countDown();
          });
      for (int i = 0; i < count; i++) {
        // runs of equal sizes with a short one now and then, as a segmented TCP burst looks
        int size = i % 50 == 49 ? 300 + i : 1452;
        byte[] d = new byte[size];
        d[0] = (byte) i;
        d[size - 1] = (byte) (i * 7);
        tx.send(ByteBuffer.wrap(d), rx.localAddress());
        if (i % 40 == 39) {
          tx.flush();
          Thread.sleep(5); // let the receiver keep up: loopback UDP drops when its buffer fills
        }
      }
      tx.flush();

      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }
    for (int i = 0; i < count; i++) {
      byte[] d = received.get(i);
      assertThat(d.length).isEqualTo(i % 50 == 49 ? 300 + i : 1452);
      assertThat(d[0]).isEqualTo((byte) i);
      assertThat(d[d.length - 1]).isEqualTo((byte) (i * 7));
    }
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress("127.0.0.1", 0);
  }
}
