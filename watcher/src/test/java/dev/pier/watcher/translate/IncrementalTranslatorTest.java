package dev.pier.watcher.translate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.testing.TestCerts;
import dev.pier.testing.TestCerts.Issued;
import dev.pier.tls.SelfSigned.KeyType;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPathBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRuleBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A translation with a cache carried over from earlier translations must give exactly what a fresh translation gives:
 * checked over long random sequences of changes to every kind of input, including broken ones.
 */
class IncrementalTranslatorTest {
    private static final String[] NAMESPACES = {"a", "b"};
    private static final String[] HOSTS = {"", "x.com", "y.com", "*.y.com", "z.y.com", "Bad_Host", "10.0.0.1",
        "www.x.com"};
    private static final String[] PATHS = {"/", "/api", "/api/", "/a/../b", "no-slash", ""};
    private static final String[] TYPES = {"Prefix", "Exact", "ImplementationSpecific", "Regex"};
    private static final String[] SERVICES = {"s0", "s1", "s2", "s3"};
    private static final Issued CERT = TestCerts.issue(KeyType.EC_P256, "x.com");
    private static final Instant NOW = Instant.now();

    private final Random random = new Random(7);
    private final Map<String, HasMetadata> objects = new LinkedHashMap<>();
    /** Kept current change by change, as the cluster source keeps it, while fresh translations index from scratch. */
    private final ServiceIndex index = ServiceIndex.of(List.of(), List.of(), List.of());

    @Test
    void aCachedTranslationEqualsAFreshOneAfterEveryChange() {
        IncrementalTranslator cache = new IncrementalTranslator();
        for (int i = 0; i < 60; i++) {
            change();
        }
        int withProblems = 0;
        int served = 0;
        for (int step = 0; step < 1_500; step++) {
            for (int k = random.nextInt(3) + 1; k > 0; k--) {
                change();
            }
            ClusterState state = ClusterState.of(new ArrayList<>(objects.values()));
            ClusterState live = new ClusterState(state.ingresses(), state.ingressClasses(), state.secrets(), index);
            TranslatorConfig config = TranslatorConfig.defaults();
            Translation cached = cache.translate(live, config, NOW);
            Translation fresh = Translator.translate(state, config, NOW);
            assertThat(cached).as("step %d", step).isEqualTo(fresh);
            assertThat(cached.table().hosts()).isEqualTo(fresh.table().hosts());
            assertThat(cache.compiledIngresses()).isEqualTo(cached.served().size());
            served += cached.served().size();
            withProblems += cached.problems().isEmpty() ? 0 : 1;
        }
        assertThat(withProblems).as("the random inputs exercise the problem paths").isGreaterThan(1_000);
        assertThat(served).as("and serve Ingresses").isGreaterThan(3_000);
        assertThat(cache.servicesOnlyCount()).as("steps that changed only Services and endpoints").isGreaterThan(150);
        assertThat(cache.ingressesOnlyCount()).as("steps that patched a few Ingresses in").isGreaterThan(100);
    }

    /**
     * At a larger scale: hundreds of Ingresses over a hundred hosts, bursts of up to 40 changes (past the patch
     * path's limit, so both paths alternate), and enough churn that the patched host indexes grow, fill and are
     * built afresh inside real translations.
     */
    @Test
    void aCachedTranslationEqualsAFreshOneAtScaleAndThroughBursts() {
        for (String ns : NAMESPACES) {
            for (String svc : SERVICES) {
                put(service(ns, svc, 80));
                put(slice(ns, svc, "10.0.0.1"));
            }
        }
        for (int i = 0; i < 300; i++) {
            put(scaleIngress(i));
        }
        IncrementalTranslator cache = new IncrementalTranslator();
        int patchedBefore = 0;
        for (int step = 0; step < 400; step++) {
            int burst = random.nextInt(10) == 0 ? 20 + random.nextInt(21) : 1 + random.nextInt(3);
            for (int k = 0; k < burst; k++) {
                int i = random.nextInt(400);
                if (random.nextInt(4) == 0) {
                    remove("Ingress", NAMESPACES[i % 2], "s-" + i);
                } else {
                    put(scaleIngress(i));
                }
            }
            if (random.nextInt(8) == 0) {
                put(slice(pick(NAMESPACES), pick(SERVICES), "10.0.0." + random.nextInt(3)));
            }
            Translation cached = cache.translate(live(), TranslatorConfig.defaults(), NOW);
            Translation fresh = Translator.translate(live(), TranslatorConfig.defaults(), NOW);
            assertThat(cached).as("step %d", step).isEqualTo(fresh);
            assertThat(cached.table().hosts()).isEqualTo(fresh.table().hosts());
            for (int h = 0; h < 120; h += 7) { // lookups through the patched host index
                String host = h % 10 == 0 ? "x.w" + (h % 5) + ".example.com" : "h" + h + ".example.com";
                for (String path : List.of("/", "/api", "/api/v1")) {
                    assertThat(cached.table().match(host, path)).as("step %d %s%s", step, host, path)
                            .isEqualTo(fresh.table().match(host, path));
                }
            }
            patchedBefore = cache.ingressesOnlyCount();
        }
        assertThat(patchedBefore).as("steps that patched").isGreaterThan(200);
        assertThat(cache.ingressesOnlyCount()).isLessThan(400); // and bursts past the limit took the full path
    }

    /** Ingress i of the scale test: one or two rules over a pool of hosts (some wildcards), now and then TLS. */
    private HasMetadata scaleIngress(int i) {
        IngressBuilder b = new IngressBuilder().withNewMetadata().withNamespace(NAMESPACES[i % 2]).withName("s-" + i)
                .withCreationTimestamp("2026-01-0" + (1 + random.nextInt(3)) + "T00:00:00Z").endMetadata()
                .withNewSpec().withIngressClassName("pier").endSpec();
        if (random.nextInt(25) == 0) {
            b.editSpec().addNewTl().withHosts("h1.example.com").withSecretName("tls").endTl().endSpec();
        }
        for (int r = random.nextInt(2); r >= 0; r--) {
            int h = random.nextInt(120);
            String host = h % 10 == 0 ? "*.w" + (h % 5) + ".example.com" : "h" + h + ".example.com";
            IngressRuleBuilder rule = new IngressRuleBuilder().withHost(host).withNewHttp().endHttp();
            for (int p = random.nextInt(2); p >= 0; p--) {
                rule.editHttp().addToPaths(new HTTPIngressPathBuilder().withPath(pick(new String[] {"/", "/api"}))
                        .withPathType(pick(new String[] {"Prefix", "Exact"})).withNewBackend().withNewService()
                        .withName(pick(SERVICES)).withNewPort().withNumber(80).endPort().endService().endBackend()
                        .build()).endHttp();
            }
            b.editSpec().addToRules(rule.build()).endSpec();
        }
        return b.build();
    }

    @Test
    void anEndpointChangeLeavesTheRoutesAsTheyWere() {
        put(service("a", "s0", 80));
        put(slice("a", "s0", "10.0.0.1"));
        put(service("a", "s1", 80));
        put(slice("a", "s1", "10.0.0.2"));
        put(ingress("a", "one", "2026-01-01T00:00:00Z", "x.com", "/", "Prefix", "s0"));
        put(ingress("a", "two", "2026-01-01T00:00:00Z", "y.com", "/", "Prefix", "s1"));
        IncrementalTranslator cache = new IncrementalTranslator();
        Translation first = cache.translate(live(), TranslatorConfig.defaults(), NOW);

        put(slice("a", "s1", "10.0.0.3")); // only s1's endpoints change
        Translation second = cache.translate(live(), TranslatorConfig.defaults(), NOW);

        assertThat(second.table()).isSameAs(first.table()); // the endpoint table is published on its own
        assertThat(second.endpointsOf(second.table().match("y.com", "/")).endpoints()).hasToString("[10.0.0.3:8080]");
        assertThat(first.endpointsOf(first.table().match("y.com", "/")).endpoints()).hasToString("[10.0.0.2:8080]");
        assertThat(second.endpointsOf(second.table().match("x.com", "/")))
                .isSameAs(first.endpointsOf(first.table().match("x.com", "/")));
    }

    @Test
    void theListDiffFindsWhatCameAndWentWhateverMoved() {
        for (int round = 0; round < 2_000; round++) {
            List<Object> before = new ArrayList<>();
            for (int i = random.nextInt(60); i > 0; i--) {
                before.add(new Object());
            }
            List<Object> now = new ArrayList<>(before);
            for (int k = random.nextInt(6); k > 0; k--) {
                int at = now.isEmpty() ? 0 : random.nextInt(now.size());
                switch (random.nextInt(4)) {
                    case 0 -> now.add(random.nextInt(now.size() + 1), new Object()); // came
                    case 1 -> { if (!now.isEmpty()) { now.remove(at); } } // went
                    case 2 -> { if (!now.isEmpty()) { now.set(at, new Object()); } } // replaced
                    default -> { if (!now.isEmpty()) { now.add(random.nextInt(now.size()), now.remove(at)); } }
                }
            }
            List<Object> gone = new ArrayList<>();
            List<Object> come = new ArrayList<>();
            assertThat(ListDiff.diff(before, now, gone, come, 100)).isTrue();
            List<Object> expectedGone = new ArrayList<>(before.stream().filter(o -> !now.contains(o)).toList());
            List<Object> expectedCome = new ArrayList<>(now.stream().filter(o -> !before.contains(o)).toList());
            assertThat(gone).as("round %d", round).containsExactlyInAnyOrderElementsOf(expectedGone);
            assertThat(come).as("round %d", round).containsExactlyInAnyOrderElementsOf(expectedCome);
        }
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            many.add(new Object());
        }
        assertThat(ListDiff.diff(List.of(), many, new ArrayList<>(), new ArrayList<>(), 10))
                .as("more changes than the limit").isFalse();
    }

    /** One random change: add, replace (a new object, as informers and reloads do) or delete an object. */
    private void change() {
        String ns = pick(NAMESPACES);
        String svc = pick(SERVICES);
        switch (random.nextInt(12)) {
            case 0, 1, 2, 3 -> put(randomIngress(ns, "ing-" + random.nextInt(8)));
            case 4 -> remove("Ingress", ns, "ing-" + random.nextInt(8));
            case 5 -> put(service(ns, svc, random.nextBoolean() ? 80 : 81));
            case 6 -> remove("Service", ns, svc);
            case 7, 8 -> put(random.nextInt(5) == 0 ? legacyEndpoints(ns, svc, "10.1.0." + random.nextInt(3))
                    : slice(ns, svc, random.nextInt(4) == 0 ? null : "10.0.0." + random.nextInt(3)));
            case 9 -> remove(random.nextBoolean() ? "EndpointSlice" : "Endpoints", ns, svc);
            case 10 -> put(random.nextBoolean() ? secret(ns, "tls", true) : secret(ns, "tls", false));
            default -> {
                if (random.nextBoolean()) {
                    put(new IngressClassBuilder().withNewMetadata().withName("pier").endMetadata().withNewSpec()
                            .withController(random.nextInt(4) == 0 ? "other" : "pier.dev/ingress-controller")
                            .endSpec().build());
                } else {
                    remove("IngressClass", null, "pier");
                }
            }
        }
    }

    private HasMetadata randomIngress(String ns, String name) {
        IngressBuilder b = new IngressBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withCreationTimestamp("2026-01-0" + (1 + random.nextInt(3)) + "T00:00:00Z").endMetadata()
                .withNewSpec().withIngressClassName(random.nextInt(8) == 0 ? "other" : "pier").endSpec();
        if (random.nextInt(4) == 0) {
            b.editMetadata().addToAnnotations("pier.dev/ssl-redirect", pick(new String[] {"true", "false", "maybe"}))
                    .endMetadata();
        }
        if (random.nextInt(6) == 0) { // host-wide regex paths, whichever Ingress has the paths
            b.editMetadata().addToAnnotations("pier.dev/use-regex", "true").endMetadata();
        }
        if (random.nextInt(8) == 0) { // more names for its hosts, unless they are hosts of their own
            b.editMetadata().addToAnnotations("pier.dev/server-alias", pick(new String[] {"alias.com", "y.com"}))
                    .endMetadata();
        }
        if (random.nextInt(6) == 0) { // the twin of each host redirects, unless it has rules of its own
            b.editMetadata().addToAnnotations("pier.dev/from-to-www-redirect", "true").endMetadata();
        }
        if (random.nextInt(6) == 0) { // TLS to the upstream with the tls Secret (there or not, valid or not)
            b.editMetadata().addToAnnotations("pier.dev/backend-protocol", "HTTPS")
                    .addToAnnotations("pier.dev/proxy-ssl-secret", "tls")
                    .addToAnnotations("pier.dev/proxy-ssl-verify", random.nextInt(3) == 0 ? "on" : "off")
                    .endMetadata();
        }
        if (random.nextInt(6) == 0) {
            b.editSpec().withNewDefaultBackend().withNewService().withName(pick(SERVICES)).withNewPort()
                    .withNumber(80).endPort().endService().endDefaultBackend().endSpec();
        }
        if (random.nextInt(5) == 0) {
            b.editSpec().addNewTl().withHosts("x.com").withSecretName("tls").endTl().endSpec();
        }
        for (int r = random.nextInt(3); r >= 0; r--) {
            IngressRuleBuilder rule = new IngressRuleBuilder().withHost(pick(HOSTS)).withNewHttp().endHttp();
            for (int p = random.nextInt(3); p >= 0; p--) {
                HTTPIngressPathBuilder path = new HTTPIngressPathBuilder().withPath(pick(PATHS))
                        .withPathType(pick(TYPES)).withNewBackend().endBackend();
                switch (random.nextInt(8)) {
                    case 0 -> path.editBackend().withNewResource("storage.k8s.io", "Bucket", "b")
                            .endBackend();
                    case 1 -> path.editBackend().withNewService().withName(pick(SERVICES)).withNewPort()
                            .withName(random.nextBoolean() ? "http" : "nope").endPort().endService().endBackend();
                    case 2 -> { } // no backend at all
                    default -> path.editBackend().withNewService().withName(pick(SERVICES)).withNewPort()
                            .withNumber(random.nextBoolean() ? 80 : 81).endPort().endService().endBackend();
                }
                rule.editHttp().addToPaths(path.build()).endHttp();
            }
            b.editSpec().addToRules(rule.build()).endSpec();
        }
        return b.build();
    }

    private static HasMetadata ingress(String ns, String name, String created, String host, String path, String type,
                                       String service) {
        return new IngressBuilder().withNewMetadata().withNamespace(ns).withName(name).withCreationTimestamp(created)
                .endMetadata().withNewSpec().withIngressClassName("pier").addNewRule().withHost(host).withNewHttp()
                .addNewPath().withPath(path).withPathType(type).withNewBackend().withNewService().withName(service)
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build();
    }

    private static HasMetadata service(String ns, String name, int port) {
        return new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata().withNewSpec()
                .addNewPort().withName("http").withPort(port).endPort().endSpec().build();
    }

    private static HasMetadata slice(String ns, String service, String address) {
        EndpointSliceBuilder b = new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(service)
                .addToLabels(ServiceIndex.SERVICE_NAME_LABEL, service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(8080).endPort();
        if (address != null) {
            b.addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint();
        }
        return b.build();
    }

    private static HasMetadata legacyEndpoints(String ns, String service, String address) {
        return new EndpointsBuilder().withNewMetadata().withNamespace(ns).withName(service).endMetadata()
                .addNewSubset().addNewAddress().withIp(address).endAddress().addNewPort().withName("http")
                .withPort(8080).endPort().endSubset().build();
    }

    private static HasMetadata secret(String ns, String name, boolean valid) {
        byte[] key = valid ? CERT.pkcs8Pem() : "not a key".getBytes(StandardCharsets.UTF_8);
        return new SecretBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", Base64.getEncoder().encodeToString(CERT.certPem()))
                .addToData("tls.key", Base64.getEncoder().encodeToString(key))
                .build();
    }

    private ClusterState live() {
        ClusterState state = ClusterState.of(List.copyOf(objects.values()));
        return new ClusterState(state.ingresses(), state.ingressClasses(), state.secrets(), index);
    }

    private void put(HasMetadata o) {
        HasMetadata old = objects.put(o.getKind() + "/" + o.getMetadata().getNamespace() + "/"
                + o.getMetadata().getName(), o);
        if (o instanceof Service || o instanceof EndpointSlice || o instanceof Endpoints) {
            index.put(o);
        }
        assertThat(old == null || old.getKind().equals(o.getKind())).isTrue();
    }

    private void remove(String kind, String ns, String name) {
        HasMetadata old = objects.remove(kind + "/" + ns + "/" + name);
        if (old instanceof Service || old instanceof EndpointSlice || old instanceof Endpoints) {
            index.remove(old);
        }
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
