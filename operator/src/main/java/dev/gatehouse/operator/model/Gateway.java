package dev.gatehouse.operator.model;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A group of gateway pods that terminate WireGuard tunnels and forward authorized traffic to
 * resources. Short name {@code ghgw} so that it never clashes with Gateway API's {@code Gateway}.
 */
@Group(Gateway.GROUP)
@Version(Gateway.VERSION)
@Kind("Gateway")
@Plural("gateways")
@ShortNames("ghgw")
@Categories("gatehouse")
@AdditionalPrinterColumn(name = "Site", jsonPath = ".spec.site")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Replicas",
    jsonPath = ".status.readyReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Connected",
    jsonPath = ".status.connectedReplicas",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Gateway extends CustomResource<GatewaySpec, GatewayStatus> implements Namespaced {
  public static final String GROUP = "gatehouse.dev";
  public static final String VERSION = "v1alpha1";

  /** The site this gateway joins: {@code spec.site}, or the Gateway's name when unset. */
  public String siteName() {
    String site = getSpec() == null ? null : getSpec().getSite();
    return site == null || site.isBlank() ? getMetadata().getName() : site;
  }
}
