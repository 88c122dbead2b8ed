package dev.gatehouse.controlplane.cdc;

import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Column;
import dev.gatehouse.controlplane.pgoutput.TupleData;
import dev.gatehouse.controlplane.pgoutput.TupleData.Datum;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Whatever well-formed pgoutput messages arrive (relations with our table names but any columns,
 * tuples with any values), the assembler yields changes or throws {@link ChangeMappingException},
 * nothing else.
 */
class ChangeAssemblerPropertiesTest {

  private static final List<String> COLUMNS =
      List.of(
          "id",
          "account_id",
          "actor_id",
          "group_id",
          "resource_id",
          "site_id",
          "client_id",
          "gateway_id",
          "policy_id",
          "name",
          "slug",
          "type",
          "address",
          "ip_stack",
          "filters",
          "conditions",
          "public_key",
          "last_seen_version",
          "last_seen_remote_ip",
          "secret_hash",
          "expires_at",
          "disabled_at",
          "deleted_at",
          "verified_at",
          "last_seen_at");

  @Property(tries = 1500)
  void onlyMappingExceptionsEscape(@ForAll("sessions") List<PgOutputMessage> session) {
    ChangeAssembler assembler = new ChangeAssembler();
    long lsn = 1;
    for (PgOutputMessage m : session) {
      try {
        assembler.accept(m, lsn++);
      } catch (ChangeMappingException expected) {
        // the documented outcome for rows that do not fit
      }
    }
  }

  @Provide
  Arbitrary<List<PgOutputMessage>> sessions() {
    Arbitrary<String> value =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(12),
            Arbitraries.create(() -> UUID.randomUUID().toString()),
            Arbitraries.of(
                "2026-11-28 18:25:48.123456+00",
                "2026-02-30 00:00:00+00",
                "infinity",
                "1.4.0",
                "[]",
                "[{\"protocol\":\"tcp\"}]",
                "\\x00ff",
                "10.0.0.1",
                "ip",
                "dual"));
    Arbitrary<Datum> datum =
        Arbitraries.oneOf(
            Arbitraries.just(Datum.Null.INSTANCE), Arbitraries.just(Datum.UnchangedToast.INSTANCE),
            value.map(Datum.Text::new), Arbitraries.just(new Datum.Binary(new byte[] {1})));
    Arbitrary<TupleData> tuple = datum.list().ofMaxSize(8).map(TupleData::new);
    Arbitrary<PgOutputMessage> relation =
        Arbitraries.of(Table.values())
            .flatMap(
                t ->
                    Arbitraries.of(COLUMNS)
                        .list()
                        .ofMaxSize(10)
                        .uniqueElements()
                        .map(
                            cols -> {
                              List<Column> columns = new ArrayList<>();
                              for (String c : cols) {
                                columns.add(new Column(c.equals("id"), c, 25, -1));
                              }
                              return new PgOutputMessage.Relation(
                                  1 + t.ordinal() % 3, "public", t.sqlName(), 'f', columns);
                            }));
    Arbitrary<Integer> oid = Arbitraries.integers().between(1, 4);
    Arbitrary<PgOutputMessage> row =
        Arbitraries.oneOf(
            Arbitraries.integers()
                .between(1, 4)
                .flatMap(o -> tuple.map(t -> new PgOutputMessage.Insert(o, t))),
            oid.flatMap(
                o -> tuple.flatMap(a -> tuple.map(b -> new PgOutputMessage.Update(o, 'O', a, b)))),
            oid.flatMap(o -> tuple.map(b -> new PgOutputMessage.Update(o, (char) 0, null, b))),
            oid.flatMap(o -> tuple.map(a -> new PgOutputMessage.Delete(o, 'O', a))),
            Arbitraries.integers()
                .between(1, 4)
                .list()
                .ofMaxSize(3)
                .map(l -> new PgOutputMessage.Truncate(0, l)),
            Arbitraries.just(new PgOutputMessage.Begin(7, Instant.EPOCH, 1)),
            Arbitraries.just(new PgOutputMessage.Commit(0, 7, 8, Instant.EPOCH)));
    return Arbitraries.oneOf(relation, row, row)
        .list()
        .ofMaxSize(12)
        .map(l -> l.isEmpty() ? l : new ArrayList<>(l));
  }
}
