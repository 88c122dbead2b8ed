package dev.gatehouse.tunnel;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The protocol core stays pure: no Netty, Quarkus or Fabric8, no adapters (STYLE.md §1, §14). */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.tunnel");

  @Test
  void coreImportsNoFrameworks() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.gatehouse.tunnel.wireguard..",
            "dev.gatehouse.tunnel.packet..",
            "dev.gatehouse.tunnel.filter..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.netty..", "io.quarkus..", "io.fabric8..")
        .check(CLASSES);
  }

  @Test
  void coreDoesNotDependOnAdapters() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "dev.gatehouse.tunnel.wireguard..",
            "dev.gatehouse.tunnel.packet..",
            "dev.gatehouse.tunnel.filter..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.gatehouse.tunnel.net..",
            "dev.gatehouse.tunnel.tun..",
            "dev.gatehouse.tunnel.runner..")
        .check(CLASSES);
  }

  @Test
  void coreDoesNoIoOrSystemTime() {
    noClasses()
        .that()
        .resideInAnyPackage("dev.gatehouse.tunnel.wireguard..", "dev.gatehouse.tunnel.packet..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.nio.channels..", "java.io..", "java.net.http..")
        .check(CLASSES);
  }
}
