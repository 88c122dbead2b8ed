package dev.gatehouse.tunnel.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the gateway's, the client's and the runner's socket setting accepts and binds. */
class UdpSocketKindTest {

  @Test
  void valuesParseIgnoringCaseAndBlanksAndOthersDoNot() {
    assertThat(UdpSocketKind.parse(" Linux ")).contains(UdpSocketKind.LINUX);
    assertThat(UdpSocketKind.parse("NETTY")).contains(UdpSocketKind.NETTY);
    assertThat(UdpSocketKind.parse("io_uring")).isEmpty();
    assertThat(UdpSocketKind.parse("")).isEmpty();
    assertThat(UdpSocketKind.choices()).isEqualTo("linux or netty");
  }

  @ParameterizedTest
  @EnumSource(UdpSocketKind.class)
  void eachKindBindsASocketThatCarriesDatagrams(UdpSocketKind kind) throws Exception {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    CountDownLatch got = new CountDownLatch(1);
    try (DatagramTransport rx = kind.bind(loopback);
        DatagramTransport tx = kind.bind(loopback)) {
      assertThat(rx)
          .isInstanceOf(
              kind == UdpSocketKind.LINUX ? LinuxUdpTransport.class : NettyUdpTransport.class);
      rx.start(
          (datagram, sender) -> {
            if (datagram.remaining() == 3 && sender.getPort() == tx.localAddress().getPort()) {
              got.countDown();
            }
          });
      tx.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), rx.localAddress());
      tx.flush();
      assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}
