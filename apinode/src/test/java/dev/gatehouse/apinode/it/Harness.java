package dev.gatehouse.apinode.it;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.testing.Fixtures;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.GatewayOutbound;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One account with a site, a resource served by it, a group with a policy for the resource and a
 * member actor, plus running API nodes and connected peers that {@link #close()} tears down.
 */
class Harness implements AutoCloseable {

  static final byte[] SECRET =
      "it-flow-key-secret-32-bytes-long!!".getBytes(StandardCharsets.UTF_8);
  static final String ADMIN_TOKEN = "it-admin-token";
  static final String VERSION = "1.4.0";

  final DatabaseConfig db = TestDatabase.migrated();
  final Fixtures f;
  final UUID actor;
  final UUID group;
  final UUID site;
  final UUID resource;
  final UUID policy;
  final Fixtures.Token siteToken;
  final Fixtures.Token clientToken;
  private final List<AutoCloseable> open = new ArrayList<>();

  Harness() throws Exception {
    f = new Fixtures(db);
    actor = f.actor();
    group = f.group();
    f.membership(actor, group);
    site = f.site();
    resource = f.resource("10.20.0.5", Fixtures.TCP_443);
    f.connect(resource, site);
    policy = f.policy(group, resource, "[]");
    siteToken = f.siteToken(site);
    clientToken = f.clientToken(actor, Instant.now().plus(Duration.ofHours(1)));
  }

  ApiNode node(String name) throws Exception {
    return node(name, null, null);
  }

  /** A node serving TLS with these PEM files (both null: plain text). */
  ApiNode node(String name, Path tlsCertificate, Path tlsPrivateKey) throws Exception {
    ApiNodeConfig config =
        ApiNodeConfig.defaults(
                "it-" + name + "-" + UUID.randomUUID().toString().substring(0, 8),
                f.account,
                SECRET,
                ADMIN_TOKEN)
            .withBindHost("127.0.0.1")
            .withTimers(Duration.ofMillis(500), Duration.ofSeconds(3), Duration.ofSeconds(3))
            .withTls(tlsCertificate, tlsPrivateKey);
    ApiNode node = new ApiNode(config, db, InstantSource.system());
    node.start(0);
    open.add(node);
    return node;
  }

  WsPeer<GatewayOutbound> gateway(ApiNode node, String externalId) {
    return track(
        WsPeer.connect(
            node.port(),
            "/gateway/websocket",
            WsPeer.query(externalId, "gwpk-" + externalId, VERSION, "&endpoint=192.0.2.10:51820"),
            siteToken.secret(),
            Direction.GATEWAY_OUTBOUND));
  }

  WsPeer<ClientOutbound> client(ApiNode node, String externalId, String token) {
    return track(
        WsPeer.connect(
            node.port(),
            "/client/websocket",
            WsPeer.query(externalId, "cpk-" + externalId, VERSION, null),
            token,
            Direction.CLIENT_OUTBOUND));
  }

  WsPeer<ClientOutbound> client(ApiNode node, String externalId) {
    return client(node, externalId, clientToken.secret());
  }

  private <T extends AutoCloseable> T track(T t) {
    open.add(t);
    return t;
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    f.close();
  }
}
