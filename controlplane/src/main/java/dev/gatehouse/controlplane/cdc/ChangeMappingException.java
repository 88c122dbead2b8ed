package dev.gatehouse.controlplane.cdc;

/**
 * A replicated row could not be turned into a {@link Change}: a value that does not parse, a
 * missing column, or a change for a relation that was never described. The consumer treats it as
 * fatal for the transaction: nothing after it is acknowledged, so no change is skipped silently.
 */
public final class ChangeMappingException extends RuntimeException {

  public ChangeMappingException(String message) {
    super(message);
  }
}
