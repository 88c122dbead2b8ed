package dev.gatehouse.tunnel.net;

/**
 * What a UDP socket counts of the kernel pushing back, for metrics: sends that met a full socket
 * buffer and waited, datagrams lost in either direction before the network or the tunnel saw them,
 * and whether the kernel still takes GSO batches. {@link LinuxUdpTransport} keeps these; Netty's
 * socket does not.
 */
public interface UdpSocketCounters {
  /** Sends (a datagram, or a GSO batch of them) that met a full socket buffer and were queued. */
  long queuedSends();

  /** Datagrams not sent: unroutable, refused, or beyond the queue behind a full socket. */
  long droppedSends();

  /** Datagrams received but not delivered: truncated, of an unknown family, or thrown on. */
  long droppedReceives();

  /** Whether sends leave as UDP GSO batches (false once the kernel refused one, for good). */
  boolean segmentsSends();
}
