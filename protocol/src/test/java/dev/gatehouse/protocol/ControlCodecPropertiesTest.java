package dev.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Hostile input: the decoder answers every frame with Ok or a typed error, never an exception. */
class ControlCodecPropertiesTest {

  private static final List<Direction<?>> DIRECTIONS =
      List.of(
          Direction.CLIENT_INBOUND,
          Direction.CLIENT_OUTBOUND,
          Direction.GATEWAY_INBOUND,
          Direction.GATEWAY_OUTBOUND);

  private final ControlCodec codec = new ControlCodec();

  private void decodesWithoutThrowing(String frame) {
    for (Direction<?> d : DIRECTIONS) {
      Decoded<?> result = codec.decode(frame, d);
      assertThat(result).isNotNull();
      if (result instanceof Decoded.Failed<?> f) {
        assertThat(f.error().reason()).isNotBlank();
        assertThat(f.error().toReply()).isNotNull();
      }
    }
  }

  @Property(tries = 500)
  void arbitraryTextNeverThrows(@ForAll String frame) {
    decodesWithoutThrowing(frame);
  }

  @Property(tries = 1000)
  void mutatedValidFramesNeverThrow(
      @ForAll("validFrames") String frame,
      @ForAll @IntRange(min = 0, max = 10_000) int position,
      @ForAll("junk") String insert,
      @ForAll @IntRange(min = 0, max = 20) int deleteCount) {
    int at = position % (frame.length() + 1);
    int end = Math.min(frame.length(), at + deleteCount);
    decodesWithoutThrowing(frame.substring(0, at) + insert + frame.substring(end));
  }

  @Property(tries = 500)
  void fieldsReplacedByOtherJsonValuesNeverThrow(
      @ForAll("validFrames") String frame, @ForAll("jsonValues") String value) {
    // Replace every string value with a hostile JSON value of any type.
    decodesWithoutThrowing(frame.replaceAll("\"[^\"]*\"(?=[,}\\]])", value));
  }

  @Property(tries = 200)
  void validFramesDecodeToWhatWasEncoded(@ForAll("envelopes") Envelope<?> envelope) {
    Decoded<?> d = codec.decode(codec.encode(envelope), Samples.directionOf(envelope.payload()));
    assertThat(d).isEqualTo(new Decoded.Ok<>(envelope));
  }

  @Provide
  Arbitrary<Envelope<?>> envelopes() {
    return Arbitraries.of(Samples.all());
  }

  @Provide
  Arbitrary<String> validFrames() {
    return Arbitraries.of(Samples.all()).map(codec::encode);
  }

  @Provide
  Arbitrary<String> junk() {
    return Arbitraries.oneOf(
        Arbitraries.strings().ofMaxLength(8),
        Arbitraries.of("{", "}", "[", "]", "\"", ",", ":", "null", "\\u0000", "\\", "1e999999"));
  }

  @Provide
  Arbitrary<String> jsonValues() {
    return Arbitraries.of(
        "null",
        "1",
        "-1",
        "1.5e308",
        "true",
        "[]",
        "{}",
        "\"\"",
        "\"x\"",
        "[null]",
        "{\"a\":[{}]}",
        "99999999999999999999999",
        "\"00000000-0000-0000-0000-00000000000g\"");
  }
}
