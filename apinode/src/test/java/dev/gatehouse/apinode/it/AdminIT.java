package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.admin.AdminCli;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Disconnect;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An admin sets up a person with the CLI (over the REST API); that person then gets a flow. */
class AdminIT {

  private final Harness h;
  private final ObjectMapper json = new ObjectMapper();

  AdminIT() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  private JsonNode cli(ApiNode node, int expectedExit, String... args) throws Exception {
    StringWriter s = new StringWriter();
    String[] all = new String[args.length + 4];
    all[0] = "--url";
    all[1] = "http://127.0.0.1:" + node.port();
    all[2] = "--admin-token";
    all[3] = Harness.ADMIN_TOKEN;
    System.arraycopy(args, 0, all, 4, args.length);
    int exit = AdminCli.run(new PrintWriter(s, true), all);
    assertThat(exit).as(s.toString()).isEqualTo(expectedExit);
    return json.readTree(s.toString());
  }

  @Test
  void cliCreatesActorGroupMembershipAndTokenThatThenGetsAFlow() throws Exception {
    ApiNode node = h.node("a");
    String actor = cli(node, 0, "actor", "create", "--name", "alice").get("id").asText();
    String group = cli(node, 0, "group", "create", "--name", "eng").get("id").asText();
    cli(node, 0, "membership", "create", "--actor", actor, "--group", group);
    h.f.policy(UUID.fromString(group), h.resource, "[]");
    JsonNode token = cli(node, 0, "token", "create", "--actor", actor, "--ttl-seconds", "600");
    assertThat(token.get("token").asText()).startsWith("ghc_");
    assertThat(cli(node, 0, "actor", "list").findValuesAsText("name")).contains("alice");

    var gw = h.gateway(node, "gw-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(node, "alice-laptop", token.get("token").asText());
    var init = client.await(ClientOutbound.Init.class).payload();
    assertThat(init.resources()).extracting(r -> r.id()).containsExactly(h.resource);
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())));
    var created = client.await(ClientOutbound.FlowCreated.class).payload();

    JsonNode flows = cli(node, 0, "flows");
    assertThat(flows.findValuesAsText("id")).contains(created.flowId().toString());
    assertThat(flows.findValuesAsText("client_id")).contains(init.clientId().toString());

    cli(node, 0, "token", "delete", "--id", token.get("id").asText());
    assertThat(client.await(Disconnect.class).payload().reason()).isEqualTo("token deleted");
    await().atMost(Duration.ofSeconds(10)).until(client.closed::isDone);
  }

  @Test
  void aGroupIsFoundByNameSoPoliciesAndAdminsShareOneRow() throws Exception {
    ApiNode node = h.node("a");
    // The operator syncs a Policy naming "ops" before anyone made the group.
    UUID policyGroup;
    try (var c = h.db.connect()) {
      policyGroup = dev.gatehouse.controlplane.pg.Groups.ensure(c, h.f.account, "ops").id();
    }
    JsonNode again = cli(node, 0, "group", "create", "--name", "ops");
    assertThat(again.get("id").asText()).isEqualTo(policyGroup.toString());
    assertThat(again.get("created").asBoolean()).isFalse();
    JsonNode fresh = cli(node, 0, "group", "create", "--name", "sre");
    assertThat(fresh.get("created").asBoolean()).isTrue();

    String actor = cli(node, 0, "actor", "create", "--name", "bob").get("id").asText();
    cli(node, 0, "membership", "create", "--actor", actor, "--group", "ops");
    JsonNode groups = cli(node, 0, "group", "list");
    assertThat(groups.findValuesAsText("name")).contains("ops", "sre");
    for (JsonNode g : groups) {
      if (g.get("name").asText().equals("ops")) {
        assertThat(g.get("id").asText()).isEqualTo(policyGroup.toString());
        assertThat(g.get("members").asLong()).isEqualTo(1);
      }
    }
    assertThat(
            cli(node, 1, "membership", "create", "--actor", actor, "--group", "no-such-team")
                .get("detail")
                .asText())
        .contains("no group named 'no-such-team'");
  }

  @Test
  void wrongAdminTokenAndBadInputAreRefusedWithClearErrors() throws Exception {
    ApiNode node = h.node("a");
    StringWriter s = new StringWriter();
    int exit =
        AdminCli.run(
            new PrintWriter(s, true),
            "--url",
            "http://127.0.0.1:" + node.port(),
            "--admin-token",
            "wrong",
            "flows");
    assertThat(exit).isEqualTo(1);
    assertThat(s.toString()).contains("invalid_admin_token");
    assertThat(
            cli(node, 1, "membership", "create", "--actor", "nope", "--group", "nope")
                .get("error")
                .asText())
        .isEqualTo("bad_request");
    assertThat(
            cli(node, 1, "actor", "create", "--name", "x", "--type", "root").get("detail").asText())
        .contains("type must be one of");
  }
}
