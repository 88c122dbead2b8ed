package dev.gatehouse.client;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The client's core is pure: no sockets, TUN, processes, files or clocks (STYLE.md 1). */
class ArchitectureTest {

  static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.client");

  @Test
  void coreDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("dev.gatehouse.client.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.netty..",
            "java.net.http..",
            "java.nio.channels..",
            "java.nio.file..",
            "dev.gatehouse.tunnel.net..",
            "dev.gatehouse.tunnel.tun..",
            "dev.gatehouse.tunnel.runner..",
            "dev.gatehouse.client.control..",
            "dev.gatehouse.client.tunnel..")
        .check(CLASSES);
  }

  @Test
  void coreReadsNoClock() {
    noClasses()
        .that()
        .resideInAPackage("dev.gatehouse.client.core..")
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .check(CLASSES);
  }
}
