package dev.pier.watcher.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.admin.ConfigProblem;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.TestCerts;
import dev.pier.testing.TlsUpstream;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.ControllerMetrics;
import dev.pier.watcher.translate.TranslatorConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code backend-protocol: HTTPS} with {@code proxy-ssl-secret}, end to end from manifests: an upstream that only
 * speaks TLS, with a certificate from a CA of its own, demanding a client certificate from another. The Secret
 * (Opaque, as {@code kubectl create secret generic} makes it) holds the CA in {@code ca.crt} and Pier's client
 * certificate in {@code tls.crt}/{@code tls.key}. What cannot be verified as asked fails closed.
 */
class ProxySslSecretTest {
    @TempDir
    Path dir;
    private final TestCerts.Authority upstreamCa = TestCerts.authority("Upstream CA");
    private final TestCerts.Authority clientCa = TestCerts.authority("Client CA");
    private final TestCerts.Issued pier = clientCa.issue("pier.ingress");
    private TlsUpstream secure;
    private EchoUpstream plain;
    private ManifestSource source;
    private ProxyServer proxy;
    private ConfigApplier applier;
    private HttpClient http;

    @BeforeEach
    void start() throws Exception {
        TestCerts.Issued server = upstreamCa.issue("app.internal");
        secure = new TlsUpstream(server.chain(), server.key(), clientCa.certificate());
        plain = new EchoUpstream("plain");
        Files.writeString(dir.resolve("apps.yaml"), TestManifests.service("secure", "https", 443, secure.port())
                + "---\n" + TestManifests.service("plain", plain.port())
                + ingress("verified", "default/upstream-tls", "on", "app.internal")
                + ingress("wrong-name", "default/upstream-tls", "on", "other.internal")
                + ingress("unverified", "upstream-tls", "off", null)
                + ingress("missing", "default/nope", "on", "app.internal")
                + ingress("elsewhere", "kube-system/upstream-tls", "on", "app.internal")
                + ingress("no-secret", null, "on", "app.internal")
                + """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: neighbour}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: neighbour.example.com
                      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: plain, port: {number: 80}}}}]}
                """);
        writeSecret(upstreamCa);
        ActiveRoutes routes = new ActiveRoutes();
        applier = new ConfigApplier(routes, TranslatorConfig.defaults(), new ControllerMetrics(new SimpleMeterRegistry()));
        source = new ManifestSource(dir, applier);
        source.start();
        proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, -1, 0).withIoThreads(1), routes);
        http = HttpClient.newHttpClient();
    }

    /** The Secret, as its own file: ca.crt from {@code ca}, Pier's client certificate and key. */
    private void writeSecret(TestCerts.Authority ca) throws Exception {
        Files.writeString(dir.resolve("secret.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: upstream-tls}
                type: Opaque
                stringData:
                  ca.crt: |
                %s
                  tls.crt: |
                %s
                  tls.key: |
                %s
                """.formatted(indent(ca.pem()), indent(pier.certPem()), indent(pier.pkcs8Pem())));
    }

    private static String indent(byte[] pem) {
        return new String(pem, StandardCharsets.US_ASCII).strip().indent(4).stripTrailing();
    }

    private static String ingress(String name, String secret, String verify, String sslName) {
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations:
                    nginx.ingress.kubernetes.io/backend-protocol: HTTPS
                    nginx.ingress.kubernetes.io/proxy-ssl-verify: '%s'
                %s%s
                spec:
                  ingressClassName: pier
                  rules:
                    - host: %s.example.com
                      http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: secure, port: {number: 443}}}}]}
                """.formatted(name, verify,
                secret == null ? "" : "    nginx.ingress.kubernetes.io/proxy-ssl-secret: " + secret + "\n",
                sslName == null ? "" : "    nginx.ingress.kubernetes.io/proxy-ssl-name: " + sslName, name)
                .replace("\n\nspec:", "\nspec:");
    }

    @AfterEach
    void stop() throws Exception {
        http.shutdownNow();
        proxy.close();
        source.close();
        secure.close();
        plain.close();
    }

    private HttpResponse<String> get(String host) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + "/orders"))
                .header("Host", host).build(), HttpResponse.BodyHandlers.ofString());
    }

    private ConfigProblem problemOf(String ingress) {
        return applier.problems().stream().filter(p -> p.object().equals("Ingress default/" + ingress))
                .findFirst().orElseThrow(() -> new AssertionError("no problem for " + ingress + ": "
                        + applier.problems()));
    }

    @Test
    void theUpstreamIsVerifiedWithTheSecretsCaAndSeesPiersClientCertificate() throws Exception {
        HttpResponse<String> r = get("verified.example.com");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET /orders HTTP/1.1 sni=none client=CN=pier.ingress");
        assertThat(applier.problems()).noneMatch(p -> p.object().equals("Ingress default/verified"));
    }

    @Test
    void aNameTheCertificateIsNotForIsRefused() throws Exception {
        assertThat(get("wrong-name.example.com").statusCode()).isEqualTo(502);
    }

    @Test
    void withoutVerificationTheClientCertificateIsStillPresented() throws Exception {
        HttpResponse<String> r = get("unverified.example.com");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).endsWith("client=CN=pier.ingress");
    }

    @Test
    void whatCannotBeVerifiedAsAskedFailsClosedAndIsReported() throws Exception {
        assertThat(get("missing.example.com").statusCode()).isEqualTo(503);
        assertThat(problemOf("missing").reason()).isEqualTo("SecretInvalid");
        assertThat(problemOf("missing").message()).contains("Secret default/nope not found");
        assertThat(get("elsewhere.example.com").statusCode()).isEqualTo(503);
        assertThat(problemOf("elsewhere").reason()).isEqualTo("InvalidAnnotation");
        assertThat(problemOf("elsewhere").message()).contains("another namespace");
        assertThat(get("no-secret.example.com").statusCode()).isEqualTo(503);
        assertThat(problemOf("no-secret").field()).endsWith("proxy-ssl-verify");
        assertThat(get("neighbour.example.com").statusCode()).isEqualTo(200);
    }

    @Test
    void aSecretChangedToAnotherCaTakesEffectAndABrokenOneFailsClosed() throws Exception {
        assertThat(get("verified.example.com").statusCode()).isEqualTo(200);
        writeSecret(TestCerts.authority("Another CA"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(get("verified.example.com").statusCode()).isEqualTo(502));
        Files.writeString(dir.resolve("secret.yaml"), """
                apiVersion: v1
                kind: Secret
                metadata: {name: upstream-tls}
                type: Opaque
                stringData: {ca.crt: not a certificate}
                """);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(
                () -> assertThat(get("verified.example.com").statusCode()).isEqualTo(503));
        assertThat(problemOf("verified").reason()).isEqualTo("SecretInvalid");
        assertThat(problemOf("verified").message()).contains("ca.crt");
        assertThat(get("neighbour.example.com").statusCode()).isEqualTo(200);
    }
}
