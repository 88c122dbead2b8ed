package dev.gatehouse.tunnel.runner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad command lines get one clear line and exit 2, before any device is touched. */
class TunnelRunnerArgsTest {
  @TempDir Path dir;

  private record Outcome(int exit, String stderr) {}

  private static Outcome run(String... args) throws IOException, InterruptedException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(java, "-cp", cp, TunnelRunner.class.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return new Outcome(p.exitValue(), err.strip());
  }

  @Test
  void aMissingConfigFileIsNamed() throws Exception {
    Outcome o = run(dir.resolve("absent.conf").toString());
    assertThat(o.exit()).isEqualTo(2);
    assertThat(o.stderr())
        .isEqualTo(
            "TunnelRunner: cannot read the configuration file " + dir.resolve("absent.conf"));
  }

  @Test
  void outOfRangeOrNonNumericFlagsAreRefusedByName() throws Exception {
    Path conf = Files.writeString(dir.resolve("wg.conf"), "[Interface]\n");
    Outcome tooMany = run(conf.toString(), "--crypto-workers", "99");
    assertThat(tooMany.exit()).isEqualTo(2);
    assertThat(tooMany.stderr())
        .isEqualTo("TunnelRunner: --crypto-workers needs a number from 0 to 6, not 99");
    Outcome word = run(conf.toString(), "--rekey-after-seconds", "soon");
    assertThat(word.exit()).isEqualTo(2);
    assertThat(word.stderr()).contains("--rekey-after-seconds needs a number", "not soon");
    Outcome missing = run(conf.toString(), "--under-load-threshold");
    assertThat(missing.exit()).isEqualTo(2);
    assertThat(missing.stderr()).contains("--under-load-threshold needs a number from 0");
  }
}
