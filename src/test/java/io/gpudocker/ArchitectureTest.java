package io.gpudocker;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * The layering the code keeps: controllers -> operations (the features) -> engine and store interfaces,
 * never upward, and no package importing another that imports it back.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // Spring's ahead-of-time processing (process-aot) writes bean definitions as code beside the classes
            // (Foo__BeanDefinitions, ...__BeanFactoryRegistrations): generated wiring, not the code these rules are about
            .withImportOption(location -> !location.contains("__"))
            .importPackages("io.gpudocker");

    private static final String[] FEATURES = {"io.gpudocker.replicaset..", "io.gpudocker.quota..", "io.gpudocker.usage..", "io.gpudocker.image..", "io.gpudocker.volume..", "io.gpudocker.resource..", "io.gpudocker.recovery..", "io.gpudocker.node..", "io.gpudocker.telemetry..", "io.gpudocker.schedule..", "io.gpudocker.access..", "io.gpudocker.event..", "io.gpudocker.move.."};
    private static final String[] ENGINE_AND_STORE = {"io.gpudocker.docker..", "io.gpudocker.store.."};
    private static final String[] WIRING = {"io.gpudocker", "io.gpudocker.config..", "io.gpudocker.ops..", "io.gpudocker.cli..", "io.gpudocker.web.."};

    @Test
    void noPackageCycles() {
        slices().matching("io.gpudocker.(**)").should().beFreeOfCycles().check(MAIN);
    }

    /** The reconcile repairs what the replicaset operations leave; they never call into it. */
    @Test
    void theReplicaSetOperationsDoNotKnowTheReconcile() {
        noClasses().that().resideInAPackage("io.gpudocker.replicaset..").and().resideOutsideOfPackage("io.gpudocker.replicaset.reconcile..")
                .should().dependOnClassesThat().resideInAPackage("io.gpudocker.replicaset.reconcile..")
                .check(MAIN);
    }

    /** The terminal is built on the replicaset operations and wires itself, ticket endpoint included; they never call into it. */
    @Test
    void theReplicaSetOperationsDoNotKnowTheTerminal() {
        noClasses().that().resideInAPackage("io.gpudocker.replicaset..").and().resideOutsideOfPackage("io.gpudocker.replicaset.terminal..")
                .should().dependOnClassesThat().resideInAPackage("io.gpudocker.replicaset.terminal..")
                .check(MAIN);
    }

    /** A bind and the host paths it may mount are rules on a request: they know the API's contract and no feature. */
    @Test
    void theBindPolicyKnowsOnlyTheContract() {
        noClasses().that().resideInAPackage("io.gpudocker.replicaset.bind..")
                .should().dependOnClassesThat(resideInAPackage("io.gpudocker..").and(resideOutsideOfPackages("io.gpudocker.api..", "io.gpudocker.replicaset.bind..")))
                .check(MAIN);
    }

    /** Images are offered whatever becomes of them: a replicaset may look an image up, the catalog never a replicaset. */
    @Test
    void theImageCatalogKnowsNoReplicaSet() {
        noClasses().that().resideInAPackage("io.gpudocker.image..")
                .should().dependOnClassesThat().resideInAPackage("io.gpudocker.replicaset..")
                .check(MAIN);
    }

    @Test
    void controllersCallOperationsWhichCallTheEngineAndStoreNeverUpward() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("Controllers").definedBy(annotatedWith(RestController.class).or(annotatedWith(RestControllerAdvice.class)))
                .layer("Operations").definedBy(resideInAnyPackage(FEATURES).and(not(annotatedWith(RestController.class))))
                .layer("EngineAndStore").definedBy(ENGINE_AND_STORE)
                .layer("Wiring").definedBy(WIRING)
                .whereLayer("Controllers").mayNotBeAccessedByAnyLayer()
                .whereLayer("Operations").mayOnlyBeAccessedByLayers("Controllers", "Wiring")
                .whereLayer("EngineAndStore").mayOnlyBeAccessedByLayers("Operations", "Wiring")
                .whereLayer("Wiring").mayOnlyBeAccessedByLayers("Operations", "Controllers")
                .check(MAIN);
    }

    /** {@code copy} builds on {@code common} (child processes) and serves the engine and the features alike. */
    @Test
    void sharedFoundationsDependOnNothingAboveThem() {
        noClasses().that().resideInAnyPackage("io.gpudocker.api..", "io.gpudocker.common..", "io.gpudocker.copy..")
                .and().areNotAnnotatedWith(RestController.class)
                .should().dependOnClassesThat().resideInAnyPackage(concat(FEATURES, ENGINE_AND_STORE, WIRING))
                .check(MAIN);
    }

    @Test
    void theEngineAndStoreKnowNoFeature() {
        noClasses().that().resideInAnyPackage(ENGINE_AND_STORE)
                .should().dependOnClassesThat().resideInAnyPackage(concat(FEATURES, WIRING))
                .check(MAIN);
    }

    @Test
    void controllersAreThinAndPackagePrivate() {
        classes().that().areAnnotatedWith(RestController.class).should().notBePublic()
                .andShould().onlyBeAccessed().byClassesThat().areAnnotatedWith(RestController.class)
                .check(MAIN);
    }

    private static String[] concat(String[]... groups) {
        return java.util.Arrays.stream(groups).flatMap(java.util.Arrays::stream).toArray(String[]::new);
    }
}
