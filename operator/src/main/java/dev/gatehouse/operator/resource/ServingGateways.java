package dev.gatehouse.operator.resource;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.ResourceSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Which Gateways serve a resource: named ones, selected ones, or all in the namespace. Pure. */
public final class ServingGateways {
  private ServingGateways() {}

  /** Names of the serving gateways among those in the resource's namespace, sorted. */
  public static List<String> select(ResourceSpec spec, Collection<Gateway> gateways) {
    return gateways.stream()
        .filter(gateway -> gateway.getMetadata().getDeletionTimestamp() == null)
        .filter(gateway -> serves(spec, gateway))
        .map(gateway -> gateway.getMetadata().getName())
        .sorted()
        .toList();
  }

  private static boolean serves(ResourceSpec spec, Gateway gateway) {
    if (spec.getGatewayRefs() != null) {
      return spec.getGatewayRefs().contains(gateway.getMetadata().getName());
    }
    if (spec.getGatewaySelector() != null) {
      return matches(spec.getGatewaySelector(), gateway.getMetadata().getLabels());
    }
    return true;
  }

  /** Kubernetes label-selector semantics: every matchLabel and every expression must hold. */
  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    Map<String, String> actual = labels == null ? Map.of() : labels;
    if (selector.getMatchLabels() != null) {
      for (Map.Entry<String, String> wanted : selector.getMatchLabels().entrySet()) {
        if (!wanted.getValue().equals(actual.get(wanted.getKey()))) {
          return false;
        }
      }
    }
    if (selector.getMatchExpressions() != null) {
      for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
        if (!matches(requirement, actual)) {
          return false;
        }
      }
    }
    return true;
  }

  private static boolean matches(LabelSelectorRequirement requirement, Map<String, String> labels) {
    String value = labels.get(requirement.getKey());
    List<String> values = requirement.getValues() == null ? List.of() : requirement.getValues();
    return switch (requirement.getOperator()) {
      case "In" -> value != null && values.contains(value);
      case "NotIn" -> value == null || !values.contains(value);
      case "Exists" -> value != null;
      case "DoesNotExist" -> value == null;
      default -> false;
    };
  }
}
