package dev.gatehouse.client.core.dns;

import static dev.gatehouse.tunnel.packet.Checksums.putWord;
import static dev.gatehouse.tunnel.packet.Checksums.word;

import java.util.List;

/**
 * DNS messages as the client's stub resolver sees them (RFC 1035 §4.1): {@link #parseQuery} reads a
 * standard query with one question; {@link #respond} writes the answer to it. Everything else
 * (responses, other opcodes, several questions, compression in the question, truncated or oversized
 * input) is not a query the stub answers: {@link #parseQuery} returns null, never throws, and the
 * caller drops and counts it.
 */
public final class DnsMessage {

  private DnsMessage() {}

  public static final int TYPE_A = 1;
  public static final int TYPE_AAAA = 28;
  public static final int CLASS_IN = 1;
  public static final int RCODE_NOERROR = 0;
  public static final int RCODE_SERVFAIL = 2;
  public static final int RCODE_REFUSED = 5;

  static final int HEADER = 12;
  static final int MAX_NAME = 255;
  static final int MAX_LABEL = 63;

  /** Larger UDP payloads are not DNS queries a stub should see (RFC 6891 allows up to 4096). */
  public static final int MAX_QUERY = 4096;

  /**
   * A parsed query.
   *
   * @param name the question's name in lowercase, without the trailing dot; empty for the root;
   *     null when a label holds characters outside letters, digits, '-' and '_' (such a name never
   *     matches a resource, but the query can still be forwarded)
   * @param question the question as it was on the wire (name, type, class), copied into answers
   */
  public record Query(int id, int flags, String name, int type, int qclass, byte[] question) {}

  /** Reads a standard query with exactly one question from {@code b[off, off+len)}, or null. */
  public static Query parseQuery(byte[] b, int off, int len) {
    if (b == null || off < 0 || len < HEADER || len > MAX_QUERY || len > b.length - off) {
      return null;
    }
    int id = word(b, off);
    int flags = word(b, off + 2);
    boolean response = (flags & 0x8000) != 0;
    int opcode = (flags >>> 11) & 0xf;
    if (response || opcode != 0 || word(b, off + 4) != 1) {
      return null;
    }
    StringBuilder name = new StringBuilder();
    boolean plain = true;
    int p = off + HEADER;
    int end = off + len;
    int nameLength = 1;
    while (true) {
      if (p >= end) {
        return null;
      }
      int labelLength = b[p] & 0xff;
      if (labelLength == 0) {
        p++;
        break;
      }
      if (labelLength > MAX_LABEL) {
        return null; // a compression pointer (0xc0) or a reserved label type
      }
      nameLength += labelLength + 1;
      if (nameLength > MAX_NAME || p + 1 + labelLength > end) {
        return null;
      }
      if (!name.isEmpty()) {
        name.append('.');
      }
      for (int i = p + 1; i <= p + labelLength; i++) {
        char c = (char) (b[i] & 0xff);
        if (c >= 'A' && c <= 'Z') {
          c = (char) (c + ('a' - 'A'));
        }
        plain &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        name.append(c);
      }
      p += 1 + labelLength;
    }
    if (p + 4 > end) {
      return null;
    }
    int type = word(b, p);
    int qclass = word(b, p + 2);
    byte[] question = new byte[p + 4 - (off + HEADER)];
    System.arraycopy(b, off + HEADER, question, 0, question.length);
    return new Query(id, flags, plain ? name.toString() : null, type, qclass, question);
  }

  /**
   * The response to {@code query}: its id and question, QR and RA set, RD copied, the given
   * response code and one A record per address (4 bytes each, {@code ttl} seconds) pointing back at
   * the question's name.
   */
  public static byte[] respond(Query query, int rcode, List<byte[]> ipv4Answers, int ttl) {
    int answers = ipv4Answers.size();
    byte[] out = new byte[HEADER + query.question().length + answers * 16];
    putWord(out, 0, query.id());
    int flags = 0x8000 | (query.flags() & 0x0100) | 0x0080 | (rcode & 0xf);
    if (rcode == RCODE_NOERROR) {
      flags |= 0x0400; // authoritative: the stub owns the names of resources
    }
    putWord(out, 2, flags);
    putWord(out, 4, 1);
    putWord(out, 6, answers);
    System.arraycopy(query.question(), 0, out, HEADER, query.question().length);
    int p = HEADER + query.question().length;
    for (byte[] ip : ipv4Answers) {
      putWord(out, p, 0xc000 | HEADER); // the name: a pointer to the question's
      putWord(out, p + 2, TYPE_A);
      putWord(out, p + 4, CLASS_IN);
      putWord(out, p + 6, ttl >>> 16);
      putWord(out, p + 8, ttl & 0xffff);
      putWord(out, p + 10, 4);
      System.arraycopy(ip, 0, out, p + 12, 4);
      p += 16;
    }
    return out;
  }

  /** Whether {@code b[off, off+len)} looks like a response (header present, QR set). */
  public static boolean isResponse(byte[] b, int off, int len) {
    return b != null
        && len >= HEADER
        && off >= 0
        && len <= b.length - off
        && (b[off + 2] & 0x80) != 0;
  }
}
