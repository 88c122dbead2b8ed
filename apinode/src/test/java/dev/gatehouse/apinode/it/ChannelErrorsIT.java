package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Disconnect;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Bad tokens are refused before the upgrade; bad frames get error replies and change nothing. */
class ChannelErrorsIT {

  private final Harness h;

  ChannelErrorsIT() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  @Test
  void badTokensAreRefusedWithClearErrors() throws Exception {
    ApiNode node = h.node("a");
    String q = WsPeer.query("laptop", "cpk", Harness.VERSION, null);

    HttpResponse<String> missing = WsPeer.tryJoin(node.port(), "/client/websocket", q, null);
    assertThat(missing.statusCode()).isEqualTo(401);
    assertThat(missing.body()).contains("\"error\":\"missing_token\"");

    HttpResponse<String> unknown =
        WsPeer.tryJoin(node.port(), "/client/websocket", q, "ghc_not-a-real-token");
    assertThat(unknown.statusCode()).isEqualTo(401);
    assertThat(unknown.body()).contains("\"error\":\"invalid_token\"");

    var expired = h.f.clientToken(h.actor, Instant.now().minusSeconds(60));
    HttpResponse<String> exp =
        WsPeer.tryJoin(node.port(), "/client/websocket", q, expired.secret());
    assertThat(exp.statusCode()).isEqualTo(401);
    assertThat(exp.body()).contains("\"error\":\"expired_token\"");

    var deleted = h.f.clientToken(h.actor, null);
    h.f.deleteToken(deleted.id());
    assertThat(WsPeer.tryJoin(node.port(), "/client/websocket", q, deleted.secret()).body())
        .contains("\"error\":\"invalid_token\"");

    HttpResponse<String> wrongKind =
        WsPeer.tryJoin(node.port(), "/gateway/websocket", q, h.clientToken.secret());
    assertThat(wrongKind.statusCode()).isEqualTo(403);
    assertThat(wrongKind.body()).contains("wrong_token_type");

    HttpResponse<String> noKey =
        WsPeer.tryJoin(
            node.port(),
            "/client/websocket",
            "?external_id=x&version=1.4.0",
            h.clientToken.secret());
    assertThat(noKey.statusCode()).isEqualTo(400);
    assertThat(noKey.body()).contains("missing query parameter public_key");
    assertThat(node.metrics().refusedJoins.get()).isEqualTo(5);
  }

  @Test
  void malformedUnknownAndOutOfTurnMessagesGetErrorsAndTheChannelKeepsWorking() throws Exception {
    ApiNode node = h.node("a");
    var gw = h.gateway(node, "gw-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(node, "laptop");
    client.await(ClientOutbound.Init.class);

    client.sendRaw("{not json");
    assertThat(client.await(ErrorReply.class).payload().reason()).isEqualTo("malformed_json");
    client.sendRaw("{\"v\":1,\"event\":\"launch_missiles\",\"ref\":\"9\",\"payload\":{}}");
    Envelope<ErrorReply> unknown = client.await(ErrorReply.class);
    assertThat(unknown.ref()).isEqualTo("9");
    assertThat(unknown.payload().reason()).isEqualTo("unknown_event");
    assertThat(unknown.payload().detail()).contains("create_flow");
    client.sendRaw(
        "{\"v\":1,\"event\":\"create_flow\",\"ref\":\"10\",\"payload\":{\"resource_id\":42}}");
    assertThat(client.await(ErrorReply.class).payload().reason()).isEqualTo("invalid_payload");
    client.sendRaw("{\"v\":7,\"event\":\"create_flow\",\"ref\":\"11\",\"payload\":{}}");
    assertThat(client.await(ErrorReply.class).payload().reason()).isEqualTo("unsupported_version");
    client.send(Envelope.of(null, new ClientInbound.CreateFlow(h.resource, List.of())));
    assertThat(client.await(ErrorReply.class).payload().reason()).isEqualTo("out_of_turn");

    gw.send(Envelope.of("x", new GatewayInbound.FlowAuthorized("never-sent")));
    Envelope<ErrorReply> outOfTurn = gw.await(ErrorReply.class);
    assertThat(outOfTurn.ref()).isEqualTo("x");
    assertThat(outOfTurn.payload().reason()).isEqualTo("out_of_turn");
    gw.sendRaw("[]");
    assertThat(gw.await(ErrorReply.class).payload().reason()).isEqualTo("not_an_envelope");

    // Both channels still work.
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())));
    assertThat(client.await(ClientOutbound.FlowCreated.class).ref()).isEqualTo("1");
    assertThat(node.metrics().rejectedFrames.get()).isEqualTo(7);
  }

  @Test
  void aChannelClosesWhenItsTokenExpires() throws Exception {
    ApiNode node = h.node("a");
    var shortLived = h.f.clientToken(h.actor, Instant.now().plusSeconds(2));
    var client = h.client(node, "laptop", shortLived.secret());
    client.await(ClientOutbound.Init.class);
    Disconnect d = client.await(Disconnect.class, x -> true, Duration.ofSeconds(15)).payload();
    assertThat(d.reason()).isEqualTo("token expired");
    await().atMost(Duration.ofSeconds(10)).until(client.closed::isDone);
  }

  @Test
  void deletingATokenDisconnectsItsChannels() throws Exception {
    ApiNode node = h.node("a");
    var client = h.client(node, "laptop");
    client.await(ClientOutbound.Init.class);
    h.f.deleteToken(h.clientToken.id());
    Disconnect d = client.await(Disconnect.class).payload();
    assertThat(d.reason()).isEqualTo("token deleted");
    assertThat(d.reconnect()).isFalse();
    await().atMost(Duration.ofSeconds(10)).until(client.closed::isDone);
    await().atMost(Duration.ofSeconds(10)).until(() -> node.hub().clientCount() == 0);
  }
}
