package dev.pier.watcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.Telemetry;
import dev.pier.proxy.admin.AdminServer;
import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.TestCerts;
import dev.pier.tls.SelfSigned;
import dev.pier.watcher.manifest.ManifestSource;
import dev.pier.watcher.translate.TranslatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /metrics in Prometheus text format after real traffic, as Prometheus scrapes it. */
class MetricsEndpointTest {
    @TempDir
    Path dir;

    @Test
    void exposesRequestAndControllerMetricsWithTheirLabels() throws Exception {
        TestCerts.Issued cert = TestCerts.issue(SelfSigned.KeyType.EC_P256, "shop.example.com");
        try (EchoUpstream upstream = new EchoUpstream("shop")) {
            Files.writeString(dir.resolve("all.yaml"), """
                    apiVersion: v1
                    kind: Service
                    metadata: {name: shop, namespace: store}
                    spec: {ports: [{name: http, port: 80}]}
                    ---
                    apiVersion: discovery.k8s.io/v1
                    kind: EndpointSlice
                    metadata: {name: shop-1, namespace: store, labels: {kubernetes.io/service-name: shop}}
                    addressType: IPv4
                    ports: [{name: http, port: %d}]
                    endpoints: [{addresses: [127.0.0.1]}]
                    ---
                    apiVersion: v1
                    kind: Secret
                    metadata: {name: shop-tls, namespace: store}
                    type: kubernetes.io/tls
                    data: {tls.crt: %s, tls.key: %s}
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata: {name: web, namespace: store}
                    spec:
                      ingressClassName: pier
                      tls: [{hosts: [shop.example.com], secretName: shop-tls}]
                      rules:
                        - host: shop.example.com
                          http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {number: 80}}}}]}
                        - host: broken.example.com
                          http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: gone, port: {number: 80}}}}]}
                    """.formatted(upstream.port(), Base64.getEncoder().encodeToString(cert.certPem()),
                    Base64.getEncoder().encodeToString(cert.pkcs8Pem())));
            PrometheusMeterRegistry registry = Metrics.registry();
            ActiveRoutes routes = new ActiveRoutes();
            ProxyConfig config = ProxyConfig.defaults().withPorts(0, -1, 0).withIoThreads(1);
            try (ManifestSource source = new ManifestSource(dir, new ConfigApplier(routes, TranslatorConfig.defaults(),
                         new ControllerMetrics(registry)));
                 ProxyServer proxy = startProxy(config, routes, registry, source);
                 AdminServer admin = AdminServer.start(config, routes, () -> true, registry::scrape)) {
                HttpClient http = HttpClient.newHttpClient();
                for (int i = 0; i < 4; i++) {
                    send(http, proxy.httpPort(), "broken.example.com");
                }
                send(http, proxy.httpPort(), "shop.example.com"); // a 308 to https

                HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + admin.port() + "/metrics")).build(),
                        HttpResponse.BodyHandlers.ofString());
                String text = scrape.body();

                assertThat(scrape.headers().firstValue("content-type")).hasValueSatisfying(v ->
                        assertThat(v).startsWith("text/plain; version=0.0.4"));
                assertThat(text)
                        .contains("pier_requests_total{ingress=\"web\",method=\"GET\",namespace=\"store\","
                                + "service=\"store/gone\",status=\"5xx\"} 4.0")
                        .contains("pier_requests_total{ingress=\"web\",method=\"GET\",namespace=\"store\","
                                + "service=\"store/shop\",status=\"3xx\"} 1.0")
                        .contains("pier_upstream_no_endpoints_total{ingress=\"web\",namespace=\"store\","
                                + "service=\"store/gone\"} 4.0")
                        .contains("pier_request_duration_seconds_bucket{ingress=\"web\",method=\"GET\","
                                + "namespace=\"store\",service=\"store/gone\",status=\"5xx\",le=\"0.005\"}")
                        .contains("pier_config_rebuilds_total{result=\"success\"} 1.0")
                        .contains("pier_problems{reason=\"ServiceNotFound\"} 1.0")
                        .contains("pier_routes 2.0")
                        .contains("jvm_memory_used_bytes")
                        .contains("jvm_gc_collection_seconds_count{gc=")
                        .contains("pier_netty_direct_memory_used_bytes");
                String expiry = "pier_tls_certificate_expiry_timestamp_seconds{namespace=\"store\",secret=\"shop-tls\"} ";
                String line = text.lines().filter(l -> l.startsWith(expiry)).findFirst().orElseThrow();
                assertThat(Double.parseDouble(line.substring(expiry.length())))
                        .isEqualTo((double) cert.chain().getFirst().getNotAfter().toInstant().getEpochSecond());
            }
        }
    }

    private static ProxyServer startProxy(ProxyConfig config, ActiveRoutes routes, PrometheusMeterRegistry registry,
                                          ManifestSource source) throws Exception {
        source.start();
        return ProxyServer.start(config, routes, new Telemetry(new ProxyMetrics(registry, false), null));
    }

    private static void send(HttpClient http, int port, String host) throws Exception {
        http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).header("Host", host).build(),
                HttpResponse.BodyHandlers.discarding());
    }
}
