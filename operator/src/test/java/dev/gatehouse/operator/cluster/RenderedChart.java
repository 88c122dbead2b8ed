package dev.gatehouse.operator.cluster;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * The chart in {@code charts/gatehouse}, rendered by the Helm library that helm-java embeds (no
 * helm binary needed), parsed into Fabric8 objects. Kinds Fabric8 does not know (ServiceMonitor)
 * come back as {@link GenericKubernetesResource}.
 */
final class RenderedChart {
  static final Path CHART = Path.of("..", "charts", "gatehouse");
  static final Path REPO_CRDS = Path.of("..", "crds");
  static final Path CHART_CRDS = CHART.resolve("files").resolve("crds");
  static final String RELEASE = "gh";

  /** The version the tests' kube-apiserver runs (e2e/kube/build-binaries.sh). */
  static final String KUBE_VERSION = "v1.34.4";

  private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  private final String yaml;
  private final List<HasMetadata> objects;

  private RenderedChart(String yaml, List<HasMetadata> objects) {
    this.yaml = yaml;
    this.objects = objects;
  }

  /** Renders the chart as release {@code gh} in {@code namespace} with {@code --set} values. */
  static RenderedChart render(String namespace, Map<String, Object> values) {
    if (!Files.isRegularFile(CHART.resolve("Chart.yaml"))) {
      throw new IllegalStateException(
          "no chart at " + CHART.toAbsolutePath().normalize() + ": run the tests from operator/");
    }
    TemplateCommand template =
        new Helm(CHART)
            .template()
            .withName(RELEASE)
            .withNamespace(namespace)
            .withKubeVersion(KUBE_VERSION);
    new LinkedHashMap<>(values).forEach(template::set);
    String yaml = template.call();
    return new RenderedChart(yaml, parse(yaml));
  }

  static RenderedChart render(String namespace) {
    return render(namespace, Map.of());
  }

  static List<HasMetadata> parse(String yaml) {
    List<HasMetadata> objects = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      boolean empty =
          document
              .lines()
              .map(String::strip)
              .allMatch(line -> line.isEmpty() || line.startsWith("#"));
      if (!empty) {
        objects.add(SERIALIZATION.unmarshal(document));
      }
    }
    return objects;
  }

  String yaml() {
    return yaml;
  }

  List<HasMetadata> objects() {
    return objects;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  List<HasMetadata> ofKind(String kind) {
    return objects.stream().filter(o -> kind.equals(o.getKind())).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> name.equals(o.getMetadata().getName())).findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(
            () ->
                new NoSuchElementException(
                    "the chart renders no "
                        + type.getSimpleName()
                        + " "
                        + name
                        + "; it renders "
                        + objects.stream()
                            .map(o -> o.getKind() + "/" + o.getMetadata().getName())
                            .toList()));
  }
}
