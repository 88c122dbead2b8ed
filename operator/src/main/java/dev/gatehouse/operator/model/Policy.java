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

/** Grants a group of actors access to one {@link Resource}, optionally under conditions. */
@Group(Gateway.GROUP)
@Version(Gateway.VERSION)
@Kind("Policy")
@Plural("policies")
@ShortNames("ghpol")
@Categories("gatehouse")
@AdditionalPrinterColumn(name = "Group", jsonPath = ".spec.group")
@AdditionalPrinterColumn(name = "Resource", jsonPath = ".spec.resourceRef.name")
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".spec.expiresAt")
@AdditionalPrinterColumn(
    name = "Ready",
    jsonPath = ".status.conditions[?(@.type==\"Ready\")].status")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Policy extends CustomResource<PolicySpec, PolicyStatus> implements Namespaced {}
