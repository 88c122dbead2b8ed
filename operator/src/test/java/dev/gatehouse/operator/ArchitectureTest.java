package dev.gatehouse.operator;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** Module boundaries: the CRD model is the API and depends on nothing but the Kubernetes model. */
class ArchitectureTest {
  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.operator");

  @Test
  void modelDoesNotDependOnProcessingOrClients() {
    noClasses()
        .that()
        .resideInAPackage("dev.gatehouse.operator.model..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.javaoperatorsdk..",
            "dev.gatehouse.client..",
            "dev.gatehouse.operator.gateway..",
            "dev.gatehouse.operator.resource..",
            "dev.gatehouse.operator.policy..",
            "io.fabric8.kubernetes.client.dsl..",
            "io.netty..",
            "io.quarkus..")
        .check(classes);
  }

  @Test
  void pureDesiredStateAndStatusDoNoIo() {
    noClasses()
        .that()
        .haveSimpleNameEndingWith("Aggregator")
        .or()
        .haveSimpleNameEndingWith("Validator")
        .or()
        .haveNameMatching(
            ".*\\.(GatewayDeployments|GatewayServices|GatewayNames|ServiceResolution|ServingGateways|Conditions)")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.fabric8.kubernetes.client..", "io.javaoperatorsdk..", "java.net..", "java.io..")
        .check(classes);
  }
}
