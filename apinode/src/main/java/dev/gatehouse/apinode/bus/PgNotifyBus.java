package dev.gatehouse.apinode.bus;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link NodeBus} over PostgreSQL {@code LISTEN}/{@code NOTIFY}: each node listens on a channel
 * named after a hash of its id; messages are JSON payloads (under PostgreSQL's 8000-byte limit).
 * One listening connection per node, polled by a platform thread; sends use short-lived connections
 * of the caller's pool via {@code pg_notify}. A lost listening connection is reopened with backoff
 * (messages sent meanwhile are lost; requesters time out).
 */
public final class PgNotifyBus implements NodeBus {

  private static final Logger LOG = LoggerFactory.getLogger(PgNotifyBus.class);
  static final int MAX_PAYLOAD = 7900;

  /** Sends with a connection from the node's pool. */
  @FunctionalInterface
  public interface Notifier {
    void notify(String channel, String payload) throws SQLException;
  }

  private final DatabaseConfig db;
  private final Notifier notifier;
  private final ObjectMapper json =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean running;
  private volatile Connection listening;
  private Thread thread;

  public PgNotifyBus(DatabaseConfig db, Notifier notifier) {
    this.db = db;
    this.notifier = notifier;
  }

  /** The NOTIFY channel of a node. */
  public static String channelOf(String nodeId) {
    try {
      byte[] h =
          MessageDigest.getInstance("SHA-256").digest(nodeId.getBytes(StandardCharsets.UTF_8));
      return "gatehouse_node_" + HexFormat.of().formatHex(h, 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void start(String nodeId, Consumer<NodeMessage> receiver) {
    running = true;
    String channel = channelOf(nodeId);
    Object ready = new Object();
    thread =
        Thread.ofPlatform()
            .name("gatehouse-node-bus")
            .daemon(true)
            .start(() -> listen(channel, receiver));
    // Wait until LISTEN is in place so that no message sent after start() is missed.
    long deadline = System.nanoTime() + 10_000_000_000L;
    synchronized (ready) {
      while (listening == null && System.nanoTime() < deadline) {
        try {
          ready.wait(10);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private void listen(String channel, Consumer<NodeMessage> receiver) {
    long backoff = 100;
    while (running) {
      try (Connection c = db.connect()) {
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + channel);
        }
        listening = c;
        backoff = 100;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] notes = pg.getNotifications(250);
          if (notes == null) {
            continue;
          }
          for (PGNotification n : notes) {
            received.incrementAndGet();
            NodeMessage m;
            try {
              m = json.readValue(n.getParameter(), NodeMessage.class);
            } catch (Exception e) {
              failures.incrementAndGet();
              LOG.warn("undecodable node message on {}: {}", channel, e.toString());
              continue;
            }
            try {
              receiver.accept(m);
            } catch (RuntimeException e) {
              LOG.warn("node message handler failed", e);
            }
          }
        }
      } catch (SQLException e) {
        if (!running) {
          return;
        }
        failures.incrementAndGet();
        LOG.warn("node bus connection lost ({}); reconnecting in {} ms", e.toString(), backoff);
        try {
          Thread.sleep(backoff); // reconnect backoff on a dedicated thread, not a test wait
        } catch (InterruptedException ie) {
          return;
        }
        backoff = Math.min(5_000, backoff * 2);
      }
    }
  }

  @Override
  public void send(String nodeId, NodeMessage message) {
    try {
      String payload = json.writeValueAsString(message);
      if (payload.getBytes(StandardCharsets.UTF_8).length > MAX_PAYLOAD) {
        failures.incrementAndGet();
        LOG.warn("node message {} too large for NOTIFY", message.getClass().getSimpleName());
        return;
      }
      notifier.notify(channelOf(nodeId), payload);
      sent.incrementAndGet();
    } catch (Exception e) {
      failures.incrementAndGet();
      LOG.warn("cannot send node message to {}: {}", nodeId, e.toString());
    }
  }

  public long sent() {
    return sent.get();
  }

  public long received() {
    return received.get();
  }

  public long failures() {
    return failures.get();
  }

  /** {@code SELECT pg_notify(channel, payload)} on a connection. */
  public static void notify(Connection c, String channel, String payload) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
      ps.setString(1, channel);
      ps.setString(2, payload);
      ps.execute();
    }
  }

  @Override
  public void close() {
    running = false;
    Thread t = thread;
    if (t != null) {
      try {
        t.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
