package dev.gatehouse.apinode;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The cores stay pure; Netty stays in the edge; JDBC stays in the stores. */
class ArchitectureTest {

  private final JavaClasses classes =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.gatehouse.apinode");

  @Test
  void coreDoesNoIo() {
    noClasses()
        .that()
        .resideInAPackage("..apinode.core..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.netty..",
            "java.sql..",
            "java.net..",
            "org.postgresql..",
            "dev.gatehouse.controlplane.pg..",
            "..apinode.store..",
            "..apinode.channel..",
            "..apinode.net..",
            "..apinode.bus..")
        .check(classes);
  }

  @Test
  void nettyOnlyInTheEdge() {
    noClasses()
        .that()
        .resideOutsideOfPackages("..apinode.net..", "dev.gatehouse.apinode")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.netty..")
        .check(classes);
  }

  @Test
  void onlyStoresTouchJdbc() {
    noClasses()
        .that()
        .resideInAnyPackage("..apinode.core..", "..apinode.channel..", "..apinode.admin..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("org.postgresql..")
                .or(
                    JavaClass.Predicates.belongToAnyOf(
                        Connection.class,
                        PreparedStatement.class,
                        ResultSet.class,
                        Statement.class,
                        DriverManager.class)))
        .because("SQL lives in the store package; others may only see SQLException")
        .check(classes);
  }
}
