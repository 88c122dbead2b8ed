package dev.gatehouse.protocol;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The protocol is pure: gateways and clients depend on it, so it must not drag I/O in. */
class ArchitectureTest {

  @Test
  void protocolDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("dev.gatehouse.protocol..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.netty..",
            "java.net..",
            "java.sql..",
            "java.nio.channels..",
            "io.quarkus..",
            "io.fabric8..",
            "dev.gatehouse.controlplane..")
        .check(
            new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.gatehouse.protocol"));
  }
}
