package dev.gatehouse.gateway.netns;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RelayedPathScenarios} when the gateway never hears the client's candidates (an API node or
 * gateway that drops them): no handshake completes straight to the gateway's relayed address, so
 * after its grace the client crosses the relay through its own allocation, and everything else
 * works as before.
 */
class RelayedPathOwnAllocationNetnsIT extends RelayedPathScenarios {
  @BeforeAll
  static void start() throws Exception {
    forwardClientCandidates = false;
    startEverything();
  }

  @AfterAll
  static void stop() throws IOException {
    stopEverything();
    forwardClientCandidates = true;
  }
}
