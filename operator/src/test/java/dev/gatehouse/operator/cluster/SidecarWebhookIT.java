package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.inject.AdmissionHandler;
import dev.gatehouse.operator.inject.InjectionSettings;
import dev.gatehouse.operator.inject.SidecarInjector;
import dev.gatehouse.operator.inject.WebhookServer;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sidecar injection webhook as the chart registers it, called by a real kube-apiserver: the
 * chart's MutatingWebhookConfiguration (selectors, match conditions, failure policy) pointed at a
 * {@link WebhookServer} on loopback instead of the in-cluster Service. Pods are only stored (there
 * is no kubelet here); what the API server stored is what is checked.
 */
class SidecarWebhookIT {
  private static final String RELEASE_NS = "gatehouse-system";
  private static final String PLAIN_NS = "ci-plain";
  private static final String OPTED_IN_NS = "ci-injected";

  private static SharedTestKit.ApiServer apiServer;
  private static KubernetesClient admin;
  private static WebhookServer webhook;
  private static Path tls;

  @BeforeAll
  static void registerTheChartsWebhook() throws Exception {
    apiServer = SharedTestKit.ApiServer.start();
    admin = apiServer.client();
    for (String ns : List.of(RELEASE_NS, PLAIN_NS, OPTED_IN_NS)) {
      apiServer.createNamespace(ns);
      admin
          .serviceAccounts()
          .inNamespace(ns)
          .resource(
              new ServiceAccountBuilder()
                  .withNewMetadata()
                  .withName("default")
                  .endMetadata()
                  .build())
          .createOr(existing -> existing.update());
    }
    admin
        .namespaces()
        .withName(OPTED_IN_NS)
        .edit(
            n ->
                new NamespaceBuilder(n)
                    .editMetadata()
                    .addToLabels(SidecarInjector.INJECT, "true")
                    .endMetadata()
                    .build());
    tls = Files.createTempDirectory("webhook-tls");
    certificate(tls);
    webhook =
        WebhookServer.start(
            "127.0.0.1",
            0,
            tls.resolve("tls.crt"),
            tls.resolve("tls.key"),
            Duration.ofMillis(200),
            new AdmissionHandler(
                new SidecarInjector(
                    new InjectionSettings(
                        "client:it",
                        "wss://api.example:8443",
                        null,
                        Set.of("kube-system", RELEASE_NS)))));
    MutatingWebhookConfiguration config =
        RenderedChart.render(RELEASE_NS, Map.of("sidecarInjection.enabled", true))
            .all(MutatingWebhookConfiguration.class)
            .getFirst();
    pointAtTheLocalServer(config);
    admin.resource(config).create();
    // The API server picks a new webhook configuration up within a second or so.
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> sidecars(dryRun(optedInPod("probe"))) == 1);
  }

  @AfterAll
  static void stop() {
    if (webhook != null) {
      webhook.close();
    }
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void anOptedInPodIsStoredWithTheSidecarAndItsTokenOnlyAsASecretVolume() {
    Pod stored = admin.resource(optedInPod("runner")).create();

    Container sidecar = stored.getSpec().getInitContainers().getFirst();
    assertThat(sidecar.getName()).isEqualTo(SidecarInjector.CONTAINER);
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(sidecar.getSecurityContext().getCapabilities().getAdd())
        .containsExactly("NET_ADMIN");
    assertThat(sidecar.getSecurityContext().getPrivileged()).isFalse();
    assertThat(stored.getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("runner-token"));
    assertThat(stored.getMetadata().getAnnotations()).containsKey(SidecarInjector.INJECTED);
  }

  @Test
  void podsThatDoNotOptInAndSystemNamespacesAreUntouched() {
    Pod plain = admin.resource(pod(PLAIN_NS, "plain").build()).create();
    Pod system = create(labelled("kube-system", "system-" + System.nanoTime(), "true"));
    Pod release = create(labelled(RELEASE_NS, "release", "true"));
    Pod optedOut = create(labelled(OPTED_IN_NS, "opted-out", "false"));

    for (Pod p : List.of(plain, system, release, optedOut)) {
      assertThat(sidecars(p))
          .as(p.getMetadata().getNamespace() + "/" + p.getMetadata().getName())
          .isZero();
      assertThat(p.getMetadata().getAnnotations()).doesNotContainKey(SidecarInjector.INJECTED);
    }
  }

  @Test
  void everyPodOfALabelledNamespaceIsInjectedAndReapplyingChangesNothing() {
    Pod pod =
        pod(OPTED_IN_NS, "batch")
            .editMetadata()
            .addToAnnotations(SidecarInjector.IDENTITY, "batch-token")
            .endMetadata()
            .build();
    Pod stored = admin.resource(pod).create();
    assertThat(sidecars(stored)).isEqualTo(1);

    Pod again = admin.resource(pod).fieldManager("it").forceConflicts().serverSideApply();
    assertThat(sidecars(again)).isEqualTo(1);
    assertThat(again.getSpec()).isEqualTo(stored.getSpec());

    Pod copy =
        new PodBuilder(stored)
            .editMetadata()
            .withName("batch-copy")
            .withResourceVersion(null)
            .withUid(null)
            .endMetadata()
            .build();
    assertThat(sidecars(admin.resource(copy).create()))
        .as("a pod that comes with the sidecar (native form) is not injected twice")
        .isEqualTo(1);
  }

  @Test
  void aBadIdentityAnnotationIsRefusedWithAMessageNamingIt() {
    Pod bad =
        pod(PLAIN_NS, "bad")
            .editMetadata()
            .addToLabels(SidecarInjector.INJECT, "true")
            .addToAnnotations(SidecarInjector.IDENTITY, "Not_A_Secret")
            .endMetadata()
            .build();

    assertThatThrownBy(() -> admin.resource(bad).create())
        .isInstanceOf(KubernetesClientException.class)
        .hasMessageContaining("admission webhook \"pods.inject.gatehouse.dev\" denied the request")
        .hasMessageContaining("gatehouse.dev/identity")
        .hasMessageContaining("'Not_A_Secret' is not a valid Secret name");
    assertThat(admin.pods().inNamespace(PLAIN_NS).withName("bad").get()).isNull();
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestart() throws Exception {
    BigInteger before = servedCertificate().getSerialNumber();

    certificate(tls);
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !servedCertificate().getSerialNumber().equals(before));

    // The API server trusts the new certificate once the configuration carries it.
    MutatingWebhookConfiguration config =
        admin
            .admissionRegistration()
            .v1()
            .mutatingWebhookConfigurations()
            .list()
            .getItems()
            .stream()
            .filter(c -> c.getMetadata().getName().endsWith("sidecar-injector"))
            .findFirst()
            .orElseThrow();
    pointAtTheLocalServer(config);
    admin.resource(config).update();
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> sidecars(dryRun(optedInPod("after-renewal"))) == 1);
  }

  // ---------------------------------------------------------------------------------------------

  private static PodBuilder pod(String namespace, String name) {
    return new PodBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(name)
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .endContainer()
        .endSpec();
  }

  private static Pod labelled(String namespace, String name, String inject) {
    return pod(namespace, name)
        .editMetadata()
        .addToLabels(SidecarInjector.INJECT, inject)
        .endMetadata()
        .build();
  }

  private static Pod create(Pod pod) {
    return admin.resource(pod).create();
  }

  private static Pod optedInPod(String name) {
    return pod(PLAIN_NS, name)
        .editMetadata()
        .addToLabels(SidecarInjector.INJECT, "true")
        .addToAnnotations(SidecarInjector.IDENTITY, name + "-token")
        .endMetadata()
        .build();
  }

  private static Pod dryRun(Pod pod) {
    return admin.resource(pod).dryRun().create();
  }

  private static long sidecars(Pod pod) {
    List<Container> init = pod.getSpec().getInitContainers();
    return init == null
        ? 0
        : init.stream().filter(c -> SidecarInjector.CONTAINER.equals(c.getName())).count();
  }

  private static void pointAtTheLocalServer(MutatingWebhookConfiguration config)
      throws IOException {
    String ca = Base64.getEncoder().encodeToString(Files.readAllBytes(tls.resolve("tls.crt")));
    for (MutatingWebhook hook : config.getWebhooks()) {
      hook.getClientConfig().setService(null);
      hook.getClientConfig().setUrl("https://127.0.0.1:" + webhook.port() + WebhookServer.PATH);
      hook.getClientConfig().setCaBundle(ca);
    }
  }

  /** A fresh self-signed certificate for 127.0.0.1 in {@code dir}/tls.crt and tls.key. */
  private static void certificate(Path dir) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-addext",
                "subjectAltName=IP:127.0.0.1",
                "-keyout",
                dir.resolve("tls.key.new").toString(),
                "-out",
                dir.resolve("tls.crt.new").toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("openssl: " + out)
        .isTrue();
    Files.move(
        dir.resolve("tls.key.new"),
        dir.resolve("tls.key"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.move(
        dir.resolve("tls.crt.new"),
        dir.resolve("tls.crt"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  /** The certificate the webhook presents in a fresh handshake. */
  private static X509Certificate servedCertificate() throws Exception {
    SSLContext trustAll = SSLContext.getInstance("TLS");
    trustAll.init(
        null,
        new TrustManager[] {
          new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {}

            @Override
            public X509Certificate[] getAcceptedIssuers() {
              return new X509Certificate[0];
            }
          }
        },
        null);
    try (SSLSocket socket =
        (SSLSocket) trustAll.getSocketFactory().createSocket("127.0.0.1", webhook.port())) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }
}
