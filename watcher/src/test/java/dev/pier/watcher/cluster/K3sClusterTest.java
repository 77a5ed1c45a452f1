package dev.pier.watcher.cluster;

import static dev.pier.watcher.cluster.ClusterModeTest.ingress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.Route;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.status.ClusterReporter;
import dev.pier.watcher.status.Leadership;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.TranslatorConfig;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The cluster flow against a real API server: k3s in Docker, a real Deployment whose Pod the real EndpointSlice
 * controller publishes, Pier's informers, translation, Ingress status and Events. Skipped, and reported as skipped,
 * where no Docker engine is available (as on the project's build machines).
 *
 * <p>The proxy's data path is not exercised here: a real API server rejects loopback EndpointSlice addresses, and Pod
 * addresses inside the k3s container are not reachable from the test JVM; the mock-server tests cover it on loopback.
 */
@Testcontainers(disabledWithoutDocker = true)
class K3sClusterTest {
    @Container
    static final K3sContainer K3S = new K3sContainer(DockerImageName.parse("rancher/k3s:v1.31.4-k3s1"));

    @Test
    @SuppressWarnings("try") // the leadership is held for the try block: its resource is the point
    void aRealClustersObjectsBecomeRoutesStatusAndEvents() throws Exception {
        try (KubernetesClient client = new KubernetesClientBuilder()
                .withConfig(Config.fromKubeconfig(K3S.getKubeConfigYaml())).build()) {
            client.resource(new DeploymentBuilder().withNewMetadata().withNamespace("default").withName("web")
                    .endMetadata().withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web")
                    .endSelector().withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
                    .withNewSpec().addNewContainer().withName("web").withImage("nginx:1.27-alpine").addNewPort()
                    .withName("http").withContainerPort(80).endPort().endContainer().endSpec().endTemplate()
                    .endSpec().build()).create();
            client.resource(new ServiceBuilder().withNewMetadata().withNamespace("default").withName("web")
                    .endMetadata().withNewSpec().addToSelector("app", "web").addNewPort().withName("http").withPort(80)
                    .withNewTargetPort("http").endPort().endSpec().build()).create();
            client.resource(ingress("default", "web", "pier", "web.example.com", "web")).create();

            ActiveRoutes routes = new ActiveRoutes();
            ConfigApplier applier = new ConfigApplier(routes, TranslatorConfig.defaults());
            try (ClusterReporter reporter = new ClusterReporter(client, List.of("192.0.2.10"), null, "k3s-test");
                 ClusterSource source = new ClusterSource(client, List.of(), state -> {
                     Translation t = applier.apply(state);
                     reporter.offer(t, state.ingresses());
                     return t;
                 }, Duration.ofMillis(10), Duration.ofMillis(100));
                 Leadership leadership = Leadership.elect(client, "default", "pier-leader", "k3s-test",
                         Duration.ofSeconds(15), reporter::leading)) {
                source.start(Duration.ofMinutes(2));

                // the Pod becomes ready: the real EndpointSlice controller publishes it, Pier routes to it
                await().atMost(Duration.ofMinutes(3)).untilAsserted(() -> {
                    Route r = routes.table().match("web.example.com", "/");
                    assertThat(r.backend()).isNotNull();
                    assertThat(routes.endpoints().get(r.backend()).endpoints()).singleElement()
                            .satisfies(e -> assertThat(e.port()).isEqualTo(80));
                });
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.network().v1()
                        .ingresses().inNamespace("default").withName("web").get().getStatus().getLoadBalancer()
                        .getIngress()).singleElement().satisfies(a -> assertThat(a.getIp()).isEqualTo("192.0.2.10")));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.v1().events()
                        .inNamespace("default").list().getItems()).anySatisfy(e -> {
                            assertThat(e.getInvolvedObject().getName()).isEqualTo("web");
                            assertThat(e.getReason()).isEqualTo("Sync");
                        }));
            }
        }
    }
}
