package dev.pier.proxy.telemetry;

import dev.pier.testing.Routes;
import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.Telemetry;
import dev.pier.proxy.log.AccessLog;
import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.RouteTable;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.JsonLines;
import dev.pier.testing.RawHttp;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Metrics and access log lines after real traffic through a real proxy to a real upstream. */
class TelemetryTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
    private final ActiveRoutes routes = new ActiveRoutes();
    private ProxyMetrics metrics;
    private AccessLog accessLog;
    private ProxyServer proxy;
    private EchoUpstream upstream;

    @BeforeEach
    void start() throws Exception {
        upstream = new EchoUpstream("app");
        metrics = new ProxyMetrics(registry, false);
        accessLog = new AccessLog(logged, metrics.droppedLogLines());
        RouteTable.Builder b = RouteTable.builder();
        b.add(prefix("app.example.com", "/", backend("app", upstream.port())));
        b.add(prefix("down.example.com", "/", backend("down")));
        Routes.publish(routes, b.build());
        proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, -1, 0).withIoThreads(1), routes,
                new Telemetry(metrics, accessLog));
    }

    @AfterEach
    void stop() {
        proxy.close();
        accessLog.close();
        upstream.close();
    }

    private double requests(String service, String method, String status) {
        var c = registry.find("pier.requests").tags("namespace", "default", "ingress", "test", "service", service,
                "method", method, "status", status).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void countsRequestsByIngressServiceMethodAndStatusClass() throws Exception {
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.send("GET /a HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status())
                        .isEqualTo(200);
            }
            assertThat(client.send("POST /upload HTTP/1.1\r\nHost: app.example.com\r\nContent-Length: 5\r\n\r\nhello")
                    .read().status()).isEqualTo(200);
            assertThat(client.send("GET /status/404 HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status())
                    .isEqualTo(404);
            assertThat(client.send("GET / HTTP/1.1\r\nHost: down.example.com\r\n\r\n").read().status())
                    .isEqualTo(503);
            assertThat(client.send("GET / HTTP/1.1\r\nHost: unknown.example.com\r\n\r\n").read().status())
                    .isEqualTo(404);
        }

        assertThat(requests("default/app", "GET", "2xx")).isEqualTo(3);
        assertThat(requests("default/app", "POST", "2xx")).isEqualTo(1);
        assertThat(requests("default/app", "GET", "4xx")).isEqualTo(1);
        assertThat(requests("default/down", "GET", "5xx")).isEqualTo(1);
        assertThat(registry.get("pier.requests").tags("ingress", "", "status", "4xx").counter().count())
                .isEqualTo(1); // the built-in 404: no Ingress
        assertThat(registry.get("pier.upstream.no.endpoints").tags("service", "default/down").counter().count())
                .isEqualTo(1);
        assertThat(registry.get("pier.request.duration").tags("service", "default/app", "method", "GET",
                "status", "2xx").timer().count()).isEqualTo(3);
        assertThat(registry.get("pier.request.size").tags("service", "default/app").counter().count()).isEqualTo(5);
        assertThat(registry.get("pier.response.size").tags("service", "default/app").counter().count())
                .isEqualTo(3 * "app GET /a\n".length() + "app POST /upload\n".length());
        assertThat(registry.get("pier.upstream.response.duration").tags("service", "default/app").timer().count())
                .isEqualTo(5);
        assertThat(registry.get("pier.upstream.connect.duration").tags("service", "default/app").timer().count())
                .isEqualTo(1); // one connection, pooled for the rest
        assertThat(registry.get("pier.upstream.connections").gauge().value()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(registry.get("pier.client.connections").gauge().value()).isZero());
    }

    @Test
    void writesOneJsonLinePerRequestWithEveryField() throws Exception {
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            client.send("POST /upload?x=1 HTTP/1.1\r\nHost: app.example.com\r\nX-Request-ID: abc123\r\n"
                    + "Content-Length: 5\r\n\r\nhello").read();
            client.send("GET /nothing HTTP/1.1\r\nHost: unknown.example.com\r\n\r\n").read();
        }
        List<Map<String, Object>> lines = await().atMost(Duration.ofSeconds(3)).until(this::lines, l -> l.size() == 2);

        Map<String, Object> first = lines.get(0);
        assertThat(first).containsEntry("client", "127.0.0.1").containsEntry("method", "POST")
                .containsEntry("host", "app.example.com").containsEntry("path", "/upload?x=1")
                .containsEntry("protocol", "HTTP/1.1").containsEntry("status", 200L).containsEntry("bytesIn", 5L)
                .containsEntry("bytesOut", (long) "app POST /upload?x=1\n".length())
                .containsEntry("upstream", "127.0.0.1:" + upstream.port())
                .containsEntry("namespace", "default").containsEntry("ingress", "test")
                .containsEntry("service", "default/app").containsEntry("requestId", "abc123")
                .containsEntry("tls", null).containsKeys("time", "durationMs", "upstreamMs");
        assertThat((Double) first.get("durationMs")).isGreaterThanOrEqualTo((Double) first.get("upstreamMs"));
        Map<String, Object> second = lines.get(1);
        assertThat(second).containsEntry("status", 404L).containsEntry("upstream", null)
                .containsEntry("upstreamMs", null).containsEntry("ingress", "");
    }

    private List<Map<String, Object>> lines() throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        String text;
        synchronized (logged) {
            text = logged.toString(StandardCharsets.UTF_8);
        }
        for (String line : text.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> m = JsonLines.fields(line);
            out.add(m);
        }
        return out;
    }
}
