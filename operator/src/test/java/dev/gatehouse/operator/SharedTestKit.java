package dev.gatehouse.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;

/**
 * Opens this package's test fixtures ({@link RealApiServer}, {@link OperatorScenarios}) to tests in
 * other packages, such as {@code dev.gatehouse.operator.cluster}. Only delegates.
 */
public final class SharedTestKit {
  private SharedTestKit() {}

  /** A real kube-apiserver and etcd (kube-api-test, no controller-manager); close it when done. */
  public static final class ApiServer implements AutoCloseable {
    private final RealApiServer server;

    private ApiServer(RealApiServer server) {
      this.server = server;
    }

    /** Starts one; missing binaries are an error naming {@code e2e/kube/build-binaries.sh}. */
    public static ApiServer start() {
      return new ApiServer(RealApiServer.start());
    }

    /** A client with the admin's (system:masters) rights. */
    public KubernetesClient client() {
      return server.client();
    }

    /** An admin kubeconfig for this server, for tools such as Helm. */
    public String kubeConfigYaml() {
      return server.kubeConfigYaml();
    }

    public void installCrds() throws IOException {
      server.installCrds();
    }

    public void createNamespace(String name) {
      server.createNamespace(name);
    }

    @Override
    public void close() {
      server.close();
    }
  }

  /**
   * The operator's behaviour, checked through {@code client} (which needs rights to create the CRs
   * and Services the scenarios use, and to fake Deployment status): see {@link OperatorScenarios}.
   * Each scenario wants a namespace of its own.
   */
  public static final class Scenarios {
    private final OperatorScenarios scenarios;

    public Scenarios(KubernetesClient client) {
      this.scenarios = new OperatorScenarios(client, true);
    }

    public void gatewayCreatesItsObjects(String ns) {
      scenarios.gatewayCreatesItsObjects(ns);
    }

    public void gatewayAdvertisesItsServiceAddresses(String ns) {
      scenarios.gatewayAdvertisesItsServiceAddresses(ns);
    }

    public void statusFollowsDeploymentAndSpecChangesRollOut(String ns) {
      scenarios.statusFollowsDeploymentAndSpecChangesRollOut(ns);
    }

    public void resourceResolvesServiceRef(String ns) {
      scenarios.resourceResolvesServiceRef(ns);
    }

    public void invalidResourceIsReported(String ns) {
      scenarios.invalidResourceIsReported(ns);
    }

    public void policyFollowsItsResource(String ns) {
      scenarios.policyFollowsItsResource(ns);
    }

    public void aLabelledServiceBecomesAResource(String ns) {
      scenarios.aLabelledServiceBecomesAResource(ns);
    }
  }

  /**
   * Creates and starts an operator. A start the API server cuts short (an informer's first list or
   * watch on a connection it closes, as a freshly started kube-apiserver sometimes does) is tried
   * again with a new operator, up to three times; any other failure is thrown at once.
   */
  public static io.javaoperatorsdk.operator.Operator startOperator(
      java.util.function.Supplier<io.javaoperatorsdk.operator.Operator> create) {
    io.javaoperatorsdk.operator.OperatorException last = null;
    for (int attempt = 0; attempt < 3; attempt++) {
      io.javaoperatorsdk.operator.Operator operator = create.get();
      try {
        operator.start();
        return operator;
      } catch (io.javaoperatorsdk.operator.OperatorException e) {
        last = e;
        try {
          operator.stop();
        } catch (RuntimeException ignored) {
          // it never fully started
        }
        try {
          Thread.sleep(1_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
    throw last;
  }
}
