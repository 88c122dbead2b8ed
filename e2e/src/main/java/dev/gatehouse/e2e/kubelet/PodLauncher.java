package dev.gatehouse.e2e.kubelet;

import java.util.Map;

/**
 * Starts the process of a pod's container somewhere (a network namespace, or nowhere in tests).
 * Implementations may block while starting; {@link Running#ready()} may block briefly on a probe.
 */
public interface PodLauncher {
  /** What a launcher needs to run one container. */
  record Launch(String podKey, String ip, String image, Map<String, String> environment) {}

  /** The address the next pod will get, reserved before its environment is resolved. */
  default String reserveIp() {
    return "127.0.0.1";
  }

  /** A started container. */
  interface Running {
    /** The pod's IP address, as the kubelet would report it. */
    String podIp();

    /** Whether the container's readiness probe passes now. */
    boolean ready();

    /** Whether the process still runs. */
    boolean alive();

    /** Kills the process as a crash would (SIGKILL), leaving the rest to {@link #stop()}. */
    default void kill() {
      throw new UnsupportedOperationException("kill");
    }

    /** The network namespace the container runs in, if it has one of its own. */
    default String namespace() {
      return null;
    }

    /** Stops the process and removes what was created for it. */
    void stop();
  }

  Running launch(Launch launch) throws Exception;
}
