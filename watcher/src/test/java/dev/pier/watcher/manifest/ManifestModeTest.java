package dev.pier.watcher.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp;
import dev.pier.testing.TestCerts;
import dev.pier.testing.TlsClient;
import dev.pier.tls.DefaultCertificate;
import dev.pier.tls.SelfSigned;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.translate.TranslatorConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Manifest mode end to end: files on disk, the real proxy, a real upstream, a real client. */
class ManifestModeTest {
    @TempDir
    Path dir;
    private EchoUpstream one;
    private EchoUpstream two;
    private ActiveRoutes routes;
    private ConfigApplier applier;
    private ManifestSource source;
    private ProxyServer proxy;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        one = new EchoUpstream("one");
        two = new EchoUpstream("two");
        Files.writeString(dir.resolve("services.yaml"), TestManifests.service("one", one.port()) + "---\n"
                + TestManifests.service("two", two.port()));
        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "one"));
        routes = new ActiveRoutes();
        applier = new ConfigApplier(routes, TranslatorConfig.defaults());
        source = new ManifestSource(dir, applier);
        source.start();
        proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, 0, 0).withIoThreads(1), routes);
        http = HttpClient.newHttpClient();
    }

    @AfterEach
    void stop() throws Exception {
        http.shutdownNow();
        proxy.close();
        source.close();
        one.close();
        two.close();
    }

    private static String ingress(String host, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: web}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: %s
                      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: %s, port: {number: 80}}}}]}
                """.formatted(host, service);
    }

    private String get(String host) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/"))
                .header("Host", host).build(), HttpResponse.BodyHandlers.ofString());
        return r.statusCode() + " " + r.body().split(" ")[0].trim();
    }

    @Test
    void servesTheDirectoryAsLoadedAtStart() throws Exception {
        assertThat(routes.ready()).isTrue();
        assertThat(get("a.example.com")).isEqualTo("200 one");
        assertThat(get("b.example.com")).startsWith("404");
    }

    @Test
    void followsEditsAdditionsAndDeletionsWithinASecond() throws Exception {
        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "two"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(get("a.example.com")).isEqualTo("200 two"));

        Path sub = Files.createDirectories(dir.resolve("more"));
        Files.writeString(sub.resolve("b.yml"), ingress("b.example.com", "one").replace("name: web", "name: b"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(get("b.example.com")).isEqualTo("200 one"));

        Files.delete(dir.resolve("ingress.yaml"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(get("a.example.com")).startsWith("404"));
        assertThat(get("b.example.com")).isEqualTo("200 one");
    }

    @Test
    void aFileThatDoesNotParseKeepsItsLastGoodObjects() throws Exception {
        long generation = routes.published().generation();
        Files.writeString(dir.resolve("ingress.yaml"), "apiVersion: networking.k8s.io/v1\nkind: Ingress\nspec: [oops\n");
        Files.writeString(dir.resolve("other.yaml"), ingress("c.example.com", "two").replace("name: web", "name: c"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(get("c.example.com")).isEqualTo("200 two"));
        assertThat(get("a.example.com")).isEqualTo("200 one"); // the broken file's Ingress still serves
        assertThat(routes.published().generation()).isGreaterThan(generation);

        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "two"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(get("a.example.com")).isEqualTo("200 two"));
    }

    @Test
    void aFileThatDoesNotParseIsAProblemWithTheParsersWholeMessageUntilFixed() throws Exception {
        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "one")
                .replace("      http:", "      http\n        x: 1")); // "could not find expected ':'"
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(applier.problems()).singleElement()
                .satisfies(p -> {
                    assertThat(p.object()).isEqualTo("File manifests/ingress.yaml");
                    assertThat(p.reason()).isEqualTo("ManifestInvalid");
                    assertThat(p.message()).contains("line ").contains("could not find expected ':'")
                            .contains("last good objects stay in force");
                }));
        assertThat(get("a.example.com")).isEqualTo("200 one");

        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "one"));
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(applier.problems()).isEmpty());
    }

    @Test
    void readsListKindsAndJson() throws Exception {
        Files.writeString(dir.resolve("list.yaml"), """
                apiVersion: v1
                kind: List
                items:
                  - apiVersion: networking.k8s.io/v1
                    kind: Ingress
                    metadata: {name: listed, namespace: default}
                    spec:
                      ingressClassName: pier
                      rules: [{host: l.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: one, port: {number: 80}}}}]}}]
                """);
        Files.writeString(dir.resolve("j.json"), """
                {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "j"},
                 "spec": {"ingressClassName": "pier", "rules": [{"host": "j.example.com", "http": {"paths": [
                   {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "two", "port": {"number": 80}}}}]}}]}}
                """);
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(get("l.example.com")).isEqualTo("200 one");
            assertThat(get("j.example.com")).isEqualTo("200 two");
        });
    }

    @Test
    void servesAndRotatesCertificatesFromSecretFiles() throws Exception {
        TestCerts.Issued first = TestCerts.issue(SelfSigned.KeyType.EC_P256, "a.example.com");
        TestCerts.Issued renewed = TestCerts.issue(SelfSigned.KeyType.EC_P256, "a.example.com");
        Files.writeString(dir.resolve("secret.yaml"), secret(first));
        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "one")
                + "  tls: [{hosts: [a.example.com], secretName: a-tls}]\n");
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                TlsClient.presented(proxy.httpsPort(), "a.example.com")).isEqualTo(first.chain().getFirst()));

        try (SSLSocket open = TlsClient.connect(proxy.httpsPort(), "a.example.com");
             RawHttp client = new RawHttp(open)) {
            Files.writeString(dir.resolve("secret.yaml"), secret(renewed));
            await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                    TlsClient.presented(proxy.httpsPort(), "a.example.com")).isEqualTo(renewed.chain().getFirst()));
            RawHttp.Response r = client.send("GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200); // the connection made before the rotation goes on
            assertThat(r.header("strict-transport-security")).isEqualTo(ProxyConfig.DEFAULT_HSTS);
        }
    }

    @Test
    void aCertificateThatExpiresWhilePierRunsIsReplacedByTheDefaultAtThatMoment() throws Exception {
        Instant now = Instant.now();
        TestCerts.Issued shortLived = TestCerts.issue(SelfSigned.KeyType.EC_P256, now.minusSeconds(60),
                now.plusSeconds(2), "a.example.com");
        Files.writeString(dir.resolve("secret.yaml"), secret(shortLived));
        Files.writeString(dir.resolve("ingress.yaml"), ingress("a.example.com", "one")
                + "  tls: [{hosts: [a.example.com], secretName: a-tls}]\n");
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> assertThat(
                TlsClient.presented(proxy.httpsPort(), "a.example.com")).isEqualTo(shortLived.chain().getFirst()));

        // No file changes: the expiry alone makes Pier translate again.
        await().atMost(Duration.ofSeconds(6)).untilAsserted(() -> assertThat(
                TlsClient.presented(proxy.httpsPort(), "a.example.com").getSubjectX500Principal().getName())
                .contains(DefaultCertificate.COMMON_NAME));
    }

    private static String secret(TestCerts.Issued issued) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: a-tls}
                type: kubernetes.io/tls
                data:
                  tls.crt: %s
                  tls.key: %s
                """.formatted(Base64.getEncoder().encodeToString(issued.certPem()),
                Base64.getEncoder().encodeToString(issued.pkcs8Pem()));
    }
}
