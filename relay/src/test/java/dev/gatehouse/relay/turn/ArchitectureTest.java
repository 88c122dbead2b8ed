package dev.gatehouse.relay.turn;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.syntax.ArchRuleDefinition;
import org.junit.jupiter.api.Test;

/** The STUN/TURN core stays pure: no Netty, no I/O, no clocks, no edge (STYLE.md §1, §3, §14). */
class ArchitectureTest {
  private static final JavaClasses CLASSES =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.relay");

  private static final String[] CORE = {
    "dev.gatehouse.relay",
    "dev.gatehouse.relay.stun..",
    "dev.gatehouse.relay.turn..",
    "dev.gatehouse.relay.client.."
  };

  @Test
  void coreImportsNoNettyAndNoEdge() {
    noClasses()
        .that()
        .resideInAnyPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.netty..", "picocli..", "org.slf4j..", "dev.gatehouse.relay.server..")
        .check(CLASSES);
  }

  @Test
  void coreDoesNoIo() {
    noClasses()
        .that()
        .resideInAnyPackage(CORE)
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.nio.channels..", "java.io..", "java.net.http..", "com.sun.net..")
        .check(CLASSES);
  }

  @Test
  void coreReadsNoClockAndStartsNoThreads() {
    ArchRuleDefinition.noClasses()
        .that()
        .resideInAnyPackage(CORE)
        .should()
        .callMethod(System.class, "nanoTime")
        .orShould()
        .callMethod(System.class, "currentTimeMillis")
        .orShould()
        .callMethod(java.time.Instant.class, "now")
        .orShould()
        .dependOnClassesThat()
        .belongToAnyOf(Thread.class, java.util.concurrent.Executor.class)
        .check(CLASSES);
  }

  @Test
  void credentialsDependOnTheJdkOnly() {
    noClasses()
        .that()
        .haveFullyQualifiedName("dev.gatehouse.relay.RelayCredentials")
        .should()
        .dependOnClassesThat()
        .resideOutsideOfPackages("java..", "javax..", "dev.gatehouse.relay")
        .check(CLASSES);
  }
}
