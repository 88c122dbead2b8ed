package dev.gatehouse.controlplane.cdc;

/** A replication session failed or could not be opened; the consumer reconnects with backoff. */
public final class ReplicationException extends Exception {

  public ReplicationException(String message, Throwable cause) {
    super(message, cause);
  }

  public ReplicationException(String message) {
    super(message);
  }
}
