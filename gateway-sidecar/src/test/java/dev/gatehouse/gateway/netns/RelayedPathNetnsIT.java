package dev.gatehouse.gateway.netns;

import java.io.IOException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RelayedPathScenarios} as a client and gateway of this version run them: the gateway
 * permits the client's reflexive address, and the client sends straight to the gateway's relayed
 * address (one crossing of the relay).
 */
class RelayedPathNetnsIT extends RelayedPathScenarios {
  @BeforeAll
  static void start() throws Exception {
    forwardClientCandidates = true;
    startEverything();
  }

  @AfterAll
  static void stop() throws IOException {
    stopEverything();
  }
}
