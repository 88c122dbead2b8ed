package dev.gatehouse.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.gateway.GatewayValidator;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.policy.PolicyValidator;
import dev.gatehouse.operator.resource.ResourceValidator;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file in {@code examples/} parses into the model; valid ones pass the operator's checks and
 * every invalid one fails them with the message it announces in {@code
 * gatehouse.dev/expected-error}. The kind e2e's manifests ({@code e2e/kind/*.yaml}, but for the
 * kind cluster configuration) are held to the same standard as the valid examples.
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("..", "examples");
  static final Path KIND_E2E = Path.of("..", "e2e", "kind");
  static final String EXPECTED_ERROR = "gatehouse.dev/expected-error";

  static Stream<Path> validExamples() throws IOException {
    return yamlFiles(EXAMPLES);
  }

  /** The Kubernetes objects the kind e2e applies (cluster.yaml configures kind, not Kubernetes). */
  static Stream<Path> kindE2eManifests() throws IOException {
    return yamlFiles(KIND_E2E).filter(f -> !f.getFileName().toString().equals("cluster.yaml"));
  }

  static Stream<Path> invalidExamples() throws IOException {
    return yamlFiles(EXAMPLES.resolve("invalid"));
  }

  @ParameterizedTest
  @MethodSource({"validExamples", "kindE2eManifests"})
  void validExampleParsesAndPassesValidation(Path file) throws IOException {
    HasMetadata object = load(file);
    assertThat(object.getMetadata().getName()).isNotBlank();
    if (object.getApiVersion().startsWith("gatehouse.dev/")) {
      assertThat(object).isInstanceOfAny(Gateway.class, Resource.class, Policy.class);
    }
    assertThat(problems(object)).as("problems in %s", file).isEmpty();
  }

  @ParameterizedTest
  @MethodSource("invalidExamples")
  void invalidExampleIsRejectedWithItsMessage(Path file) throws IOException {
    HasMetadata object = load(file);
    assertThat(object).isInstanceOfAny(Gateway.class, Resource.class, Policy.class);
    String expected = object.getMetadata().getAnnotations().get(EXPECTED_ERROR);
    assertThat(expected).as("%s announces its error", file).isNotBlank();
    assertThat(problems(object)).anySatisfy(problem -> assertThat(problem).contains(expected));
  }

  static HasMetadata load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return Serialization.unmarshal(in);
    }
  }

  private static List<String> problems(HasMetadata object) {
    return switch (object) {
      case Gateway gateway -> GatewayValidator.validate(gateway.getSpec());
      case Resource resource -> ResourceValidator.validate(resource.getSpec());
      case Policy policy -> PolicyValidator.validate(policy.getSpec());
      default -> List.of();
    };
  }

  private static Stream<Path> yamlFiles(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }
}
