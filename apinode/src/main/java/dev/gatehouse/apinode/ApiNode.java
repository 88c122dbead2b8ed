package dev.gatehouse.apinode;

import dev.gatehouse.apinode.admin.AdminApi;
import dev.gatehouse.apinode.bus.PgNotifyBus;
import dev.gatehouse.apinode.channel.ChannelHub;
import dev.gatehouse.apinode.channel.NodeMetrics;
import dev.gatehouse.apinode.channel.NodeServices;
import dev.gatehouse.apinode.core.FlowKeys;
import dev.gatehouse.apinode.core.NodeReadiness;
import dev.gatehouse.apinode.core.RelayDirectory;
import dev.gatehouse.apinode.metrics.ApiNodeMetrics;
import dev.gatehouse.apinode.metrics.PrometheusText;
import dev.gatehouse.apinode.net.ServerTls;
import dev.gatehouse.apinode.net.WebSocketServer;
import dev.gatehouse.apinode.store.AdminStore;
import dev.gatehouse.apinode.store.ConnectionPool;
import dev.gatehouse.apinode.store.FlowStore;
import dev.gatehouse.apinode.store.JdbcChannelStore;
import dev.gatehouse.apinode.store.PooledFlowReauthorizer;
import dev.gatehouse.apinode.store.PresenceStore;
import dev.gatehouse.apinode.store.TokenStore;
import dev.gatehouse.controlplane.cdc.ReplicationConsumer;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.controlplane.pg.CacheRepository;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.pg.PgReplicationSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One API node: the control channels of the gateways and clients connected to this replica, their
 * slim caches kept current from its own CDC slot, flow setup, presence in the database, and the
 * admin API — all on one port. The operator embeds one per replica:
 *
 * <pre>{@code
 * ApiNode node = new ApiNode(ApiNodeConfig.defaults(podName, accountId, secret, adminToken),
 *     DatabaseConfig.fromEnvironment(), InstantSource.system());
 * int port = node.start(8443);   // migrates, registers, opens the slot, listens
 * ...
 * node.stop();                    // disconnects channels, drops its slot and presence
 * }</pre>
 *
 * <p>Each node has its own replication slot ({@code gatehouse_apinode_<hash of node id>}) on the
 * shared publication {@code gatehouse_apinode}; it is created before the listener opens (so no
 * change after any channel's hydration is missed) and dropped on stop. Slots of crashed nodes are
 * dropped by the survivors once their heartbeat is stale.
 */
public final class ApiNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ApiNode.class);
  static final String PUBLICATION = "gatehouse_apinode";

  private final ApiNodeConfig config;
  private final DatabaseConfig db;
  private final InstantSource clock;
  private final NodeMetrics metrics = new NodeMetrics();
  private final ReplicationMetrics replicationMetrics =
      new ReplicationMetrics(Duration.ofSeconds(60));
  private ConnectionPool pool;
  private PresenceStore presence;
  private PgNotifyBus bus;
  private ChannelHub hub;
  private ReplicationConsumer consumer;
  private WebSocketServer server;
  private ExecutorService tasks;
  private ScheduledExecutorService scheduler;
  private int port = -1;
  private final RelayDirectory relays;
  // Nanos of the first heartbeat failure since the last success; 0 while the database answers.
  private volatile long databaseFailingSince;

  public ApiNode(ApiNodeConfig config, DatabaseConfig db, InstantSource clock) {
    this(config, db, clock, RelayDirectory.NONE);
  }

  /** A node that offers these relays, with fresh credentials, in every {@code init}. */
  public ApiNode(
      ApiNodeConfig config, DatabaseConfig db, InstantSource clock, RelayDirectory relays) {
    this.config = config;
    this.db = db;
    this.clock = clock;
    this.relays = relays;
  }

  /** The replication slot of a node. */
  public static String slotOf(String nodeId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(nodeId.getBytes(StandardCharsets.UTF_8));
      return "gatehouse_apinode_" + HexFormat.of().formatHex(h, 0, 10);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Starts the node and listens on {@code port} (0 picks a free one).
   *
   * @return the bound port
   */
  public synchronized int start(int port) throws Exception {
    // First, so that a bad certificate or key stops the start before any database work.
    ServerTls tls =
        config.tls() ? ServerTls.load(config.tlsCertificate(), config.tlsPrivateKey()) : null;
    if (config.migrate()) {
      ApiSchema.migrate(db);
    }
    tasks = Executors.newVirtualThreadPerTaskExecutor();
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("gatehouse-apinode-timer").daemon(true).factory());
    pool = new ConnectionPool(db, config.dbPoolSize());
    presence = new PresenceStore(pool, config.presenceTtl());
    FlowStore flows = new FlowStore(pool);
    TokenStore tokens = new TokenStore(pool);
    presence.registerNode(config.nodeId());
    bus =
        new PgNotifyBus(
            db,
            (channel, payload) ->
                pool.with(
                    c -> {
                      PgNotifyBus.notify(c, channel, payload);
                      return null;
                    }));
    JdbcChannelStore store = new JdbcChannelStore(presence, flows, new CacheRepository(db));
    hub = new ChannelHub(config.nodeId(), bus, store, metrics);
    bus.start(config.nodeId(), hub::receive);

    String slot = slotOf(config.nodeId());
    prepareSlot(slot);
    PgReplicationSource source =
        new PgReplicationSource(db, slot, PUBLICATION, List.of(Table.values()));
    consumer =
        new ReplicationConsumer(source, hub, replicationMetrics, clock, Duration.ofSeconds(5))
            .start();

    NodeServices services =
        new NodeServices(
            config,
            new dev.gatehouse.protocol.ControlCodec(),
            store,
            new PooledFlowReauthorizer(pool),
            new FlowKeys(config.flowKeySecret()),
            hub,
            tasks,
            scheduler,
            clock,
            metrics,
            new java.util.concurrent.Semaphore(Math.max(1, config.dbPoolSize() / 2)),
            relays);
    AdminApi admin =
        config.adminToken() == null
            ? null
            : new AdminApi(
                config.adminToken(), config.accountId(), new AdminStore(pool), flows, clock);
    server = new WebSocketServer(2);
    this.port =
        server.start(config.bindHost(), port, tls, services, tokens, admin, this::readiness);

    if (tls != null) {
      long every = TLS_RELOAD_INTERVAL.toMillis();
      scheduler.scheduleWithFixedDelay(() -> reloadTls(tls), every, every, TimeUnit.MILLISECONDS);
    }
    long hb = config.heartbeatInterval().toMillis();
    scheduler.scheduleAtFixedRate(this::heartbeat, hb, hb, TimeUnit.MILLISECONDS);
    AtomicLong ticks = new AtomicLong();
    long recomputeEvery = Math.max(1, config.recomputeInterval().toMillis() / 1000);
    scheduler.scheduleAtFixedRate(
        () -> hub.tick(ticks.incrementAndGet() % recomputeEvery == 0), 1, 1, TimeUnit.SECONDS);
    LOG.info(
        "API node {} listening on {}:{} ({}; slot {})",
        config.nodeId(),
        config.bindHost(),
        this.port,
        tls == null
            ? "plain ws:// and http://, no TLS"
            : "TLS with "
                + tls.certificate().getSubjectX500Principal().getName()
                + ", valid until "
                + tls.certificate().getNotAfter().toInstant(),
        slot);
    return this.port;
  }

  /**
   * Publication for all tables, and a fresh slot for this node (an old one of the same id is
   * dropped).
   */
  private void prepareSlot(String slot) throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      try {
        st.execute(
            "CREATE PUBLICATION "
                + PUBLICATION
                + " FOR TABLE "
                + String.join(", ", List.of(Table.values()).stream().map(Table::sqlName).toList()));
      } catch (SQLException e) {
        if (!"42710".equals(e.getSQLState())) {
          throw e;
        }
      }
      dropSlot(c, slot);
      try (PreparedStatement ps =
          c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
        ps.setString(1, slot);
        ps.execute();
      }
    }
  }

  private static void dropSlot(Connection c, String slot) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name = ? AND NOT active")) {
      ps.setString(1, slot);
      ps.execute();
    }
  }

  private void heartbeat() {
    try {
      presence.heartbeat(config.nodeId());
      databaseFailingSince = 0;
      List<String> gone = presence.reapStaleNodes(config.presenceTtl().multipliedBy(4));
      if (!gone.isEmpty()) {
        try (Connection c = db.connect()) {
          for (String node : gone) {
            LOG.warn("API node {} stopped heartbeating; dropping its presence and slot", node);
            dropSlot(c, slotOf(node));
          }
        }
      }
    } catch (Exception e) {
      if (databaseFailingSince == 0) {
        databaseFailingSince = System.nanoTime();
      }
      LOG.warn("heartbeat failed: {}", e.toString());
    }
  }

  /**
   * Whether this node should get traffic: not when its database or replication stream has been
   * unreachable for longer than the presence TTL (see {@link NodeReadiness}).
   */
  public NodeReadiness readiness() {
    long now = System.nanoTime();
    long failingSince = databaseFailingSince;
    return new NodeReadiness(
        failingSince == 0 ? Duration.ZERO : Duration.ofNanos(now - failingSince),
        port < 0 ? Duration.ZERO : replicationMetrics.streamDownFor(now),
        config.presenceTtl());
  }

  /** This node's and its CDC consumer's metrics in the Prometheus text format. */
  public String renderMetrics() {
    PrometheusText out = new PrometheusText();
    ApiNodeMetrics.render(
        new ApiNodeMetrics.Snapshot(
            metrics, replicationMetrics, hub == null ? 0 : hub.changesDropped(), readiness()),
        out);
    return out.toString();
  }

  /** How often the TLS files are checked for a renewed certificate. */
  static final Duration TLS_RELOAD_INTERVAL = Duration.ofMinutes(1);

  private void reloadTls(ServerTls tls) {
    switch (tls.reloadIfChanged()) {
      case ServerTls.Reload.Unchanged u -> {}
      case ServerTls.Reload.Reloaded r ->
          LOG.info(
              "TLS certificate reloaded: {}, valid until {}",
              r.certificate().getSubjectX500Principal().getName(),
              r.certificate().getNotAfter().toInstant());
      case ServerTls.Reload.Failed f ->
          LOG.warn(
              "TLS files changed but cannot be used, still serving the old certificate: {}",
              f.reason());
    }
  }

  /**
   * Disconnects every channel, stops CDC and the listener, and removes this node's rows and slot.
   */
  public synchronized void stop() {
    if (port < 0) {
      return;
    }
    port = -1;
    hub.disconnectAll("API node shutting down", true);
    // Give the channels up to a second to send their disconnect before the listener goes away.
    long deadline = System.nanoTime() + 1_000_000_000L;
    while (hub.clientCount() + hub.gatewayCount() > 0 && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    server.close();
    consumer.close();
    bus.close();
    scheduler.shutdownNow();
    try (Connection c = db.connect()) {
      presence.removeNode(config.nodeId());
      dropSlot(c, slotOf(config.nodeId()));
    } catch (SQLException e) {
      LOG.warn("cannot clean up node {}: {}", config.nodeId(), e.toString());
    }
    tasks.shutdown();
    pool.close();
  }

  @Override
  public void close() {
    stop();
  }

  public int port() {
    return port;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public ReplicationMetrics replicationMetrics() {
    return replicationMetrics;
  }

  public ChannelHub hub() {
    return hub;
  }

  public ApiNodeConfig config() {
    return config;
  }
}
