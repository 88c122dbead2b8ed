package dev.gatehouse.controlplane.cache;

import java.nio.ByteBuffer;
import java.util.UUID;

/** Conversions between {@link UUID} and its 16 bytes (as two longs or a byte array). */
public final class Uuids {

  private Uuids() {}

  public static byte[] toBytes(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  public static UUID fromBytes(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    return new UUID(b.getLong(), b.getLong());
  }
}
