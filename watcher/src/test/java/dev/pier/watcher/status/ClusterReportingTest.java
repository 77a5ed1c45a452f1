package dev.pier.watcher.status;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.cluster.ClusterSource;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.TranslatorConfig;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLSBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Ingress status and Events against fabric8's mock API server (CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class ClusterReportingTest {
    KubernetesClient client;
    private ClusterSource source;
    private ClusterReporter reporter;
    private Leadership leadership;

    private void start(boolean elect) throws Exception {
        startSource();
        leadership = elect
                ? Leadership.elect(client, "pier-system", "pier-leader", "pier-test-1", Duration.ofSeconds(4),
                        reporter::leading)
                : Leadership.always(reporter::leading);
    }

    private void startSource() throws Exception {
        ActiveRoutes routes = new ActiveRoutes();
        ConfigApplier applier = new ConfigApplier(routes, TranslatorConfig.defaults());
        reporter = new ClusterReporter(client, List.of("10.0.0.1", "lb.example.com"), null, "pier-test-1");
        source = new ClusterSource(client, List.of(), state -> {
            Translation t = applier.apply(state);
            reporter.offer(t, state.ingresses());
            return t;
        }, Duration.ofMillis(5), Duration.ofMillis(50));
        source.start(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        if (leadership != null) {
            leadership.close();
        }
        if (source != null) {
            source.close();
        }
        if (reporter != null) {
            reporter.close();
        }
    }

    private Ingress ingress(String name, String cls, String service) {
        return new IngressBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
                .withNewSpec().withIngressClassName(cls).addNewRule().withHost(name + ".example.com").withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(service)
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath().endHttp().endRule()
                .endSpec().build();
    }

    private List<String> status(String name) {
        Ingress i = client.network().v1().ingresses().inNamespace("default").withName(name).get();
        return StatusPlan.current(i).stream()
                .map(a -> a.getIp() != null ? a.getIp() : a.getHostname()).sorted().toList();
    }

    private List<Event> events(String ingress) {
        return client.v1().events().inNamespace("default").list().getItems().stream()
                .filter(e -> ingress.equals(e.getInvolvedObject().getName())).toList();
    }

    @Test
    void servedIngressesGetTheStatusOthersNeverAndItIsClearedWhenPierStopsServing() throws Exception {
        start(false);
        client.resource(ingress("ours", "pier", "web")).create();
        client.resource(ingress("theirs", "nginx", "web")).create();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertThat(status("ours")).containsExactly("10.0.0.1", "lb.example.com"));
        assertThat(status("theirs")).isEmpty();

        client.network().v1().ingresses().inNamespace("default").withName("ours")
                .edit(i -> new IngressBuilder(i).editSpec().withIngressClassName("nginx").endSpec().build());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(status("ours")).isEmpty());
    }

    @Test
    void problemsBecomeWarningEventsOnceAndServingAnIngressANormalSyncEvent() throws Exception {
        start(false);
        client.resource(ingress("broken", "pier", "missing")).create();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events("broken"))
                .extracting(Event::getReason).containsExactlyInAnyOrder("ServiceNotFound", "Sync"));
        Event warning = events("broken").stream().filter(e -> "Warning".equals(e.getType())).findFirst().orElseThrow();
        assertThat(warning.getMessage()).contains("spec.rules[0].http.paths[0].backend.service.name")
                .contains("default/missing");
        assertThat(warning.getInvolvedObject().getKind()).isEqualTo("Ingress");

        // more rebuilds while the problem persists: no new Warning
        for (int i = 0; i < 5; i++) {
            client.resource(ingress("other" + i, "pier", "missing-too")).create();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events("other4")).isNotEmpty());
        Thread.sleep(200);
        assertThat(events("broken")).extracting(Event::getReason).containsExactlyInAnyOrder("ServiceNotFound", "Sync");
    }

    @Test
    void anUnsupportedAnnotationIsOneWarningEventPerIngressAndKeyNotPerRebuild() throws Exception {
        start(false);
        Ingress annotated = ingress("annotated", "pier", "web");
        annotated.getMetadata().setAnnotations(java.util.Map.of(
                "nginx.ingress.kubernetes.io/upstream-hash-by", "$request_uri",
                "nginx.ingress.kubernetes.io/affinity", "cookie"));
        client.resource(annotated).create();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events("annotated"))
                .filteredOn(e -> "UnsupportedAnnotation".equals(e.getReason())).hasSize(2));
        for (int i = 0; i < 5; i++) { // rebuilds while the keys stay
            client.resource(ingress("later" + i, "pier", "web")).create();
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events("later4")).isNotEmpty());
        Thread.sleep(200);
        assertThat(events("annotated")).filteredOn(e -> "UnsupportedAnnotation".equals(e.getReason()))
                .extracting(Event::getMessage).hasSize(2)
                .anySatisfy(m -> assertThat(m).contains("nginx.ingress.kubernetes.io/upstream-hash-by"))
                .anySatisfy(m -> assertThat(m).contains("nginx.ingress.kubernetes.io/affinity"));
    }

    @Test
    void aBadAnnotationValueIsAnInvalidAnnotationEventAndTheIngressIsStillServed() throws Exception {
        start(false);
        Ingress annotated = ingress("timed", "pier", "web");
        annotated.getMetadata().setAnnotations(java.util.Map.of(
                "nginx.ingress.kubernetes.io/proxy-read-timeout", "60s"));
        client.resource(annotated).create();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events("timed"))
                .extracting(Event::getReason).contains("InvalidAnnotation", "Sync"));
        assertThat(events("timed")).filteredOn(e -> "InvalidAnnotation".equals(e.getReason())).singleElement()
                .satisfies(e -> {
                    assertThat(e.getType()).isEqualTo("Warning");
                    assertThat(e.getMessage()).contains("nginx.ingress.kubernetes.io/proxy-read-timeout")
                            .contains("60s");
                });
    }

    @Test
    void aBrokenTlsSecretBecomesASecretInvalidEventOnTheIngress() throws Exception {
        start(false);
        Ingress secured = ingress("secured", "pier", "missing");
        secured.getSpec().setTls(List.of(new IngressTLSBuilder().withHosts("secured.example.com")
                .withSecretName("secured-tls").build()));
        client.resource(secured).create();

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(events("secured"))
                .extracting(Event::getReason).contains("SecretInvalid"));
        Event warning = events("secured").stream().filter(e -> "SecretInvalid".equals(e.getReason())).findFirst()
                .orElseThrow();
        assertThat(warning.getType()).isEqualTo("Warning");
        assertThat(warning.getMessage()).contains("spec.tls[0].secretName")
                .contains("Secret default/secured-tls not found").contains("default certificate");
    }

    @Test
    void onlyTheLeaderWritesStatus() throws Exception {
        startSource();
        // another replica holds the Lease, renewed just now (fabric8 counts the lease duration of its own config: 4 s)
        client.resource(new LeaseBuilder().withNewMetadata().withNamespace("pier-system").withName("pier-leader")
                .endMetadata().withNewSpec().withHolderIdentity("pier-other").withLeaseDurationSeconds(3)
                .withAcquireTime(ZonedDateTime.now()).withRenewTime(ZonedDateTime.now()).withLeaseTransitions(0)
                .endSpec().build()).create();
        leadership = Leadership.elect(client, "pier-system", "pier-leader", "pier-test-1", Duration.ofSeconds(4),
                reporter::leading);
        client.resource(ingress("ours", "pier", "web")).create();
        Thread.sleep(1500);
        assertThat(status("ours")).as("written while another replica leads").isEmpty();

        // the other replica stops renewing: once its Lease expires this one leads and writes
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(status("ours")).containsExactly("10.0.0.1", "lb.example.com"));
        assertThat(client.leases().inNamespace("pier-system").withName("pier-leader").get().getSpec()
                .getHolderIdentity()).isEqualTo("pier-test-1");
    }
}
