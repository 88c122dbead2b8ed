package dev.gatehouse.controlplane.pgoutput;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Column;
import dev.gatehouse.controlplane.pgoutput.TupleData.Datum;
import java.time.Instant;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Hostile input never makes the decoder throw anything but {@link PgOutputFormatException}. */
class PgOutputDecoderPropertiesTest {

  private final PgOutputDecoder decoder = new PgOutputDecoder();
  private final PgOutputEncoder encoder = new PgOutputEncoder();

  @Property(tries = 3000)
  void randomBytesDecodeOrFailWithFormatException(@ForAll @Size(max = 200) byte[] bytes) {
    decodeOrFormatError(bytes);
  }

  @Property(tries = 2000)
  void randomBytesAfterAValidTagDecodeOrFailWithFormatException(
      @ForAll("tags") byte tag, @ForAll @Size(max = 120) byte[] rest) {
    byte[] bytes = new byte[rest.length + 1];
    bytes[0] = tag;
    System.arraycopy(rest, 0, bytes, 1, rest.length);
    decodeOrFormatError(bytes);
  }

  @Property(tries = 1000)
  void validMessagesRoundTrip(@ForAll("messages") PgOutputMessage message) {
    assertThat(decoder.decode(encoder.encode(message))).isEqualTo(message);
  }

  @Property(tries = 1000)
  void truncatedOrMutatedValidMessagesFailOnlyWithFormatException(
      @ForAll("messages") PgOutputMessage message, @ForAll int cut, @ForAll byte flip) {
    byte[] bytes = encoder.encode(message);
    int at = Math.floorMod(cut, bytes.length);
    decodeOrFormatError(Arrays.copyOf(bytes, at));
    byte[] mutated = bytes.clone();
    mutated[at] ^= (flip == 0 ? 1 : flip);
    decodeOrFormatError(mutated);
  }

  private void decodeOrFormatError(byte[] bytes) {
    try {
      assertThat(decoder.decode(bytes)).isNotNull();
    } catch (PgOutputFormatException expected) {
      // the documented result for bad input
    }
  }

  @Provide
  Arbitrary<Byte> tags() {
    return Arbitraries.of(
        (byte) 'B',
        (byte) 'C',
        (byte) 'O',
        (byte) 'R',
        (byte) 'Y',
        (byte) 'I',
        (byte) 'U',
        (byte) 'D',
        (byte) 'T');
  }

  @Provide
  Arbitrary<PgOutputMessage> messages() {
    Arbitrary<String> text =
        Arbitraries.strings().ofMaxLength(20).filter(s -> s.indexOf('\0') < 0 && !hasSurrogate(s));
    Arbitrary<Datum> datum =
        Arbitraries.oneOf(
            Arbitraries.just(Datum.Null.INSTANCE),
            Arbitraries.just(Datum.UnchangedToast.INSTANCE),
            text.map(Datum.Text::new),
            Arbitraries.bytes().array(byte[].class).ofMaxSize(8).map(Datum.Binary::new));
    Arbitrary<TupleData> tuple = datum.list().ofMaxSize(6).map(TupleData::new);
    Arbitrary<Instant> time =
        Arbitraries.longs().between(0, 4_000_000_000L).map(s -> Instant.ofEpochSecond(s, 123_000));
    Arbitrary<Column> column =
        Combinators.combine(
                Arbitraries.of(true, false), text, Arbitraries.integers(), Arbitraries.integers())
            .as(Column::new);
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.longs(), time, Arbitraries.integers())
            .as(PgOutputMessage.Begin::new),
        Combinators.combine(
                Arbitraries.integers().between(0, 255),
                Arbitraries.longs(),
                Arbitraries.longs(),
                time)
            .as(PgOutputMessage.Commit::new),
        Combinators.combine(
                Arbitraries.integers(),
                text,
                text,
                Arbitraries.of('d', 'n', 'f', 'i'),
                column.list().ofMaxSize(5))
            .as(PgOutputMessage.Relation::new),
        Combinators.combine(Arbitraries.integers(), tuple).as(PgOutputMessage.Insert::new),
        Combinators.combine(Arbitraries.integers(), Arbitraries.of('K', 'O'), tuple, tuple)
            .as(PgOutputMessage.Update::new),
        Combinators.combine(Arbitraries.integers(), Arbitraries.of('K', 'O'), tuple)
            .as(PgOutputMessage.Delete::new),
        Combinators.combine(
                Arbitraries.integers().between(0, 3), Arbitraries.integers().list().ofMaxSize(5))
            .as(PgOutputMessage.Truncate::new));
  }

  private static boolean hasSurrogate(String s) {
    return s.chars().anyMatch(c -> Character.isSurrogate((char) c));
  }
}
