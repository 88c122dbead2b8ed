package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.admin.AdminCli;
import dev.gatehouse.apinode.net.TestCertificates;
import dev.gatehouse.client.control.Backoff;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.control.TrustedCa;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.Message;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API node behind TLS with a certificate made in the test for {@code localhost} and {@code
 * 127.0.0.1}: the real control-channel client joins over wss:// when it trusts the CA file, and
 * stops at once with a clear reason when it does not, or when it speaks ws:// to the TLS port.
 */
class TlsIT {

  @TempDir static Path dir;
  static TestCertificates.Pem pem;

  private final Harness h;
  private final List<AutoCloseable> channels = new CopyOnWriteArrayList<>();

  TlsIT() throws Exception {
    h = new Harness();
  }

  @BeforeAll
  static void certificate() throws Exception {
    pem = TestCertificates.selfSigned(dir, "EC");
  }

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : channels) {
      c.close();
    }
    h.close();
  }

  /** Records what a channel reports. */
  static final class Events<M extends Message> implements ControlChannel.Listener<M> {
    final List<String> events = new CopyOnWriteArrayList<>();
    volatile ControlChannel.End end;
    volatile String endReason;

    @Override
    public void onOpen() {
      events.add("open");
    }

    @Override
    public void onMessage(Envelope<M> envelope) {
      events.add(envelope.event());
    }

    @Override
    public void onClosed(String reason) {
      events.add("closed: " + reason);
    }

    @Override
    public void onEnd(ControlChannel.End end, String reason) {
      this.endReason = reason;
      this.end = end;
    }
  }

  /** A node serving TLS with the test's certificate for localhost and 127.0.0.1. */
  private ApiNode tlsNode() throws Exception {
    return h.node("tls", pem.certificate(), pem.privateKey());
  }

  /**
   * Dials {@code url} as the gateway (with the site's token) or the client (with the user's), by
   * {@code direction}; {@code caFile} null trusts the JDK's trust store.
   */
  private <M extends Message> Events<M> dial(
      String url, Direction<M> direction, Path caFile, String id) {
    boolean gateway = direction == Direction.GATEWAY_OUTBOUND;
    String path = gateway ? ControlChannel.GATEWAY_PATH : ControlChannel.CLIENT_PATH;
    String token = gateway ? h.siteToken.secret() : h.clientToken.secret();
    Events<M> events = new Events<>();
    ControlChannel.Options options =
        new ControlChannel.Options(
                ControlChannel.withDefaultPath(URI.create(url), path),
                token,
                Map.of(
                    "external_id",
                    id,
                    "public_key",
                    "pk-" + id,
                    "version",
                    Harness.VERSION,
                    "name",
                    id),
                new Backoff(Duration.ofMillis(50), Duration.ofMillis(200)),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30))
            .withCaFile(caFile);
    ControlChannel<M> channel = new ControlChannel<>(options, direction, events);
    channels.add(channel);
    channel.start();
    return events;
  }

  /** Waits for the channel to stop for good and says how. */
  private static ControlChannel.End ended(Events<?> events) {
    await().atMost(Duration.ofSeconds(20)).until(() -> events.end != null);
    return events.end;
  }

  @Test
  void gatewayAndClientTrustingTheCaFileJoinOverWss() throws Exception {
    ApiNode node = tlsNode();

    Events<GatewayOutbound> gateway =
        dial(
            "wss://127.0.0.1:" + node.port(),
            Direction.GATEWAY_OUTBOUND,
            pem.certificate(),
            "gw-1");
    Events<ClientOutbound> client =
        dial(
            "wss://localhost:" + node.port(),
            Direction.CLIENT_OUTBOUND,
            pem.certificate(),
            "client-1");

    await().atMost(Duration.ofSeconds(20)).until(() -> gateway.events.contains("init"));
    await().atMost(Duration.ofSeconds(20)).until(() -> client.events.contains("init"));
    assertThat(gateway.events).startsWith("open", "init");
    assertThat(client.events).startsWith("open", "init");
    assertThat(gateway.end).isNull();
    assertThat(client.end).isNull();
  }

  @Test
  void withoutTheCaTheChannelStopsOnceSayingTheCertificateIsNotTrusted() throws Exception {
    ApiNode node = tlsNode();

    Events<GatewayOutbound> jdkTrust =
        dial("wss://127.0.0.1:" + node.port(), Direction.GATEWAY_OUTBOUND, null, "gw-2");

    assertThat(ended(jdkTrust)).isEqualTo(ControlChannel.End.UNTRUSTED);
    assertThat(jdkTrust.endReason)
        .startsWith("the API's TLS certificate is not trusted for 127.0.0.1")
        .contains("trusting the JDK's trust store")
        .contains("GATEHOUSE_API_CA_FILE");
    assertThat(jdkTrust.events).as("no reconnect attempts").isEmpty();
  }

  @Test
  void anotherCaIsNotTrustedEither() throws Exception {
    ApiNode node = tlsNode();
    TestCertificates.Pem other = TestCertificates.selfSigned(dir, "EC");

    Events<ClientOutbound> wrongCa =
        dial(
            "wss://127.0.0.1:" + node.port(),
            Direction.CLIENT_OUTBOUND,
            other.certificate(),
            "client-2");

    assertThat(ended(wrongCa)).isEqualTo(ControlChannel.End.UNTRUSTED);
    assertThat(wrongCa.endReason).contains("trusting the CA file " + other.certificate());
  }

  @Test
  void hostnameVerificationStaysOnEvenWithTheCaFile() throws Exception {
    TestCertificates.Pem elsewhere = TestCertificates.selfSigned(dir, "EC", "dns:api.example.com");
    ApiNode node = h.node("tls", elsewhere.certificate(), elsewhere.privateKey());

    Events<ClientOutbound> wrongHost =
        dial(
            "wss://127.0.0.1:" + node.port(),
            Direction.CLIENT_OUTBOUND,
            elsewhere.certificate(),
            "client-3");

    assertThat(ended(wrongHost)).isEqualTo(ControlChannel.End.UNTRUSTED);
    assertThat(wrongHost.endReason).contains("127.0.0.1").contains("subject alternative name");
  }

  @Test
  void plainWsToTheTlsPortIsRefusedOnceNamingWss() throws Exception {
    ApiNode node = tlsNode();

    Events<GatewayOutbound> plain =
        dial("ws://127.0.0.1:" + node.port(), Direction.GATEWAY_OUTBOUND, null, "gw-3");

    assertThat(ended(plain)).isEqualTo(ControlChannel.End.REJECTED);
    assertThat(plain.endReason).contains("HTTP 400").contains("tls_required").contains("wss://");
    assertThat(plain.events).isEmpty();
  }

  @Test
  void theAdminApiAndHealthAnswerOverHttps() throws Exception {
    ApiNode node = tlsNode();
    HttpClient https =
        HttpClient.newBuilder().sslContext(TrustedCa.sslContext(pem.certificate())).build();

    HttpResponse<String> health =
        https.send(
            HttpRequest.newBuilder(URI.create("https://localhost:" + node.port() + "/healthz"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(health.statusCode()).isEqualTo(200);
    HttpResponse<String> actors =
        https.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + node.port() + "/admin/actors"))
                .header("Authorization", "Bearer " + Harness.ADMIN_TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(actors.statusCode()).isEqualTo(200);
    assertThat(actors.body()).startsWith("[");

    HttpResponse<String> plain =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(plain.statusCode()).isEqualTo(400);
    assertThat(plain.body()).contains("tls_required");
  }

  @Test
  void theAdminCliTrustsItsCaFileAndSaysWhyOtherwise() throws Exception {
    ApiNode node = tlsNode();
    String url = "https://localhost:" + node.port();
    String token = Harness.ADMIN_TOKEN;

    StringWriter ok = new StringWriter();
    int exit =
        AdminCli.run(
            new PrintWriter(ok, true),
            "--url",
            url,
            "--admin-token",
            token,
            "--ca-file",
            pem.certificate().toString(),
            "actor",
            "list");
    assertThat(exit).as(ok.toString()).isZero();
    assertThat(ok.toString()).startsWith("[");

    StringWriter refused = new StringWriter();
    exit =
        AdminCli.run(
            new PrintWriter(refused, true), "--url", url, "--admin-token", token, "actor", "list");
    assertThat(exit).isEqualTo(1);
    assertThat(refused.toString()).contains("unreachable").contains("SSLHandshakeException");
  }

  @Test
  void aNodeWithAMissingKeyDoesNotStartAndNamesTheFile() {
    Path missing = dir.resolve("missing/tls.key");
    assertThatThrownBy(() -> h.node("bad-tls", pem.certificate(), missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TLS private key file " + missing + " does not exist");
  }
}
