package dev.gatehouse.operator.resource;

import java.util.Arrays;

/** Strict IPv4/IPv6 text parsing without DNS lookups (unlike {@code InetAddress.getByName}). */
final class IpText {
  private IpText() {}

  /** 4 or 16 bytes; throws {@link IllegalArgumentException} naming the bad text. */
  static byte[] parse(String text) {
    return text.contains(":") ? parseV6(text) : parseV4(text);
  }

  private static byte[] parseV4(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      throw bad(text, "an IPv4 address has four dot-separated numbers");
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String part = parts[i];
      if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
        throw bad(text, "'" + part + "' is not a number from 0 to 255");
      }
      if (part.length() > 1 && part.charAt(0) == '0') {
        throw bad(text, "'" + part + "' has a leading zero");
      }
      int value = Integer.parseInt(part);
      if (value > 255) {
        throw bad(text, value + " is above 255");
      }
      bytes[i] = (byte) value;
    }
    return bytes;
  }

  private static byte[] parseV6(String text) {
    String value = text;
    byte[] tail = new byte[0];
    int lastColon = value.lastIndexOf(':');
    if (value.indexOf('.', lastColon) > 0) {
      tail = parseV4(value.substring(lastColon + 1));
      value = value.substring(0, lastColon + 1) + "0:0";
    }
    int doubleColon = value.indexOf("::");
    if (doubleColon >= 0 && value.indexOf("::", doubleColon + 1) >= 0) {
      throw bad(text, "'::' may appear only once");
    }
    String head = doubleColon >= 0 ? value.substring(0, doubleColon) : value;
    String rest = doubleColon >= 0 ? value.substring(doubleColon + 2) : "";
    int[] headGroups = groups(text, head);
    int[] restGroups = groups(text, rest);
    int total = headGroups.length + restGroups.length;
    if ((doubleColon < 0 && total != 8) || (doubleColon >= 0 && total > 7)) {
      throw bad(text, "an IPv6 address has eight groups of hex digits ('::' abbreviates zeros)");
    }
    int[] all = new int[8];
    System.arraycopy(headGroups, 0, all, 0, headGroups.length);
    System.arraycopy(restGroups, 0, all, 8 - restGroups.length, restGroups.length);
    byte[] bytes = new byte[16];
    for (int i = 0; i < 8; i++) {
      bytes[2 * i] = (byte) (all[i] >> 8);
      bytes[2 * i + 1] = (byte) all[i];
    }
    if (tail.length == 4) {
      System.arraycopy(tail, 0, bytes, 12, 4);
    }
    return bytes;
  }

  private static int[] groups(String text, String part) {
    if (part.isEmpty()) {
      return new int[0];
    }
    String[] pieces = part.split(":", -1);
    int[] groups = new int[pieces.length];
    for (int i = 0; i < pieces.length; i++) {
      String piece = pieces[i];
      if (piece.isEmpty() || piece.length() > 4) {
        throw bad(text, "'" + piece + "' is not a group of 1-4 hex digits");
      }
      try {
        groups[i] = Integer.parseInt(piece, 16);
      } catch (NumberFormatException e) {
        throw bad(text, "'" + piece + "' is not hexadecimal");
      }
    }
    return groups;
  }

  /** The address with every bit past {@code prefix} cleared. */
  static byte[] mask(byte[] address, int prefix) {
    byte[] masked = Arrays.copyOf(address, address.length);
    for (int bit = prefix; bit < masked.length * 8; bit++) {
      masked[bit / 8] &= (byte) ~(0x80 >>> (bit % 8));
    }
    return masked;
  }

  /** Dotted decimal for IPv4; lowercase RFC 5952 form (longest zero run as '::') for IPv6. */
  static String format(byte[] bytes) {
    if (bytes.length == 4) {
      return (bytes[0] & 0xff)
          + "."
          + (bytes[1] & 0xff)
          + "."
          + (bytes[2] & 0xff)
          + "."
          + (bytes[3] & 0xff);
    }
    int[] groups = new int[8];
    for (int i = 0; i < 8; i++) {
      groups[i] = ((bytes[2 * i] & 0xff) << 8) | (bytes[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLength = 1;
    for (int i = 0; i < 8; ) {
      int j = i;
      while (j < 8 && groups[j] == 0) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = j == i ? i + 1 : j;
    }
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        text.append("::");
        i += bestLength - 1;
        continue;
      }
      if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
        text.append(':');
      }
      text.append(Integer.toHexString(groups[i]));
    }
    return text.toString();
  }

  private static IllegalArgumentException bad(String text, String why) {
    return new IllegalArgumentException("'" + text + "' is not a valid IP address: " + why);
  }
}
