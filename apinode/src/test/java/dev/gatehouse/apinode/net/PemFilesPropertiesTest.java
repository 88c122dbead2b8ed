package dev.gatehouse.apinode.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;

/** Hostile PEM and DER: only IllegalArgumentException, always naming the source. */
class PemFilesPropertiesTest {

  @Property(tries = 500)
  void anyKeyBlockFailsCleanly(@ForAll @Size(max = 300) byte[] der, @ForAll("types") String type) {
    Throwable t =
        catchThrowable(() -> PemFiles.privateKey(TestCertificates.pem(type, der), "the-file"));
    if (t != null) {
      assertThat(t).isInstanceOf(IllegalArgumentException.class);
      assertThat(t.getMessage()).startsWith("the-file ");
    }
  }

  @Property(tries = 300)
  void anyTextFailsCleanly(@ForAll @StringLength(max = 400) String text) {
    Throwable k = catchThrowable(() -> PemFiles.privateKey(text, "k"));
    Throwable c = catchThrowable(() -> PemFiles.certificates(text, "c"));
    assertThat(k).isInstanceOf(IllegalArgumentException.class);
    assertThat(c).isInstanceOf(IllegalArgumentException.class);
  }

  @Property(tries = 1000)
  void ecParametersOfAnyBytesFailCleanly(@ForAll @Size(max = 200) byte[] sec1) {
    Throwable t = catchThrowable(() -> PemFiles.ecAlgorithm(sec1));
    if (t != null) {
      assertThat(t).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<String> types() {
    return net.jqwik.api.Arbitraries.of("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY");
  }
}
