package dev.pier.watcher.translate;

import static dev.pier.watcher.translate.Fixtures.ingress;
import static dev.pier.watcher.translate.Fixtures.objects;
import static dev.pier.watcher.translate.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.Route;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TranslatorTest {
    private static final String T1 = "2026-01-01T00:00:00Z";
    private static final String T2 = "2026-02-01T00:00:00Z";

    private static Translation translate(String yaml) {
        return translate(yaml, TranslatorConfig.defaults());
    }

    private static Translation translate(String yaml, TranslatorConfig config) {
        return Translator.translate(ClusterState.of(objects(yaml)), config);
    }

    private static List<Reason> reasons(Translation t) {
        return t.problems().stream().map(Problem::reason).toList();
    }

    @Test
    void numberedPortResolvesToTheSlicePortOfTheSameName() {
        Translation t = translate(service("web", "10.0.0.5", 8080) + ingress("web", T1, "a.com", "/", "Prefix", "web"));
        Route r = t.table().match("a.com", "/x");
        assertThat(t.endpointsOf(r).endpoints()).containsExactly(new Endpoint("10.0.0.5", 8080));
        assertThat(r.source().toString()).isEqualTo("default/web");
        assertThat(t.problems()).isEmpty();
        assertThat(t.served()).containsExactly(new ObjectRef("Ingress", "default", "web"));
    }

    @Test
    void namedPortAndSeveralSlicesWithDifferentPortsDuringARollout() {
        Translation t = translate("""
                apiVersion: v1
                kind: Service
                metadata: {name: api}
                spec:
                  clusterIP: None
                  ports: [{name: grpc, port: 9000}, {name: web, port: 80, targetPort: web}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: api-old, labels: {kubernetes.io/service-name: api}}
                addressType: IPv4
                ports: [{name: web, port: 8080}, {name: grpc, port: 9000}]
                endpoints:
                  - {addresses: [10.0.0.1], conditions: {ready: true}}
                  - {addresses: [10.0.0.2], conditions: {ready: false}}
                  - {addresses: [10.0.0.3]}
                  - {addresses: [10.0.0.3, 10.0.0.1]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: api-new, labels: {kubernetes.io/service-name: api}}
                addressType: IPv4
                ports: [{name: web, port: 8081}]
                endpoints:
                  - {addresses: [10.0.0.4], conditions: {ready: true}}
                  - {addresses: [10.0.0.1], conditions: {ready: true}}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: api}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: api.com
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: api, port: {name: web}}}}
                """);
        // headless Service; ready unset counts as ready; ready: false is left out; both slices' ports apply; an
        // endpoint listed twice counts once
        assertThat(t.endpointsOf(t.table().match("api.com", "/")).endpoints()).containsExactly(
                new Endpoint("10.0.0.1", 8080), new Endpoint("10.0.0.1", 8081), new Endpoint("10.0.0.3", 8080),
                new Endpoint("10.0.0.4", 8081));
        assertThat(t.problems()).isEmpty();
    }

    @Test
    void v1EndpointsAreUsedWhenAServiceHasNoSlice() {
        Translation t = translate("""
                apiVersion: v1
                kind: Service
                metadata: {name: old}
                spec: {ports: [{port: 80, targetPort: 3000}]}
                ---
                apiVersion: v1
                kind: Endpoints
                metadata: {name: old}
                subsets:
                  - addresses: [{ip: 10.1.0.1}]
                    notReadyAddresses: [{ip: 10.1.0.2}]
                    ports: [{port: 3000}]
                ---
                """ + ingress("old", T1, "old.com", "/", "Prefix", "old"));
        assertThat(t.endpointsOf(t.table().match("old.com", "/")).endpoints()).containsExactly(new Endpoint("10.1.0.1", 3000));
    }

    @Test
    void unresolvableBackendsStayAsRoutesThatAnswer503() {
        Translation t = translate(service("web", "10.0.0.5", 8080) + """
                apiVersion: v1
                kind: Service
                metadata: {name: idle}
                spec: {ports: [{name: http, port: 80}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: broken}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: a.com
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                          - {path: /missing, pathType: Prefix, backend: {service: {name: nope, port: {number: 80}}}}
                          - {path: /port, pathType: Prefix, backend: {service: {name: web, port: {number: 81}}}}
                          - {path: /idle, pathType: Prefix, backend: {service: {name: idle, port: {number: 80}}}}
                          - {path: /res, pathType: Prefix, backend: {resource: {kind: Bucket, name: b, apiGroup: x.io}}}
                """);
        assertThat(reasons(t)).containsExactly(Reason.ServiceNotFound, Reason.PortNotFound, Reason.NoReadyEndpoints,
                Reason.UnsupportedBackend);
        for (String path : List.of("/missing/x", "/port", "/idle", "/res")) {
            Route r = t.table().match("a.com", path);
            assertThat(t.endpointsOf(r).available()).as(path).isFalse(); // 503, not a fall-through to "/"
            assertThat(t.endpointsOf(r).problem()).as(path).isNotBlank();
        }
        assertThat(t.endpointsOf(t.table().match("a.com", "/ok")).available()).isTrue();
        assertThat(t.problems().get(0).field()).isEqualTo("spec.rules[0].http.paths[1].backend.service.name");
    }

    @Test
    void servicesAreNeverTakenFromAnotherNamespace() {
        Translation t = translate(service("web", "10.0.0.5", 8080) + """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web, namespace: team-b}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: b.com
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                """);
        assertThat(t.endpointsOf(t.table().match("b.com", "/")).available()).isFalse();
        assertThat(reasons(t)).containsExactly(Reason.ServiceNotFound);
        assertThat(t.problems().get(0).message()).contains("team-b/web");
    }

    @Test
    void theOlderIngressWinsAConflictAndPathsOfDifferentIngressesMerge() {
        Translation t = translate(service("old", "10.0.0.1", 80) + service("new", "10.0.0.2", 80)
                + ingress("newer", T2, "a.com", "/app", "Prefix", "new")
                + ingress("older", T1, "a.com", "/app/", "Prefix", "old")
                + ingress("extra", T2, "a.com", "/other", "Exact", "new"));
        assertThat(t.table().match("a.com", "/app").backend().service()).isEqualTo("old");
        assertThat(t.table().match("a.com", "/other").backend().service()).isEqualTo("new");
        assertThat(t.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.PathConflict);
            assertThat(p.object().name()).isEqualTo("newer");
            assertThat(p.message()).contains("default/older");
        });
    }

    @Test
    void defaultBackendOfTheOldestIngressThenTheFlagThenThe404() {
        String def = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, creationTimestamp: "%s"}
                spec:
                  ingressClassName: pier
                  defaultBackend: {service: {name: %s, port: {number: 80}}}
                ---
                """;
        String services = service("first", "10.0.0.1", 80) + service("second", "10.0.0.2", 80)
                + service("flag", "10.0.0.3", 80);
        Translation t = translate(services + def.formatted("b", T2, "second") + def.formatted("a", T1, "first"));
        assertThat(t.table().match("any.host", "/x").backend().service()).isEqualTo("first");
        assertThat(reasons(t)).containsExactly(Reason.DefaultBackendConflict);

        TranslatorConfig flag = new TranslatorConfig("pier.dev/ingress-controller", "pier", false,
                new ObjectRef("Service", "default", "flag"), null);
        Translation withFlag = translate(services, flag);
        assertThat(withFlag.endpointsOf(withFlag.table().match("x", "/")).endpoints())
                .containsExactly(new Endpoint("10.0.0.3", 80));
        assertThat(translate(services).table().match("x", "/")).isSameAs(Route.NOT_FOUND);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "field names pier                                 | spec: {ingressClassName: pier}                                  | | true",
            "field names another class                        | spec: {ingressClassName: nginx}                                 | | false",
            "deprecated annotation names pier                 | 'metadata: {name: i, annotations: {kubernetes.io/ingress.class: pier}}' | | true",
            "field wins over the annotation                   | 'spec: {ingressClassName: nginx}'                                | kubernetes.io/ingress.class | false",
            "no class                                         | spec: {}                                                        | | false",
            "no class, flag set                               | spec: {}                                                        | FLAG | true",
            "no class, our IngressClass is the default        | spec: {}                                                        | DEFAULT | true",
            "field names our other IngressClass               | spec: {ingressClassName: custom}                                | DEFAULT | true",
            "pier is taken by another controller's class      | spec: {ingressClassName: pier}                                  | FOREIGN | false",
    })
    void ingressClassSelection(String name, String fragment, String setup, boolean taken) {
        String classes = switch (setup == null ? "" : setup) {
            case "DEFAULT" -> """
                    apiVersion: networking.k8s.io/v1
                    kind: IngressClass
                    metadata: {name: custom, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
                    spec: {controller: pier.dev/ingress-controller}
                    ---
                    """;
            case "FOREIGN" -> """
                    apiVersion: networking.k8s.io/v1
                    kind: IngressClass
                    metadata: {name: pier}
                    spec: {controller: example.com/other}
                    ---
                    """;
            default -> "";
        };
        String ingress = "apiVersion: networking.k8s.io/v1\nkind: Ingress\n"
                + (fragment.startsWith("metadata") ? fragment + "\nspec: {}\n" : "metadata: {name: i"
                + ("kubernetes.io/ingress.class".equals(setup) ? ", annotations: {kubernetes.io/ingress.class: pier}" : "")
                + "}\n" + fragment + "\n");
        TranslatorConfig config = new TranslatorConfig("pier.dev/ingress-controller", "pier", "FLAG".equals(setup),
                null, null);
        assertThat(translate(classes + ingress, config).served()).hasSize(taken ? 1 : 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "path without slash      | Prefix | api        | ''           | InvalidPath",
            "path not normal         | Prefix | /a/../b    | ''           | InvalidPath",
            "path with a space       | Exact  | '/a b'     | ''           | InvalidPath",
            "bad pathType            | Regex  | /a         | ''           | InvalidPath",
            "ip host                 | Prefix | /          | 10.0.0.1     | InvalidHost",
            "wildcard in the middle  | Prefix | /          | a.*.com      | InvalidHost",
            "bare wildcard           | Prefix | /          | '*'          | InvalidHost",
    })
    void invalidRulesAreSkippedWithAProblemAndTheRestIsServed(String name, String type, String path, String host,
                                                              Reason reason) {
        String bad = ingress("bad", T1, "\"" + (host.isEmpty() ? "bad.com" : host) + "\"", path, type, "web");
        Translation t = translate(service("web", "10.0.0.5", 80) + bad
                + ingress("good", T1, "good.com", "/", "Prefix", "web"));
        assertThat(reasons(t)).containsExactly(reason);
        assertThat(t.endpointsOf(t.table().match("good.com", "/")).available()).isTrue();
        assertThat(t.table().routeCount()).isEqualTo(1);
    }

    @Test
    void hostsAreLowerCasedAndWildcardsWork() {
        Translation t = translate(service("web", "10.0.0.5", 80) + ingress("w", T1, "'*.Example.com'", "/", "Prefix", "web"));
        assertThat(t.problems()).isEmpty();
        assertThat(t.table().match("shop.example.com", "/").isBuiltInNotFound()).isFalse();
        assertThat(t.table().match("a.shop.example.com", "/").isBuiltInNotFound()).isTrue();
    }

    @Test
    void equalInputsInAnyOrderGiveEqualTablesAndProblems() {
        List<HasMetadata> objs = new ArrayList<>(objects(service("a", "10.0.0.1", 80) + service("b", "10.0.0.2", 80)
                + ingress("x", T1, "a.com", "/", "Prefix", "a") + ingress("y", T2, "a.com", "/", "Prefix", "b")
                + ingress("z", T2, "b.com", "/z", "Exact", "missing")));
        Translation first = Translator.translate(ClusterState.of(objs), TranslatorConfig.defaults());
        Random random = new Random(42);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(objs, random);
            Translation again = Translator.translate(ClusterState.of(objs), TranslatorConfig.defaults());
            assertThat(again.table()).isEqualTo(first.table());
            assertThat(again.problems()).isEqualTo(first.problems());
        }
    }
}
