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

/** A destination that clients may reach through gateways: an address or an in-cluster Service. */
@Group(Gateway.GROUP)
@Version(Gateway.VERSION)
@Kind("Resource")
@Plural("resources")
@ShortNames("ghres")
@Categories("gatehouse")
@AdditionalPrinterColumn(name = "Address", jsonPath = ".spec.address")
@AdditionalPrinterColumn(name = "Service", jsonPath = ".spec.serviceRef.name")
@AdditionalPrinterColumn(name = "Resolved", jsonPath = ".status.addresses")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Resource extends CustomResource<ResourceSpec, ResourceStatus> implements Namespaced {}
