package dev.pier.watcher.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.admin.ConfigProblem;
import dev.pier.testing.EchoUpstream;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.ControllerMetrics;
import dev.pier.watcher.translate.Migration;
import dev.pier.watcher.translate.TranslatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A bad value for every key Pier applies, end to end: one manifest directory with an Ingress per key (its own host,
 * two paths) and one Ingress without annotations, served by the real proxy to a real upstream. Each bad value is an
 * {@code InvalidAnnotation} problem on its Ingress alone (the Warning Event in a cluster); the Ingress keeps serving
 * with the key's default, except that a broken allow or deny list fails closed; the neighbour is untouched.
 */
class BadAnnotationValueTest {
    /** A bad value for a key, the annotations it needs beside it, and what its Ingress then answers. */
    record Case(String key, String value, String companions, int status) {}

    private static final List<Case> CASES = List.of(
            new Case("ssl-redirect", "maybe", "", 200),
            new Case("force-ssl-redirect", "maybe", "", 200),
            new Case("proxy-body-size", "lots", "", 200),
            new Case("permanent-redirect", "not a url", "", 200),
            new Case("permanent-redirect-code", "299", "permanent-redirect: https://new.example.com/", 301),
            new Case("temporal-redirect", "ftp://files.example.com/", "", 200),
            new Case("temporal-redirect-code", "200", "temporal-redirect: https://new.example.com/", 302),
            new Case("upstream-vhost", "not a host", "", 200),
            new Case("x-forwarded-prefix", "/a b", "", 200),
            new Case("app-root", "$host/app", "", 200),
            new Case("from-to-www-redirect", "maybe", "", 200),
            new Case("proxy-redirect-from", "http://app.internal/", "", 200), // without proxy-redirect-to
            new Case("proxy-redirect-to", "/$host/", "proxy-redirect-from: http://app.internal/", 200),
            new Case("server-alias", "not a host!", "", 200),
            new Case("backend-protocol", "SPDY", "", 200),
            new Case("proxy-ssl-server-name", "maybe", "", 200),
            new Case("proxy-ssl-name", "not a host!", "", 200),
            new Case("proxy-ssl-verify", "maybe", "", 200),
            new Case("proxy-ssl-secret", "kube-system/ca", "", 200), // another namespace; fails closed with HTTPS
            new Case("proxy-ssl-verify-depth", "deep", "", 200),
            new Case("rewrite-target", "/$host", "", 200),
            new Case("enable-cors", "maybe", "", 200),
            new Case("cors-allow-origin", "not-an-origin", "enable-cors: 'true'", 200),
            new Case("cors-allow-methods", "GET, P@ST", "enable-cors: 'true'", 200),
            new Case("cors-allow-headers", "X-Ok, X@Bad", "enable-cors: 'true'", 200),
            new Case("cors-expose-headers", "X-Ok;X-Bad", "enable-cors: 'true'", 200),
            new Case("cors-allow-credentials", "maybe", "enable-cors: 'true'", 200),
            new Case("cors-max-age", "forever", "enable-cors: 'true'", 200),
            new Case("proxy-connect-timeout", "5s", "", 200),
            new Case("proxy-read-timeout", "60s", "", 200),
            new Case("proxy-send-timeout", "-1", "", 200),
            new Case("use-regex", "maybe", "", 200),
            new Case("service-upstream", "maybe", "", 200),
            new Case("allowlist-source-range", "10.0.0.0/33", "", 503),
            new Case("whitelist-source-range", "not-an-address", "", 503),
            new Case("denylist-source-range", "300.0.0.0/8", "", 503));

    @TempDir
    static Path dir;
    private static EchoUpstream app;
    private static ManifestSource source;
    private static ProxyServer proxy;
    private static ConfigApplier applier;
    private static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        app = new EchoUpstream("app");
        StringBuilder manifests = new StringBuilder(TestManifests.service("app", app.port()));
        manifests.append(ingress("neighbour", "neighbour.example.com", Map.of()));
        for (Case c : CASES) {
            Map<String, String> annotations = new LinkedHashMap<>();
            annotations.put("nginx.ingress.kubernetes.io/" + c.key(), c.value());
            if (!c.companions().isEmpty()) {
                String[] kv = c.companions().split(": ", 2);
                annotations.put("nginx.ingress.kubernetes.io/" + kv[0], kv[1].replace("'", ""));
            }
            manifests.append(ingress(c.key(), c.key() + ".example.com", annotations));
        }
        Files.writeString(dir.resolve("apps.yaml"), manifests);
        ActiveRoutes routes = new ActiveRoutes();
        applier = new ConfigApplier(routes, TranslatorConfig.defaults(), new ControllerMetrics(new SimpleMeterRegistry()));
        source = new ManifestSource(dir, applier);
        source.start();
        proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, -1, 0).withIoThreads(1), routes);
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() throws Exception {
        http.shutdownNow();
        proxy.close();
        source.close();
        app.close();
    }

    private static String ingress(String name, String host, Map<String, String> annotations) {
        List<String> pairs = annotations.entrySet().stream()
                .map(e -> e.getKey() + ": '" + e.getValue().replace("'", "''") + "'").toList();
        return TestManifests.ingress(name, host, String.join(", ", pairs), "/", "/api");
    }

    static Stream<Arguments> cases() {
        return CASES.stream().map(c -> Arguments.of(c.key(), c));
    }

    private static HttpResponse<String> get(String host, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                .header("Host", host).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void everyKeyPierAppliesHasACase() {
        assertThat(CASES.stream().map(Case::key)).containsExactlyInAnyOrderElementsOf(Migration.supportedKeys());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void aBadValueIsReportedOnItsIngressAloneWhichKeepsItsDefault(String key, Case c) throws Exception {
        String field = "metadata.annotations.nginx.ingress.kubernetes.io/" + key;
        List<ConfigProblem> problems = applier.problems();
        assertThat(problems).filteredOn(p -> p.field().equals(field))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.object()).isEqualTo("Ingress default/" + key);
                    assertThat(p.reason()).isEqualTo("InvalidAnnotation");
                    assertThat(p.message()).isNotBlank();
                });
        assertThat(problems).filteredOn(p -> p.object().equals("Ingress default/" + key))
                .as("the only problem of the Ingress").hasSize(1);
        for (String path : new String[] {"/", "/api/items"}) {
            HttpResponse<String> r = get(key + ".example.com", path);
            assertThat(r.statusCode()).as(path).isEqualTo(c.status());
            if (c.status() == 200) {
                assertThat(r.body()).as("the app answered " + path).startsWith("app ");
            }
        }
    }

    @Test
    void theNeighbourIsUntouched() throws Exception {
        assertThat(applier.problems()).noneMatch(p -> p.object().equals("Ingress default/neighbour"));
        HttpResponse<String> r = get("neighbour.example.com", "/api/items");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }
}
