package dev.gatehouse.tunnel.packet;

/**
 * The {@code struct virtio_net_hdr} that precedes every packet on a TUN descriptor opened with
 * {@code IFF_VNET_HDR} (10 bytes, little-endian as on the x86-64 and arm64 hosts this runs on). It
 * tells which offloads a packet still needs: a checksum to complete ({@link #NEEDS_CSUM} at {@code
 * csumStart + csumOffset}) and, for a TSO/GSO super-packet, how to cut it into segments of {@code
 * gsoSize} payload bytes.
 *
 * @param flags {@link #NEEDS_CSUM} or 0
 * @param gsoType {@link #GSO_NONE}, {@link #GSO_TCPV4}, {@link #GSO_TCPV6} (possibly or-ed with
 *     {@link #GSO_ECN}), or a type this tunnel does not enable
 * @param hdrLen length of the IP and transport headers (a hint; recomputed where it matters)
 * @param gsoSize payload bytes per segment (the MSS for TCP)
 * @param csumStart offset of the transport header, where checksumming starts
 * @param csumOffset offset of the checksum field from {@code csumStart} (16 for TCP)
 */
public record VirtioNetHeader(
    int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
  /** Bytes on the wire. */
  public static final int SIZE = 10;

  /** {@code VIRTIO_NET_HDR_F_NEEDS_CSUM}: the checksum at csumStart+csumOffset is partial. */
  public static final int NEEDS_CSUM = 1;

  public static final int GSO_NONE = 0;
  public static final int GSO_TCPV4 = 1;
  public static final int GSO_TCPV6 = 4;
  public static final int GSO_ECN = 0x80;

  /** A header asking for nothing: the packet is complete. */
  public static final VirtioNetHeader NONE = new VirtioNetHeader(0, GSO_NONE, 0, 0, 0, 0);

  /** Reads a header from {@code b[off, off+SIZE)}. */
  public static VirtioNetHeader read(byte[] b, int off) {
    return new VirtioNetHeader(
        b[off] & 0xff,
        b[off + 1] & 0xff,
        le16(b, off + 2),
        le16(b, off + 4),
        le16(b, off + 6),
        le16(b, off + 8));
  }

  /** Writes this header to {@code b[off, off+SIZE)}. */
  public void write(byte[] b, int off) {
    b[off] = (byte) flags;
    b[off + 1] = (byte) gsoType;
    putLe16(b, off + 2, hdrLen);
    putLe16(b, off + 4, gsoSize);
    putLe16(b, off + 6, csumStart);
    putLe16(b, off + 8, csumOffset);
  }

  /** Writes {@link #NONE} without allocating. */
  public static void writeNone(byte[] b, int off) {
    java.util.Arrays.fill(b, off, off + SIZE, (byte) 0);
  }

  private static int le16(byte[] b, int i) {
    return (b[i] & 0xff) | ((b[i + 1] & 0xff) << 8);
  }

  private static void putLe16(byte[] b, int i, int v) {
    b[i] = (byte) v;
    b[i + 1] = (byte) (v >>> 8);
  }
}
