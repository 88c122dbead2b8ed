package dev.gatehouse.controlplane.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Begin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Column;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Commit;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Delete;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Insert;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Relation;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Truncate;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Update;
import dev.gatehouse.controlplane.pgoutput.TupleData.Datum;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {

  private final PgOutputDecoder decoder = new PgOutputDecoder();
  private final PgOutputEncoder encoder = new PgOutputEncoder();

  @Test
  void decodesBeginBytesAsPostgresWritesThem() {
    // 'B', final LSN 0/16B3748, commit time 2000-01-01T00:00:01Z (1,000,000 µs), xid 735
    byte[] bytes =
        HexFormat.of().parseHex("42" + "00000000016B3748" + "00000000000F4240" + "000002DF");
    assertThat(decoder.decode(bytes))
        .isEqualTo(new Begin(0x16B3748L, Instant.parse("2000-01-01T00:00:01Z"), 735));
  }

  @Test
  void decodesInsertWithTextNullAndUnchangedToast() {
    byte[] bytes =
        HexFormat.of()
            .parseHex("49" + "00004000" + "4E" + "0003" + "74" + "00000002" + "6869" + "6E" + "75");
    assertThat(decoder.decode(bytes))
        .isEqualTo(
            new Insert(
                0x4000,
                new TupleData(
                    List.of(
                        new Datum.Text("hi"),
                        Datum.Null.INSTANCE,
                        Datum.UnchangedToast.INSTANCE))));
  }

  @Test
  void roundTripsEveryMessageKind() {
    List<PgOutputMessage> messages =
        List.of(
            new Begin(42, Instant.parse("2026-11-28T18:00:00.123456Z"), 7),
            new Commit(0, 42, 50, Instant.parse("2026-11-28T18:00:00.123456Z")),
            new Relation(
                16384,
                "public",
                "policies",
                'f',
                List.of(
                    new Column(true, "id", 2950, -1), new Column(false, "conditions", 3802, -1))),
            new Insert(16384, TupleData.ofText("a", null)),
            new Update(16384, 'O', TupleData.ofText("a", "b"), TupleData.ofText("a", "c")),
            new Update(16384, (char) 0, null, TupleData.ofText("a", "c")),
            new Delete(16384, 'K', TupleData.ofText("a", null)),
            new Truncate(1, List.of(1, 2, 3)),
            new PgOutputMessage.Origin(9, "node-ü"),
            new PgOutputMessage.Type(25, "public", "citext"));
    for (PgOutputMessage m : messages) {
      assertThat(decoder.decode(encoder.encode(m))).as(m.toString()).isEqualTo(m);
    }
  }

  @Test
  void rejectsMalformedInputWithTheDocumentedException() {
    String[] hostile = {
      "", // empty
      "5A", // unknown tag 'Z'
      "42000000", // truncated Begin
      "4900004000" + "4E" + "FFFF", // negative column count
      "4900004000" + "4E" + "0001" + "74" + "7FFFFFFF", // text length beyond the input
      "4900004000" + "4E" + "0001" + "78", // unknown value kind 'x'
      "4900004000" + "58" + "0000", // insert without 'N'
      "5200000001" + "7075626C6963", // unterminated namespace string
      "4900004000" + "4E" + "0001" + "74" + "00000001" + "FF", // invalid UTF-8
      "4900004000" + "4E" + "0000" + "00", // trailing byte
      "54" + "7FFFFFFF" + "00", // truncate count beyond the input
    };
    for (String hex : hostile) {
      assertThatThrownBy(() -> decoder.decode(HexFormat.of().parseHex(hex)))
          .as(hex)
          .isInstanceOf(PgOutputFormatException.class);
    }
  }
}
