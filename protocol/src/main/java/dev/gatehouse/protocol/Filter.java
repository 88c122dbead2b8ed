package dev.gatehouse.protocol;

/** One allowed port range of one protocol ({@code tcp}, {@code udp}, {@code icmp} with 0-0). */
public record Filter(String protocol, int portRangeStart, int portRangeEnd) {

  public Filter {
    Require.text(protocol, "protocol");
    if (portRangeStart < 0 || portRangeEnd > 65535 || portRangeEnd < portRangeStart) {
      throw new IllegalArgumentException(
          "port range " + portRangeStart + "-" + portRangeEnd + " is not within 0-65535");
    }
  }
}
