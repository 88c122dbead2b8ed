package dev.gatehouse.controlplane.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.controlplane.cdc.Change.Op;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Begin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Column;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Relation;
import dev.gatehouse.controlplane.pgoutput.TupleData;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ChangeAssemblerTest {

  static final int POLICIES_OID = 16500;
  static final Relation POLICIES =
      new Relation(
          POLICIES_OID,
          "public",
          "policies",
          'f',
          List.of(
                  "id",
                  "account_id",
                  "group_id",
                  "resource_id",
                  "description",
                  "conditions",
                  "expires_at",
                  "disabled_at",
                  "deleted_at",
                  "inserted_at")
              .stream()
              .map(n -> new Column(n.equals("id"), n, 25, -1))
              .toList());

  static final String ID = UUID.randomUUID().toString();
  static final String ACCOUNT = UUID.randomUUID().toString();
  static final String GROUP = UUID.randomUUID().toString();
  static final String RESOURCE = UUID.randomUUID().toString();

  static TupleData policy(String disabledAt, String deletedAt) {
    return TupleData.ofText(
        ID,
        ACCOUNT,
        GROUP,
        RESOURCE,
        null,
        "[]",
        "2026-12-01 00:00:00+00",
        disabledAt,
        deletedAt,
        "2026-11-28 18:00:00.123456+00");
  }

  private final ChangeAssembler assembler = new ChangeAssembler();

  private List<Change<?>> feed(PgOutputMessage m) {
    return assembler.accept(m, 0x500);
  }

  @Test
  void mapsInsertUpdateDeleteWithTypedRowsAndPositions() {
    feed(POLICIES);
    feed(new Begin(0x900, Instant.parse("2026-11-28T18:00:00Z"), 1));
    Change<?> insert =
        feed(new PgOutputMessage.Insert(POLICIES_OID, policy(null, null))).getFirst();
    assertThat(insert.op()).isEqualTo(Op.INSERT);
    assertThat(insert.table()).isEqualTo(Table.POLICIES);
    assertThat(insert.lsn()).isEqualTo(0x500);
    assertThat(insert.commitLsn()).isEqualTo(0x900);
    Row.Policy p = (Row.Policy) insert.newRow();
    assertThat(p.id()).hasToString(ID);
    assertThat(p.expiresAt()).isEqualTo(Instant.parse("2026-12-01T00:00:00Z"));
    assertThat(insert.oldRow()).isNull();

    Change<?> update =
        feed(new PgOutputMessage.Update(POLICIES_OID, 'O', policy(null, null), policy(null, null)))
            .getFirst();
    assertThat(update.op()).isEqualTo(Op.UPDATE);
    assertThat(update.oldRow()).isEqualTo(update.newRow());

    Change<?> delete =
        feed(new PgOutputMessage.Delete(POLICIES_OID, 'O', policy(null, null))).getFirst();
    assertThat(delete.op()).isEqualTo(Op.DELETE);
    assertThat(delete.newRow()).isNull();
  }

  @Test
  void softDeleteAndDisableHaveDeleteAndInsertMeaning() {
    feed(POLICIES);
    String t = "2026-11-28 18:00:00+00";
    Change<?> softDelete =
        feed(new PgOutputMessage.Update(POLICIES_OID, 'O', policy(null, null), policy(null, t)))
            .getFirst();
    assertThat(softDelete.op()).isEqualTo(Op.DELETE);
    assertThat(((Row.Policy) softDelete.oldRow()).deletedAt()).isNull();

    Change<?> disable =
        feed(new PgOutputMessage.Update(POLICIES_OID, 'O', policy(null, null), policy(t, null)))
            .getFirst();
    assertThat(disable.op()).isEqualTo(Op.DELETE);

    Change<?> enable =
        feed(new PgOutputMessage.Update(POLICIES_OID, 'O', policy(t, null), policy(null, null)))
            .getFirst();
    assertThat(enable.op()).isEqualTo(Op.INSERT);
    assertThat(enable.newRow()).isNotNull();

    assertThat(feed(new PgOutputMessage.Update(POLICIES_OID, 'O', policy(t, null), policy(t, t))))
        .isEmpty();
    assertThat(feed(new PgOutputMessage.Insert(POLICIES_OID, policy(null, t)))).isEmpty();
    assertThat(feed(new PgOutputMessage.Delete(POLICIES_OID, 'O', policy(null, t)))).isEmpty();
  }

  @Test
  void unchangedToastValuesAreTakenFromTheOldRow() {
    feed(POLICIES);
    TupleData withToast =
        new TupleData(
            policy(null, null).values().stream()
                .map(
                    d ->
                        d.equals(new TupleData.Datum.Text("[]"))
                            ? (TupleData.Datum) TupleData.Datum.UnchangedToast.INSTANCE
                            : d)
                .toList());
    Change<?> update =
        feed(new PgOutputMessage.Update(POLICIES_OID, 'O', policy(null, null), withToast))
            .getFirst();
    assertThat(((Row.Policy) update.newRow()).conditionsJson()).isEqualTo("[]");
  }

  @Test
  void ignoresOtherTablesAndRefusesUndescribedRelations() {
    feed(
        new Relation(
            1, "public", "gatehouse_schema_history", 'd', List.of(new Column(true, "x", 25, -1))));
    assertThat(feed(new PgOutputMessage.Insert(1, TupleData.ofText("1")))).isEmpty();
    assertThatThrownBy(() -> feed(new PgOutputMessage.Insert(2, TupleData.ofText("1"))))
        .isInstanceOf(ChangeMappingException.class);
  }

  @Test
  void truncateYieldsOneChangePerKnownTable() {
    feed(POLICIES);
    List<Change<?>> out = feed(new PgOutputMessage.Truncate(0, List.of(POLICIES_OID)));
    assertThat(out).singleElement().extracting(Change::op).isEqualTo(Op.TRUNCATE);
  }

  @Test
  void parsesPostgresTimestampForms() {
    assertThat(RowMapper.parseTimestamp("2026-11-28 18:25:48.123456+00"))
        .isEqualTo(Instant.parse("2026-11-28T18:25:48.123456Z"));
    assertThat(RowMapper.parseTimestamp("2026-11-28 20:25:48+02"))
        .isEqualTo(Instant.parse("2026-11-28T18:25:48Z"));
    assertThat(RowMapper.parseTimestamp("2026-11-28 23:55:48+05:30"))
        .isEqualTo(Instant.parse("2026-11-28T18:25:48Z"));
    assertThatThrownBy(() -> RowMapper.parseTimestamp("yesterday"))
        .isInstanceOf(ChangeMappingException.class);
  }
}
