package dev.pier.watcher.manifest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.admin.AdminServer;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.testing.EchoUpstream;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.ControllerMetrics;
import dev.pier.watcher.translate.TranslatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Annotations end to end: manifests on disk, the real proxy and admin server, a real upstream and client. A key Pier
 * does not apply is reported (in {@code /routes} and a gauge by key) and the Ingress served without it; an access
 * guard Pier cannot enforce fails closed: 503, and the application never sees the request.
 */
class AnnotationReportingTest {
    @TempDir
    Path dir;
    private EchoUpstream app;
    private ManifestSource source;
    private ProxyServer proxy;
    private AdminServer admin;
    private HttpClient http;
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        app = new EchoUpstream("app");
        Files.writeString(dir.resolve("app.yaml"), TestManifests.service("app", app.port())
                + ingress("open", "open.example.com", "nginx.ingress.kubernetes.io/affinity: cookie")
                + ingress("guarded", "admin.example.com", "nginx.ingress.kubernetes.io/auth-url: http://auth/check")
                + ingress("upload", "upload.example.com", "nginx.ingress.kubernetes.io/proxy-body-size: 1k")
                + ingress("moved", "old.example.com", "nginx.ingress.kubernetes.io/permanent-redirect:"
                        + " https://new.example.com/, nginx.ingress.kubernetes.io/permanent-redirect-code: '308'")
                + ingress("internal", "internal.example.com", "nginx.ingress.kubernetes.io/allowlist-source-range:"
                        + " 10.0.0.0/8")
                + ingress("local", "local.example.com", "nginx.ingress.kubernetes.io/allowlist-source-range:"
                        + " 127.0.0.1/32")
                + """
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: direct}
                spec: {clusterIP: 127.0.0.1, ports: [{name: http, port: %d}]}
                """.formatted(app.port()) // no endpoints: only service-upstream reaches it
                + ingress("shop", "shop.example.com", "nginx.ingress.kubernetes.io/app-root: /app1,"
                        + " nginx.ingress.kubernetes.io/x-forwarded-prefix: /shop,"
                        + " nginx.ingress.kubernetes.io/upstream-vhost: 'not a host'")
                + ingress("aliased", "primary.example.com",
                        "nginx.ingress.kubernetes.io/server-alias: other.example.com")
                + ingress("cors", "cors.example.com", "nginx.ingress.kubernetes.io/enable-cors: 'true',"
                        + " nginx.ingress.kubernetes.io/cors-allow-origin: 'https://app.example.com, not-an-origin'")
                + ingress("grpc", "grpc.example.com", "nginx.ingress.kubernetes.io/backend-protocol: GRPC")
                + ingress("slow", "slow.example.com", "nginx.ingress.kubernetes.io/proxy-read-timeout: 60s")
                + ingress("www", "www.twin.example.com", "nginx.ingress.kubernetes.io/from-to-www-redirect: 'true'")
                + ingress("direct", "direct.example.com", "nginx.ingress.kubernetes.io/service-upstream: 'true'")
                        .replace("name: app,", "name: direct,").replace("number: 80", "number: " + app.port())
                + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: rewrite
                  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$2}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: rewrite.example.com
                      http:
                        paths:
                          - path: /something(/|$)(.*)
                            pathType: ImplementationSpecific
                            backend: {service: {name: app, port: {number: 80}}}
                """);
        ActiveRoutes routes = new ActiveRoutes();
        ConfigApplier applier = new ConfigApplier(routes, TranslatorConfig.defaults(), new ControllerMetrics(registry));
        source = new ManifestSource(dir, applier);
        source.start();
        ProxyConfig config = ProxyConfig.defaults().withPorts(0, -1, 0).withIoThreads(1);
        proxy = ProxyServer.start(config, routes);
        admin = AdminServer.start(config, routes, () -> true, null, applier::problems);
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        http.shutdownNow();
        admin.close();
        proxy.close();
        source.close();
        app.close();
    }

    private static String ingress(String name, String host, String annotation) {
        return TestManifests.ingress(name, host, annotation, "/");
    }

    private HttpResponse<String> get(int port, String host, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Host", host)
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void anAccessGuardPierCannotEnforceAnswers503AndTheAppSeesNothing() throws Exception {
        HttpResponse<String> r = get(proxy.httpPort(), "admin.example.com", "/secret");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(app.received()).noneMatch(rec -> rec.uri().contains("/secret"));
    }

    @Test
    void proxyBodySizeLimitsUploads() throws Exception {
        HttpResponse<String> big = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort()
                + "/up")).header("Host", "upload.example.com").POST(HttpRequest.BodyPublishers.ofString("x".repeat(2048)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(big.statusCode()).isEqualTo(413);
        HttpResponse<String> small = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + proxy.httpPort() + "/up")).header("Host", "upload.example.com")
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(512))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(small.statusCode()).isEqualTo(200);
        assertThat(app.received()).extracting(EchoUpstream.Received::bodyBytes).containsExactly(512L);
    }

    @Test
    void withoutTheAnnotationIngressNginxsOneMegabyteDefaultApplies() throws Exception {
        HttpResponse<String> over = post("open.example.com", (1 << 20) + 1);
        assertThat(over.statusCode()).isEqualTo(413);
        HttpResponse<String> limit = post("open.example.com", 1 << 20);
        assertThat(limit.statusCode()).isEqualTo(200);
        assertThat(app.received()).extracting(EchoUpstream.Received::bodyBytes).containsExactly((long) (1 << 20));
    }

    private HttpResponse<String> post(String host, int bytes) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/up"))
                .header("Host", host).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[bytes])).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** ingress-nginx's rewrite example, from a manifest: the app sees the path the groups make, and the query. */
    @Test
    void rewriteTargetSendsTheAppThePathItsGroupsMake() throws Exception {
        assertThat(get(proxy.httpPort(), "rewrite.example.com", "/something/new/page?x=1").statusCode()).isEqualTo(200);
        assertThat(get(proxy.httpPort(), "rewrite.example.com", "/Something").statusCode()).isEqualTo(200);
        assertThat(get(proxy.httpPort(), "rewrite.example.com", "/other").statusCode()).isEqualTo(404);
        assertThat(app.received()).extracting(EchoUpstream.Received::uri).containsExactly("/new/page?x=1", "/");
    }

    /** CORS from a manifest: the preflight is Pier's; the origin list's bad entry is reported and skipped. */
    @Test
    void enableCorsAnswersThePreflightAndReportsABadOrigin() throws Exception {
        HttpResponse<String> preflight = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + proxy.httpPort() + "/api")).header("Host", "cors.example.com")
                .header("Origin", "https://app.example.com").method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(preflight.statusCode()).isEqualTo(204);
        assertThat(preflight.headers().firstValue("access-control-allow-origin")).hasValue("https://app.example.com");
        assertThat(app.received()).isEmpty();
        HttpResponse<String> get = get(proxy.httpPort(), "cors.example.com", "/api");
        assertThat(get.headers().firstValue("access-control-allow-origin")).as("no Origin, no CORS").isEmpty();
        assertThat(get(admin.port(), "localhost", "/routes").body())
                .contains("metadata.annotations.nginx.ingress.kubernetes.io/cors-allow-origin")
                .contains("'not-an-origin' is not an origin");
    }

    /** A backend protocol Pier does not speak yet answers 503, and a timeout with a unit is reported. */
    @Test
    void grpcAnswers503AndABadTimeoutLeavesTheDefault() throws Exception {
        assertThat(get(proxy.httpPort(), "grpc.example.com", "/svc.Method").statusCode()).isEqualTo(503);
        assertThat(get(proxy.httpPort(), "slow.example.com", "/ok").statusCode()).isEqualTo(200);
        assertThat(app.received()).extracting(EchoUpstream.Received::uri).containsExactly("/ok");
        String routes = get(admin.port(), "localhost", "/routes").body();
        assertThat(routes).contains("backend-protocol GRPC is not supported yet")
                .contains("metadata.annotations.nginx.ingress.kubernetes.io/proxy-read-timeout")
                .contains("\"reason\" : \"InvalidAnnotation\"");
    }

    @Test
    void serverAliasServesTheSameRoutesUnderAnotherName() throws Exception {
        assertThat(get(proxy.httpPort(), "other.example.com", "/via-alias").statusCode()).isEqualTo(200);
        assertThat(get(proxy.httpPort(), "primary.example.com", "/direct").statusCode()).isEqualTo(200);
        assertThat(app.received()).extracting(EchoUpstream.Received::uri).containsExactly("/via-alias", "/direct");
    }

    @Test
    void fromToWwwRedirectSendsTheBareHostToWww() throws Exception {
        HttpResponse<String> r = get(proxy.httpPort(), "twin.example.com", "/cart?id=7");
        assertThat(r.statusCode()).isEqualTo(308);
        assertThat(r.headers().firstValue("location")).hasValue("http://www.twin.example.com/cart?id=7");
        assertThat(get(proxy.httpPort(), "www.twin.example.com", "/cart").statusCode()).isEqualTo(200);
        assertThat(app.received()).extracting(EchoUpstream.Received::uri).containsExactly("/cart");
    }

    @Test
    void aPermanentRedirectAnswersForTheAppWhichSeesNothing() throws Exception {
        HttpResponse<String> r = get(proxy.httpPort(), "old.example.com", "/page?x=1");
        assertThat(r.statusCode()).isEqualTo(308);
        assertThat(r.headers().firstValue("location")).hasValue("https://new.example.com/");
        assertThat(app.received()).isEmpty();
    }

    @Test
    void anAllowlistAnswers403ToOthersAndTheAppSeesNothing() throws Exception {
        assertThat(get(proxy.httpPort(), "internal.example.com", "/private").statusCode()).isEqualTo(403);
        assertThat(app.received()).isEmpty(); // this test's client is 127.0.0.1, not in 10.0.0.0/8
        assertThat(get(proxy.httpPort(), "local.example.com", "/open").statusCode()).isEqualTo(200);
    }

    @Test
    void anUnsupportedKeyIsServedWithoutItAndReported() throws Exception {
        assertThat(get(proxy.httpPort(), "open.example.com", "/x").statusCode()).isEqualTo(200);

        String routes = get(admin.port(), "localhost", "/routes").body();
        assertThat(routes).contains("\"reason\" : \"UnsupportedAnnotation\"")
                .contains("metadata.annotations.nginx.ingress.kubernetes.io/affinity")
                .contains("metadata.annotations.nginx.ingress.kubernetes.io/auth-url");
        assertThat(registry.get("pier.unsupported.annotations")
                .tag("key", "nginx.ingress.kubernetes.io/affinity").gauge().value()).isEqualTo(1.0);
        assertThat(registry.get("pier.unsupported.annotations")
                .tag("key", "nginx.ingress.kubernetes.io/auth-url").gauge().value()).isEqualTo(1.0);
    }

    @Test
    void serviceUpstreamReachesTheServicesClusterIp() throws Exception {
        assertThat(get(proxy.httpPort(), "direct.example.com", "/via-cluster-ip").statusCode()).isEqualTo(200);
        assertThat(app.received()).extracting(EchoUpstream.Received::uri).containsExactly("/via-cluster-ip");
    }

    @Test
    void appRootAndForwardedPrefixApplyAnInvalidVhostIsReportedAndTheNeighbourIsUntouched() throws Exception {
        HttpResponse<String> root = get(proxy.httpPort(), "shop.example.com", "/");
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(root.headers().firstValue("location")).hasValue("http://shop.example.com/app1");
        assertThat(get(proxy.httpPort(), "shop.example.com", "/app1").statusCode()).isEqualTo(200);
        assertThat(get(proxy.httpPort(), "open.example.com", "/").statusCode()).isEqualTo(200);
        assertThat(app.received()).hasSize(2);
        EchoUpstream.Received shop = app.received().get(0);
        assertThat(shop.header("x-forwarded-prefix")).isEqualTo("/shop");
        assertThat(shop.header("host")).isEqualTo("shop.example.com"); // the invalid upstream-vhost is ignored
        EchoUpstream.Received neighbour = app.received().get(1);
        assertThat(neighbour.header("x-forwarded-prefix")).isNull();
        assertThat(neighbour.header("host")).isEqualTo("open.example.com");
        assertThat(get(admin.port(), "localhost", "/routes").body())
                .contains("metadata.annotations.nginx.ingress.kubernetes.io/upstream-vhost")
                .contains("\"reason\" : \"InvalidAnnotation\"");
    }

    @Test
    void routesShowsEachRoutesPolicy() throws Exception {
        String routes = get(admin.port(), "localhost", "/routes").body().replaceAll("\\s+", " ");
        assertThat(routes).contains("\"ingress\" : \"default/upload\"").contains("\"maxBodyBytes\" : 1024 }")
                .contains("\"maxBodyBytes\" : 1048576,") // the default, on the others
                .contains("\"redirect\" : \"308 to https://new.example.com/\"")
                .contains("\"allow\" : [ \"10.0.0.0/8\" ]").contains("\"allow\" : [ \"127.0.0.1/32\" ]");
    }
}
