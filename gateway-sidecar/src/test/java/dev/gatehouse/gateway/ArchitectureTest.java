package dev.gatehouse.gateway;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The gateway's agent is pure (no I/O, no clock), and only the Quarkus shell package knows Quarkus
 * (STYLE.md 1 and 11).
 */
class ArchitectureTest {

  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.gateway");

  @Test
  void agentDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("dev.gatehouse.gateway.agent..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.netty..",
            "io.quarkus..",
            "java.net.http..",
            "java.nio.channels..",
            "java.nio.file..",
            "dev.gatehouse.tunnel.net..",
            "dev.gatehouse.tunnel.tun..",
            "dev.gatehouse.tunnel.runner..",
            "dev.gatehouse.client.control..",
            "dev.gatehouse.gateway.tunnel..")
        .check(CLASSES);
    noClasses()
        .that()
        .resideInAPackage("dev.gatehouse.gateway.agent..")
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .check(CLASSES);
  }

  @Test
  void onlyTheShellKnowsQuarkus() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.gatehouse.gateway.agent..",
            "dev.gatehouse.gateway.tunnel..",
            "dev.gatehouse.gateway.config..",
            "dev.gatehouse.gateway.control..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.quarkus..", "jakarta..", "io.micrometer..", "org.eclipse..")
        .check(CLASSES);
  }
}
