package dev.gatehouse.protocol;

/**
 * Protocol versions. An envelope carries the version it was written in ({@code v}); a decoder
 * accepts versions from {@link #MINIMUM} to {@link #CURRENT}. Adding an optional field or a new
 * event keeps the version; removing or changing the meaning of a field bumps it.
 */
public final class ProtocolVersion {

  /** The version this code writes. */
  public static final int CURRENT = 1;

  /** The oldest version this code still reads. */
  public static final int MINIMUM = 1;

  private ProtocolVersion() {}

  public static boolean supported(int version) {
    return version >= MINIMUM && version <= CURRENT;
  }
}
