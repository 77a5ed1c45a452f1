package dev.pier.watcher.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.TestCerts;
import dev.pier.tls.SelfSigned.KeyType;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.ControllerMetrics;
import dev.pier.watcher.translate.Migration;
import dev.pier.watcher.translate.TranslatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The documented behaviour of every key Pier applies, end to end: one manifest directory with an Ingress per case (its
 * own host, the annotations under test), served by the real proxy to a real upstream and asked by a real client. The
 * few keys whose behaviour needs another upstream (TLS, a cluster IP, a listener that never accepts) are tested end to
 * end in the classes named in {@link #ELSEWHERE}; a key with neither fails {@link #everyKeyPierAppliesIsCovered}.
 */
class AnnotationBehaviourTest {
    /** One Ingress and what a client sees of it. */
    record Case(String name, Map<String, String> annotations, Check check) {}

    @FunctionalInterface
    interface Check {
        void run(String host) throws Exception;
    }

    /** Keys whose behaviour is tested end to end elsewhere, and where. */
    private static final Map<String, String> ELSEWHERE = Map.of(
            "backend-protocol", "ProxySslSecretTest, proxy's UpstreamTlsTest",
            "proxy-ssl-secret", "ProxySslSecretTest",
            "proxy-ssl-verify", "ProxySslSecretTest",
            "proxy-ssl-name", "ProxySslSecretTest",
            "proxy-ssl-server-name", "proxy's UpstreamTlsTest (SNI sent or not), AnnotationsTest",
            "proxy-ssl-verify-depth", "proxy's UpstreamTlsTest.theDepthCountsAsNginxCountsIt",
            "proxy-connect-timeout", "proxy's ConnectTimeoutTest (a listener whose accept queue is full)",
            "service-upstream", "AnnotationReportingTest.serviceUpstreamReachesTheServicesClusterIp");

    @TempDir
    static Path dir;
    private static EchoUpstream app;
    private static ManifestSource source;
    private static ProxyServer proxy;
    private static HttpClient http;

    private static final List<Case> CASES = List.of(
            new Case("ssl-redirect-off", Map.of("ssl-redirect", "false"), host -> {
                assertThat(get(host, "/a").statusCode()).as("a TLS host served over HTTP").isEqualTo(200);
            }),
            new Case("ssl-redirect-default", Map.of(), host -> {
                HttpResponse<String> r = get(host, "/a?b=1");
                assertThat(r.statusCode()).isEqualTo(308);
                assertThat(r.headers().firstValue("Location")).hasValue("https://" + host + "/a?b=1");
            }),
            new Case("force-ssl-redirect", Map.of("force-ssl-redirect", "true"), host -> {
                HttpResponse<String> r = get(host, "/a");
                assertThat(r.statusCode()).as("no TLS section, redirected all the same").isEqualTo(308);
                assertThat(r.headers().firstValue("Location")).hasValue("https://" + host + "/a");
            }),
            new Case("proxy-body-size", Map.of("proxy-body-size", "1k"), host -> {
                assertThat(post(host, 1024).statusCode()).isEqualTo(200);
                assertThat(post(host, 1025).statusCode()).isEqualTo(413);
            }),
            new Case("permanent-redirect", Map.of("permanent-redirect", "https://new.example.com/shop",
                    "permanent-redirect-code", "308"), host -> {
                HttpResponse<String> r = get(host, "/anything");
                assertThat(r.statusCode()).isEqualTo(308);
                assertThat(r.headers().firstValue("Location")).hasValue("https://new.example.com/shop");
            }),
            new Case("temporal-redirect", Map.of("temporal-redirect", "https://maintenance.example.com/",
                    "temporal-redirect-code", "307", "permanent-redirect", "https://new.example.com/"), host -> {
                HttpResponse<String> r = get(host, "/x");
                assertThat(r.statusCode()).as("temporal wins").isEqualTo(307);
                assertThat(r.headers().firstValue("Location")).hasValue("https://maintenance.example.com/");
            }),
            new Case("upstream-vhost", Map.of("upstream-vhost", "app.internal:8080"), host -> {
                assertThat(get(host, "/v").statusCode()).isEqualTo(200);
                assertThat(app.last().header("Host")).isEqualTo("app.internal:8080");
                assertThat(app.last().header("X-Forwarded-Host")).isEqualTo(host);
            }),
            new Case("x-forwarded-prefix", Map.of("x-forwarded-prefix", "/shop"), host -> {
                assertThat(get(host, "/p").statusCode()).isEqualTo(200);
                assertThat(app.last().header("X-Forwarded-Prefix")).isEqualTo("/shop");
            }),
            new Case("app-root", Map.of("app-root", "/app1"), host -> {
                HttpResponse<String> r = get(host, "/?q=1");
                assertThat(r.statusCode()).isEqualTo(302);
                assertThat(r.headers().firstValue("Location")).hasValue("http://" + host + "/app1");
                assertThat(get(host, "/other").body()).as("other paths are proxied").startsWith("app GET /other");
            }),
            new Case("www.twin", Map.of("from-to-www-redirect", "true"), host -> {
                HttpResponse<String> r = get("twin.example.com", "/a?b=1");
                assertThat(r.statusCode()).isEqualTo(308);
                assertThat(r.headers().firstValue("Location")).hasValue("http://" + host + "/a?b=1");
                assertThat(get(host, "/a").statusCode()).isEqualTo(200);
            }),
            new Case("proxy-redirect", Map.of("proxy-redirect-from", "http://app.internal/",
                    "proxy-redirect-to", "https://public.example.com/"), host -> {
                HttpResponse<String> r = get(host, "/location/login");
                assertThat(r.statusCode()).isEqualTo(302);
                assertThat(r.headers().firstValue("Location")).hasValue("https://public.example.com/login");
            }),
            new Case("server-alias", Map.of("server-alias", "alias-one.example.com, alias-two.example.com"), host -> {
                assertThat(get("alias-two.example.com", "/s").body()).startsWith("app GET /s");
                assertThat(get(host, "/s").body()).startsWith("app GET /s");
            }),
            new Case("rewrite-target", Map.of("rewrite-target", "/$2"), host -> {
                assertThat(get(host, "/something/new?x=1").body()).isEqualTo("app GET /new?x=1\n");
                assertThat(get(host, "/something").body()).isEqualTo("app GET /\n");
            }),
            new Case("use-regex", Map.of("use-regex", "true"), host -> {
                assertThat(get(host, "/something/V2/items").statusCode()).as("case-insensitive, from the start")
                        .isEqualTo(200);
                assertThat(app.last().uri()).as("not rewritten").isEqualTo("/something/V2/items");
                assertThat(get(host, "/elsewhere").statusCode()).isEqualTo(404);
            }),
            new Case("cors", Map.of("enable-cors", "true", "cors-allow-origin", "https://app.example.com",
                    "cors-allow-methods", "GET, PUT", "cors-allow-headers", "X-Token",
                    "cors-expose-headers", "X-Total", "cors-allow-credentials", "false", "cors-max-age", "600"),
                    host -> {
                        HttpResponse<String> pre = send(HttpRequest.newBuilder(uri("/c")).header("Host", host)
                                .header("Origin", "https://app.example.com")
                                .header("Access-Control-Request-Method", "PUT")
                                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
                        assertThat(pre.statusCode()).isEqualTo(204);
                        assertThat(pre.headers().firstValue("Access-Control-Allow-Origin"))
                                .hasValue("https://app.example.com");
                        assertThat(pre.headers().firstValue("Access-Control-Allow-Methods")).hasValue("GET, PUT");
                        assertThat(pre.headers().firstValue("Access-Control-Allow-Headers")).hasValue("X-Token");
                        assertThat(pre.headers().firstValue("Access-Control-Max-Age")).hasValue("600");
                        assertThat(pre.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
                        HttpResponse<String> r = send(HttpRequest.newBuilder(uri("/c")).header("Host", host)
                                .header("Origin", "https://app.example.com").build());
                        assertThat(r.statusCode()).isEqualTo(200);
                        assertThat(r.headers().firstValue("Access-Control-Expose-Headers")).hasValue("X-Total");
                        HttpResponse<String> other = send(HttpRequest.newBuilder(uri("/c")).header("Host", host)
                                .header("Origin", "https://evil.example.com").build());
                        assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
                    }),
            new Case("proxy-read-timeout", Map.of("proxy-read-timeout", "1"), host -> {
                assertThat(get(host, "/delay/3000").statusCode()).isEqualTo(504);
                assertThat(get(host, "/delay/10").statusCode()).isEqualTo(200);
            }),
            new Case("proxy-send-timeout", Map.of("proxy-send-timeout", "1"), host -> {
                assertThat(get(host, "/delay/3000").statusCode()).as("taken when read is not set").isEqualTo(504);
            }),
            new Case("allowlist", Map.of("allowlist-source-range", "10.0.0.0/8, 192.168.0.0/16"), host -> {
                assertThat(get(host, "/").statusCode()).isEqualTo(403);
            }),
            new Case("whitelist", Map.of("whitelist-source-range", "127.0.0.1/32"), host -> {
                assertThat(get(host, "/").statusCode()).isEqualTo(200);
            }),
            new Case("denylist", Map.of("denylist-source-range", "127.0.0.0/8"), host -> {
                assertThat(get(host, "/").statusCode()).isEqualTo(403);
            }));

    @BeforeAll
    static void start() throws Exception {
        app = new EchoUpstream("app");
        TestCerts.Issued cert = TestCerts.issue(KeyType.EC_P256, "ssl-redirect-off.example.com",
                "ssl-redirect-default.example.com");
        StringBuilder manifests = new StringBuilder(TestManifests.service("app", app.port()) + """
                ---
                apiVersion: v1
                kind: Secret
                metadata: {name: tls}
                type: kubernetes.io/tls
                data: {tls.crt: %s, tls.key: %s}
                """.formatted(Base64.getEncoder().encodeToString(cert.certPem()),
                Base64.getEncoder().encodeToString(cert.pkcs8Pem())));
        for (Case c : CASES) {
            List<String> pairs = new ArrayList<>();
            new java.util.TreeMap<>(c.annotations()).forEach((k, v) -> pairs.add("nginx.ingress.kubernetes.io/" + k
                    + ": '" + v + "'"));
            String host = host(c);
            boolean tls = c.name().startsWith("ssl-redirect");
            boolean regex = c.name().equals("rewrite-target") || c.name().equals("use-regex");
            manifests.append("""
                    ---
                    apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata:
                      name: %s
                      annotations: {%s}
                    spec:
                      ingressClassName: pier
                    %s  rules:
                        - host: %s
                          http:
                            paths:
                              - {path: '%s', pathType: %s, backend: {service: {name: app, port: {number: 80}}}}
                    """.formatted(c.name().replace('.', '-'), String.join(", ", pairs),
                    tls ? "  tls: [{hosts: [" + host + "], secretName: tls}]\n" : "", host,
                    regex ? "/something(/|$)(.*)" : "/", regex ? "ImplementationSpecific" : "Prefix"));
        }
        Files.writeString(dir.resolve("apps.yaml"), manifests);
        ActiveRoutes routes = new ActiveRoutes();
        ConfigApplier applier = new ConfigApplier(routes, TranslatorConfig.defaults(),
                new ControllerMetrics(new SimpleMeterRegistry()));
        source = new ManifestSource(dir, applier);
        source.start();
        proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, 0, 0).withIoThreads(1), routes);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertThat(applier.problems()).as("no case has a problem").isEmpty();
    }

    @AfterAll
    static void stop() throws Exception {
        http.shutdownNow();
        proxy.close();
        source.close();
        app.close();
    }

    private static String host(Case c) {
        return c.name() + ".example.com";
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + proxy.httpPort() + path);
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String host, String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).header("Host", host).build());
    }

    private static HttpResponse<String> post(String host, int bytes) throws Exception {
        return send(HttpRequest.newBuilder(uri("/upload")).header("Host", host)
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(bytes), StandardCharsets.US_ASCII)).build());
    }

    static Stream<Arguments> cases() {
        return CASES.stream().map(c -> Arguments.of(c.name(), c));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void behavesAsDocumented(String name, Case c) throws Exception {
        c.check().run(host(c));
    }

    @Test
    void everyKeyPierAppliesIsCovered() {
        Set<String> covered = new TreeSet<>(ELSEWHERE.keySet());
        CASES.forEach(c -> covered.addAll(c.annotations().keySet()));
        covered.add("ssl-redirect"); // the default case has no annotation: ssl-redirect's default applies
        assertThat(covered).containsExactlyInAnyOrderElementsOf(Migration.supportedKeys());
    }
}
