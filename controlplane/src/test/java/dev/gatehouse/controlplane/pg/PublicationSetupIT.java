package dev.gatehouse.controlplane.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.cdc.Table;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Opening a source makes the publication hold exactly its tables and the slot exist, idempotently.
 */
class PublicationSetupIT {

  private final DatabaseConfig db = TestDatabase.migrated();

  private List<String> strings(String sql, String param) throws Exception {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, param);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  @Test
  void publicationTablesAreAddedAndDroppedToMatchAndTheSlotIsCreatedOnce() throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    String publication = "it_pub_" + suffix;
    String slot = "it_slot_" + suffix;
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute("CREATE PUBLICATION " + publication + " FOR TABLE accounts, policies");
    }
    PgReplicationSource source =
        new PgReplicationSource(db, slot, publication, List.of(Table.POLICIES, Table.FLOWS));
    try {
      for (int i = 0; i < 2; i++) {
        source.open(0).close();
        assertThat(
                strings(
                    "SELECT tablename FROM pg_publication_tables WHERE pubname = ?", publication))
            .containsExactlyInAnyOrder("policies", "flows");
        assertThat(strings("SELECT plugin FROM pg_replication_slots WHERE slot_name = ?", slot))
            .containsExactly("pgoutput");
      }
      PgReplicationSource all =
          new PgReplicationSource(db, slot, publication, List.of(Table.values()));
      all.open(0).close();
      assertThat(
              strings("SELECT tablename FROM pg_publication_tables WHERE pubname = ?", publication))
          .hasSize(Table.values().length);
    } finally {
      org.awaitility.Awaitility.await().until(() -> !source.slotActive());
      source.dropSlotAndPublication();
    }
    assertThat(strings("SELECT slot_name FROM pg_replication_slots WHERE slot_name = ?", slot))
        .isEmpty();
  }
}
