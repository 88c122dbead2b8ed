package dev.gatehouse.controlplane.pgoutput;

/**
 * Thrown by {@link PgOutputDecoder} when bytes are not a well-formed pgoutput message: unknown
 * message type, truncated input, negative or oversized counts, invalid UTF-8, or trailing bytes. It
 * is the only exception the decoder throws for bad input.
 */
public final class PgOutputFormatException extends RuntimeException {

  public PgOutputFormatException(String message) {
    super(message);
  }
}
