package dev.gatehouse.operator.status;

import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * The one place where exceptions become a condition reason and a message a person can act on.
 * Reconcilers hand every failure here from {@code updateErrorStatus}; nothing else logs and
 * rethrows.
 */
public final class Failures {
  private Failures() {}

  /** A failure as it appears in a condition and an Event. */
  public record Failure(String reason, String message) {}

  public static Failure describe(Throwable error) {
    Throwable cause = rootCause(error);
    if (cause instanceof KubernetesClientException k) {
      String what =
          k.getStatus() != null && k.getStatus().getMessage() != null
              ? k.getStatus().getMessage()
              : String.valueOf(k.getMessage());
      return switch (k.getCode()) {
        case 403 -> new Failure("Forbidden", "the operator lacks a permission: " + what);
        case 409 -> new Failure("Conflict", "an object changed concurrently, retrying: " + what);
        case 422 -> new Failure("Invalid", "the API server refused an object: " + what);
        default -> new Failure("KubernetesApiError", "Kubernetes API call failed: " + what);
      };
    }
    if (error instanceof dev.gatehouse.operator.sync.ControlPlaneException
        || cause instanceof java.sql.SQLException) {
      return new Failure(
          "ControlPlaneUnavailable",
          "could not write to the control-plane database, retrying: " + cause.getMessage());
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new Failure("ReconcileError", message);
  }

  private static Throwable rootCause(Throwable error) {
    Throwable current = error;
    while (current.getCause() != null && current.getCause() != current) {
      if (current instanceof KubernetesClientException) {
        return current;
      }
      current = current.getCause();
    }
    return current;
  }
}
