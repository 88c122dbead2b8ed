package dev.gatehouse.operator.sync;

/** The control plane could not be written; the reconciler retries and reports it in status. */
public class ControlPlaneException extends RuntimeException {
  public ControlPlaneException(String message, Throwable cause) {
    super(message, cause);
  }
}
