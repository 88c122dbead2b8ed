package dev.gatehouse.controlplane.cache;

/**
 * A client or gateway version, {@code major.minor.patch}. Suffixes such as {@code -rc1} or build
 * metadata are ignored. Compares numerically (unlike Firezone's string sort of versions).
 */
public record Version(int major, int minor, int patch) implements Comparable<Version> {

  /** Used when a client or gateway never reported a parseable version. */
  public static final Version UNKNOWN = new Version(0, 0, 0);

  /** Parses {@code 1.4.2}, {@code 1.4} or {@code 1.4.2-rc1}; returns null when unparseable. */
  public static Version parse(String text) {
    if (text == null) {
      return null;
    }
    String core = text.strip();
    int cut = indexOfAny(core, "-+ ");
    if (cut >= 0) {
      core = core.substring(0, cut);
    }
    String[] parts = core.split("\\.", -1);
    if (parts.length < 2 || parts.length > 3) {
      return null;
    }
    try {
      int major = Integer.parseInt(parts[0]);
      int minor = Integer.parseInt(parts[1]);
      int patch = parts.length == 3 ? Integer.parseInt(parts[2]) : 0;
      if (major < 0 || minor < 0 || patch < 0) {
        return null;
      }
      return new Version(major, minor, patch);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** {@link #parse} or {@link #UNKNOWN}. */
  public static Version parseOrUnknown(String text) {
    Version v = parse(text);
    return v == null ? UNKNOWN : v;
  }

  private static int indexOfAny(String s, String chars) {
    for (int i = 0; i < s.length(); i++) {
      if (chars.indexOf(s.charAt(i)) >= 0) {
        return i;
      }
    }
    return -1;
  }

  public boolean atLeast(Version other) {
    return compareTo(other) >= 0;
  }

  @Override
  public int compareTo(Version o) {
    int c = Integer.compare(major, o.major);
    if (c == 0) {
      c = Integer.compare(minor, o.minor);
    }
    return c != 0 ? c : Integer.compare(patch, o.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
