package dev.gatehouse.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The CEL rules of {@code crds/} and their accept/refuse cases in {@code
 * src/test/resources/cel-rules/} (see the README there).
 */
final class CelRuleCases {
  static final Path CRDS = Path.of("..", "crds");
  static final Path CASES = Path.of("src", "test", "resources", "cel-rules");
  static final String RULE = "gatehouse.dev/cel-rule";
  static final String CASE = "gatehouse.dev/cel-case";
  static final String NAMESPACE = "cel-rules";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private CelRuleCases() {}

  /** One CEL rule as the CRD states it. */
  record Rule(String crd, String rule, String message) {}

  /** One rule's objects from one case file: created first, then accepted, then refused. */
  record Case(
      Path file,
      String rulePrefix,
      List<HasMetadata> existing,
      HasMetadata accept,
      HasMetadata refuse) {
    @Override
    public String toString() {
      return file.getFileName().toString();
    }
  }

  /** Every {@code x-kubernetes-validations} entry in every CRD file. */
  static List<Rule> rulesInCrds() throws IOException {
    List<Rule> rules = new ArrayList<>();
    try (Stream<Path> files = Files.list(CRDS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).sorted().toList()) {
        Object crd = SERIALIZATION.unmarshal(Files.readString(file), Map.class);
        collect(file.getFileName().toString(), crd, rules);
      }
    }
    return rules;
  }

  private static void collect(String crd, Object node, List<Rule> rules) {
    if (node instanceof Map<?, ?> map) {
      if (map.get("x-kubernetes-validations") instanceof List<?> validations) {
        for (Object v : validations) {
          Map<?, ?> validation = (Map<?, ?>) v;
          rules.add(
              new Rule(crd, (String) validation.get("rule"), (String) validation.get("message")));
        }
      }
      map.values().forEach(child -> collect(crd, child, rules));
    } else if (node instanceof List<?> list) {
      list.forEach(child -> collect(crd, child, rules));
    }
  }

  /** Every case file, parsed; a file without exactly one accept and one refuse fails here. */
  static List<Case> cases() throws IOException {
    List<Case> cases = new ArrayList<>();
    try (Stream<Path> files = Files.list(CASES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        cases.add(parse(file));
      }
    }
    return cases;
  }

  private static Case parse(Path file) throws IOException {
    List<HasMetadata> existing = new ArrayList<>();
    List<HasMetadata> accept = new ArrayList<>();
    List<HasMetadata> refuse = new ArrayList<>();
    String prefix = null;
    for (HasMetadata object : load(file)) {
      Map<String, String> annotations = object.getMetadata().getAnnotations();
      prefix = annotations.get(RULE);
      switch (annotations.getOrDefault(CASE, "")) {
        case "existing" -> existing.add(object);
        case "accept" -> accept.add(object);
        case "refuse" -> refuse.add(object);
        default ->
            throw new IllegalArgumentException(
                file + ": " + object.getMetadata().getName() + " has no " + CASE + " annotation");
      }
    }
    if (prefix == null || accept.size() != 1 || refuse.size() != 1) {
      throw new IllegalArgumentException(
          file + " needs one " + RULE + ", one accept and one refuse object");
    }
    return new Case(file, prefix, existing, accept.getFirst(), refuse.getFirst());
  }

  /** The documents of a multi-document YAML file, in order. */
  static List<HasMetadata> load(Path file) throws IOException {
    String text = Files.readString(file, StandardCharsets.UTF_8);
    return Arrays.stream(text.split("(?m)^---\\s*$"))
        .filter(doc -> doc.lines().anyMatch(l -> !l.isBlank() && !l.startsWith("#")))
        .map(doc -> (HasMetadata) SERIALIZATION.unmarshal(doc))
        .toList();
  }
}
