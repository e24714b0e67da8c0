package io.dcloud.app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of docs/ARCHITECTURE.md, checked on the compiled main classes of every
 * module (this module sees them all): a change that brings a cycle back fails here, not in review.
 */
class ArchitectureTest {
  private static final JavaClasses DCLOUD = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      // Other modules' test-jars (test helpers this module's tests share) are tests too.
      .withImportOption(location -> !location.contains("-tests.jar"))
      .importPackages("io.dcloud");

  @Test
  void packagesDependOnEachOtherWithoutCycles() {
    slices().matching("io.dcloud.(**)").should().beFreeOfCycles().check(DCLOUD);
  }

  @Test
  void theSchedulerKnowsNothingOfEnvironments() {
    noClasses().that().resideInAPackage("io.dcloud.scheduler..")
        .should().dependOnClassesThat().resideInAPackage("io.dcloud.environment..")
        .check(DCLOUD);
  }

  @Test
  void nodesKnowNeitherEnvironmentsNorTheScheduler() {
    noClasses().that().resideInAPackage("io.dcloud.node..")
        .should().dependOnClassesThat().resideInAnyPackage("io.dcloud.environment..", "io.dcloud.scheduler..")
        .check(DCLOUD);
  }
}
