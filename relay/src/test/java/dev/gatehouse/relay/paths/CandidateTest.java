package dev.gatehouse.relay.paths;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class CandidateTest {

  @Test
  void aRelayCandidateRoundTripsThroughItsLine() {
    Candidate c = Candidate.relay(new InetSocketAddress("172.31.21.2", 50123));
    assertThat(c.line()).isEqualTo("candidate:R 1 udp 16777215 172.31.21.2 50123 typ relay");
    assertThat(Candidate.parse(c.line())).contains(c);
  }

  @Test
  void ipv6AndOtherTypesParse() {
    assertThat(Candidate.parse("candidate:1 1 UDP 2130706431 fd00::1 51820 typ host"))
        .contains(new Candidate(Candidate.Type.HOST, new InetSocketAddress("fd00::1", 51820)));
  }

  @Test
  void whatThisSideCannotUseIsIgnored() {
    assertThat(Candidate.parse("candidate:1 1 tcp 1 10.0.0.1 80 typ host")).isEmpty();
    assertThat(Candidate.parse("candidate:1 1 udp 1 relay.example.com 3478 typ relay"))
        .as("names are never resolved")
        .isEmpty();
    assertThat(Candidate.parse("candidate:1 1 udp 1 10.0.0.1 0 typ relay")).isEmpty();
    assertThat(Candidate.parse("candidate:1 1 udp 1 10.0.0.1 99999 typ relay")).isEmpty();
    assertThat(Candidate.parse("candidate:1 1 udp 1 10.0.0.1 3478 typ prflx")).isEmpty();
    assertThat(Candidate.parse("10.0.0.1:51820")).isEmpty();
    assertThat(Candidate.parse("")).isEmpty();
  }
}
