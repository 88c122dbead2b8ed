package dev.gatehouse.controlplane.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.ClientDelta;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The whole CDC path without a database, as channel tests will use it: pgoutput bytes from the
 * in-memory slot → consumer → a client cache → deltas.
 */
class InMemoryPipelineTest {

  @Test
  void policyDisabledAndReEnabledInTheSlotReachesTheClientAsDeleteThenCreate() {
    UUID account = UUID.fromString(ChangeAssemblerTest.ACCOUNT);
    UUID group = UUID.fromString(ChangeAssemblerTest.GROUP);
    UUID resource = UUID.fromString(ChangeAssemblerTest.RESOURCE);
    UUID policy = UUID.fromString(ChangeAssemblerTest.ID);
    UUID actor = UUID.randomUUID();
    Row.Client clientRow =
        new Row.Client(
            UUID.randomUUID(), account, actor, "c", "pk", "1.4.0", "10.0.0.1", Instant.EPOCH, null);
    ClientSnapshot snapshot =
        new ClientSnapshot(
            clientRow,
            null,
            List.of(new Row.Membership(UUID.randomUUID(), account, actor, group)),
            List.of(new Row.Policy(policy, account, group, resource, "[]", null, null, null)),
            List.of(new Row.Resource(resource, account, "r", "ip", "10.9.9.9", "dual", "[]", null)),
            List.of(new Row.ResourceConnection(resource, UUID.randomUUID(), account)));
    ClientCache cache = ClientCache.fromSnapshot(snapshot, null, Instant.now());
    assertThat(cache.isConnectable(resource)).isTrue();

    InMemoryReplicationSource slot = new InMemoryReplicationSource();
    slot.describe(ChangeAssemblerTest.POLICIES);
    List<ClientDelta> pushed = new CopyOnWriteArrayList<>();
    String t = "2026-11-28 18:00:00+00";
    slot.commit(
        Instant.now(),
        List.of(
            new PgOutputMessage.Update(
                ChangeAssemblerTest.POLICIES_OID,
                'O',
                ChangeAssemblerTest.policy(null, null),
                ChangeAssemblerTest.policy(t, null))));
    slot.commit(
        Instant.now(),
        List.of(
            new PgOutputMessage.Update(
                ChangeAssemblerTest.POLICIES_OID,
                'O',
                ChangeAssemblerTest.policy(t, null),
                ChangeAssemblerTest.policy(null, null))));
    try (ReplicationConsumer consumer =
        new ReplicationConsumer(
                slot,
                change -> pushed.addAll(cache.apply(change, Instant.now())),
                new ReplicationMetrics(Duration.ofSeconds(60)),
                InstantSource.system(),
                Duration.ofMillis(200))
            .start()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> pushed.size() == 2);
    }
    assertThat(pushed.get(0)).isEqualTo(new ClientDelta.ResourceDeleted(resource));
    assertThat(pushed.get(1)).isEqualTo(new ClientDelta.ResourceRequired(resource));
  }
}
