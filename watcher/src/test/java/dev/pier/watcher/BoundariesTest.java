package dev.pier.watcher;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.pier.proxy.ProxyConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The boundaries between Pier's parts, checked on the compiled classes of all three modules: a change that crosses
 * one fails the build instead of eroding a comment. Module dependencies already keep the proxy from the watcher and
 * fabric8, and tls from both; these rules hold inside the modules too.
 */
class BoundariesTest {
    private static JavaClasses pier;

    @BeforeAll
    static void importPier() {
        // Main classes only: test classes come from test-classes directories and the modules' test jars.
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        pier = new ClassFileImporter().withImportOption(mainOnly).importPackages("dev.pier");
    }

    /** The routing model is the contract between the control plane and the data plane: the JDK alone. */
    @Test
    void theRoutingModelUsesTheJdkAlone() {
        classes().that().resideInAPackage("dev.pier.proxy.route..")
                .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "dev.pier.proxy.route.."))
                .check(pier);
    }

    @Test
    void theDataPlaneKnowsNothingOfKubernetesOrTheControlPlane() {
        noClasses().that().resideInAPackage("dev.pier.proxy..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pier.watcher..", "io.fabric8..")
                .check(pier);
    }

    @Test
    void theProxySettingsDependOnNoImplementation() {
        classes().that(belongToAnyOf(ProxyConfig.class))
                .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "dev.pier.proxy")) // that package only
                .check(pier);
    }

    @Test
    void tlsIsALibraryOfItsOwn() {
        classes().that().resideInAPackage("dev.pier.tls..")
                .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "javax..", "dev.pier.tls..",
                        "org.bouncycastle.."))
                .check(pier);
    }

    /** The translation is a pure function of objects: no client, no I/O library, no Netty, no other watcher part. */
    @Test
    void theTranslationIsPure() {
        classes().that().resideInAPackage("dev.pier.watcher.translate..")
                .should().onlyDependOnClassesThat(resideInAnyPackage("java..", "dev.pier.watcher.translate..",
                        "dev.pier.proxy.route..", "dev.pier.tls..", "io.fabric8.kubernetes.api.model..",
                        "io.fabric8.kubernetes.api.builder.."))
                .check(pier);
    }

    /** Configuration sources hand snapshots to a {@code ConfigSink}; what is behind it is the application's. */
    @Test
    void sourcesDependOnTheSinkNotOnTheApplication() {
        noClasses().that().resideInAnyPackage("dev.pier.watcher.cluster..", "dev.pier.watcher.manifest..",
                        "dev.pier.watcher.source..")
                .should().dependOnClassesThat().resideInAPackage("dev.pier.watcher")
                .check(pier);
    }

    @Test
    void theRequestPathDoesNotReachTheAdminOrTheControlPlane() {
        noClasses().that().resideInAPackage("dev.pier.proxy.http..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.pier.proxy.admin..", "dev.pier.watcher..")
                .check(pier);
    }
}
