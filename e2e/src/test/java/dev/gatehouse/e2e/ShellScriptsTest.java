package dev.gatehouse.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every shell script of the project passes shellcheck (warnings and errors). */
class ShellScriptsTest {
  @Test
  void everyScriptPassesShellcheck() throws IOException, InterruptedException {
    Path root = Path.of("..").toAbsolutePath().normalize();
    List<String> scripts = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      files
          .filter(Files::isRegularFile)
          .filter(f -> f.toString().endsWith(".sh"))
          .filter(f -> !f.toString().contains("/target/") && !f.toString().contains("/.git/"))
          .map(Path::toString)
          .sorted()
          .forEach(scripts::add);
    }
    scripts.add(root.resolve(".ci/run").toString());
    assertThat(scripts).hasSizeGreaterThan(5);

    List<String> command = new ArrayList<>(List.of("shellcheck", "-S", "warning", "-s", "bash"));
    command.addAll(scripts);
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "shellcheck is not installed: run e2e/setup.sh (apt-get install shellcheck)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as("shellcheck findings:%n%s", output).isZero();
  }
}
