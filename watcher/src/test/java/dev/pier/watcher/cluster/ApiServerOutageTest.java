package dev.pier.watcher.cluster;

import static dev.pier.watcher.cluster.ClusterModeTest.ingress;
import static dev.pier.watcher.cluster.ClusterModeTest.service;
import static dev.pier.watcher.cluster.ClusterModeTest.slice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.testing.EchoUpstream;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.translate.TranslatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The API server goes away and comes back: the proxy serves throughout, the informers reconnect. */
class ApiServerOutageTest {

    private static KubernetesMockServer server(KubernetesCrudDispatcher data, int port) {
        KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), data,
                false);
        s.init(InetAddress.getLoopbackAddress(), port);
        return s;
    }

    @Test
    void requestsKeepSucceedingWhileTheApiServerIsDownAndChangesFlowAgainAfter() throws Exception {
        KubernetesCrudDispatcher data = new KubernetesCrudDispatcher(); // the "etcd" that survives the restart
        KubernetesMockServer api = server(data, 0);
        int port = api.getPort();
        try (EchoUpstream web = new EchoUpstream("web");
             KubernetesClient client = api.createClient();
             HttpClient http = HttpClient.newHttpClient()) {
            client.resource(service("default", "web")).create();
            client.resource(slice("default", "web", web.port())).create();
            client.resource(ingress("default", "web", "pier", "a.example.com", "web")).create();

            ActiveRoutes routes = new ActiveRoutes();
            ConfigApplier applier = new ConfigApplier(routes, TranslatorConfig.defaults());
            try (ClusterSource source = new ClusterSource(client, List.of(), applier::apply, Duration.ofMillis(5),
                    Duration.ofMillis(50));
                 ProxyServer proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, 0, 0).withIoThreads(1), routes)) {
                source.start(Duration.ofSeconds(10));
                URI uri = URI.create("http://127.0.0.1:" + proxy.httpPort() + "/");
                List<Integer> statuses = new ArrayList<>();
                Runnable request = () -> {
                    try {
                        statuses.add(http.send(HttpRequest.newBuilder(uri).header("Host", "a.example.com").build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode());
                    } catch (Exception e) {
                        statuses.add(-1);
                    }
                };

                for (int i = 0; i < 20; i++) { // before
                    request.run();
                }
                api.destroy();
                long downUntil = System.nanoTime() + Duration.ofSeconds(2).toNanos();
                while (System.nanoTime() < downUntil) { // bounded: about 2 s of requests while the API is gone
                    request.run();
                    assertThat(source.ready()).isTrue();
                    Thread.sleep(5);
                }
                api = server(data, port);
                for (int i = 0; i < 20; i++) { // after
                    request.run();
                }
                assertThat(statuses).hasSizeGreaterThan(100).containsOnly(200);
                assertThat(source.outages()).as("the outage was noticed once, not per retry").isEqualTo(1);

                // the informers reconnected: a change made after the restart reaches the proxy
                client.resource(ingress("default", "late", "pier", "b.example.com", "web")).create();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(http.send(
                        HttpRequest.newBuilder(uri).header("Host", "b.example.com").build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200));
                await().atMost(Duration.ofSeconds(10)).until(source::apiReachable);
                assertThat(source.outages()).isEqualTo(1);
            }
        } finally {
            api.destroy();
        }
    }
}
