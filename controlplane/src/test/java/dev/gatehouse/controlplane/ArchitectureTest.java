package dev.gatehouse.controlplane;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The pure cores (caches, decoder, CDC assembly) do no JDBC and pull in no framework. */
class ArchitectureTest {

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.controlplane");

  @Test
  void pureCoresDoNoJdbc() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "..controlplane.cache..", "..controlplane.pgoutput..", "..controlplane.cdc..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("java.sql..", "javax.sql..", "org.postgresql..", "org.flywaydb..")
        .check(MAIN);
  }

  @Test
  void pureCoresImportNoFrameworks() {
    noClasses()
        .that()
        .resideInAnyPackage(
            "..controlplane.cache..", "..controlplane.pgoutput..", "..controlplane.cdc..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("io.fabric8..", "io.quarkus..", "io.netty..", "io.vertx..")
        .check(MAIN);
  }

  @Test
  void decoderDependsOnNothingElseOfTheControlPlane() {
    noClasses()
        .that()
        .resideInAPackage("..controlplane.pgoutput..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("..controlplane.cdc..", "..controlplane.cache..", "..controlplane.pg..")
        .check(MAIN);
  }
}
