package dev.pier.watcher.translate;

import static dev.pier.watcher.translate.Fixtures.objects;
import static dev.pier.watcher.translate.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.route.Route;
import dev.pier.testing.TestCerts;
import dev.pier.testing.TestCerts.Issued;
import dev.pier.tls.SelfSigned.KeyType;
import dev.pier.tls.TlsCredential;
import dev.pier.watcher.translate.Problem.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class TlsTranslationTest {
    private static final Issued APP = TestCerts.issue(KeyType.EC_P256, "app.example.com");
    private static final Issued WILD = TestCerts.issue(KeyType.EC_P256, "*.example.com");
    private static final Issued OTHER = TestCerts.issue(KeyType.RSA_2048, "app.example.com");

    private final IncrementalTranslator translator = new IncrementalTranslator();

    private Translation translate(String yaml) {
        return translate(yaml, TranslatorConfig.defaults());
    }

    private Translation translate(String yaml, TranslatorConfig config) {
        return translator.translate(ClusterState.of(objects(service("web", "10.0.0.1", 8080) + yaml)), config,
                Instant.now());
    }

    @Test
    void aTlsHostIsServedWithItsSecretsCertificateAndRedirected() {
        Translation t = translate(secret("default", "app-tls", APP) + ingress("app", "2026-01-01T00:00:00Z",
                "", "app.example.com", "[app.example.com]", "app-tls") + ingress("plain", "2026-01-01T00:00:00Z", "",
                "plain.example.com", null, null));

        assertThat(t.problems()).isEmpty();
        assertThat(t.tls().byName().lookup("app.example.com")).isEqualTo(APP.credential());
        assertThat(t.tls().byName().lookup("plain.example.com")).isNull();
        Route app = t.table().match("app.example.com", "/");
        assertThat(app.sslRedirect()).isTrue();
        assertThat(app.hsts()).isTrue();
        Route plain = t.table().match("plain.example.com", "/");
        assertThat(plain.sslRedirect()).isFalse();
        assertThat(plain.hsts()).isFalse();
        assertThat(t.referencedSecrets()).containsExactly("default/app-tls");
    }

    @Test
    void eachBrokenSecretIsAProblemAndItsHostsGetTheDefaultCertificate() {
        Issued expired = TestCerts.issue(KeyType.EC_P256, Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)), "expired.example.com");
        String yaml = secret("default", "good", APP)
                + secretData("default", "mismatch", "kubernetes.io/tls", WILD.certPem(), APP.pkcs8Pem())
                + secret("default", "expired", expired)
                + secretData("default", "garbage", "kubernetes.io/tls", "not pem".getBytes(StandardCharsets.US_ASCII),
                        APP.pkcs8Pem())
                + secretData("default", "opaque", "Opaque", APP.certPem(), APP.pkcs8Pem())
                + ingress("good", "2026-01-01T00:00:00Z", "", "app.example.com", "[app.example.com]", "good")
                + ingress("mismatch", "2026-01-02T00:00:00Z", "", "a.example.org", "[a.example.org]", "mismatch")
                + ingress("expired", "2026-01-03T00:00:00Z", "", "b.example.org", "[b.example.org]", "expired")
                + ingress("garbage", "2026-01-04T00:00:00Z", "", "c.example.org", "[c.example.org]", "garbage")
                + ingress("opaque", "2026-01-05T00:00:00Z", "", "d.example.org", "[d.example.org]", "opaque")
                + ingress("missing", "2026-01-06T00:00:00Z", "", "e.example.org", "[e.example.org]", "nope");

        Translation t = translate(yaml);

        assertThat(t.problems()).extracting(Problem::reason).containsOnly(Reason.SecretInvalid).hasSize(5);
        assertThat(messageFor(t, "mismatch")).contains("Secret default/mismatch: tls.key does not match");
        assertThat(messageFor(t, "expired")).contains("the certificate expired on");
        assertThat(messageFor(t, "garbage")).contains("tls.crt holds no PEM CERTIFICATE block");
        assertThat(messageFor(t, "opaque")).contains("has type Opaque, not kubernetes.io/tls");
        assertThat(messageFor(t, "missing")).contains("Secret default/nope not found");
        assertThat(t.problems()).allSatisfy(p -> assertThat(p.field()).isEqualTo("spec.tls[0].secretName"));
        assertThat(t.tls().byName().entries()).containsOnlyKeys("app.example.com");
        for (String host : List.of("a", "b", "c", "d", "e")) {
            Route r = t.table().match(host + ".example.org", "/");
            assertThat(t.endpointsOf(r).available()).isTrue(); // routing is untouched
            assertThat(r.sslRedirect()).isTrue(); // a TLS section still redirects, as in ingress-nginx
            assertThat(r.hsts()).isFalse();
        }
    }

    @Test
    void aSecretIsOnlyEverTakenFromTheIngresssOwnNamespace() {
        String yaml = secret("team-b", "shared", APP)
                + ingress("a", "2026-01-01T00:00:00Z", "team-a", "app.example.com", "[app.example.com]", "shared")
                + ingress("b", "2026-01-02T00:00:00Z", "team-a", "x.example.com", "[x.example.com]", "team-b/shared");

        Translation t = translate(yaml);

        assertThat(t.problems()).filteredOn(p -> p.reason() == Reason.SecretInvalid).extracting(Problem::message)
                .containsExactly(
                "Secret team-a/shared not found; its hosts are served with the default certificate",
                "'team-b/shared' names another namespace; an Ingress may only use Secrets of its own namespace, so"
                        + " its hosts get the default certificate");
        assertThat(t.tls().byName().isEmpty()).isTrue();
    }

    @Test
    void theOlderIngressKeepsAContestedTlsHost() {
        String yaml = secret("default", "first", APP) + secret("default", "second", OTHER)
                + ingress("newer", "2026-02-01T00:00:00Z", "", "app.example.com", "[app.example.com]", "second")
                + ingress("older", "2026-01-01T00:00:00Z", "", "app.example.com", "[app.example.com]", "first");

        Translation t = translate(yaml);

        assertThat(t.tls().byName().lookup("app.example.com")).isEqualTo(APP.credential());
        assertThat(t.problems()).extracting(Problem::reason).containsExactly(Reason.TLSConflict, Reason.PathConflict);
        assertThat(t.problems()).first().satisfies(p -> {
            assertThat(p.object().name()).isEqualTo("newer");
            assertThat(p.message()).contains("Secret default/first of Ingress default/older");
        });
    }

    @Test
    void aWildcardTlsHostCoversOneLabelAndAnEmptyHostListMeansTheRuleHosts() {
        String yaml = secret("default", "wild", WILD) + secret("default", "app", APP)
                + ingress("shop", "2026-01-01T00:00:00Z", "", "shop.example.com", "[\"*.example.com\"]", "wild")
                + ingress("deep", "2026-01-01T00:00:00Z", "", "a.b.example.com", null, null)
                + ingress("app", "2026-01-02T00:00:00Z", "", "app.example.com", "[]", "app");

        Translation t = translate(yaml);

        assertThat(t.problems()).isEmpty();
        assertThat(t.tls().byName().lookup("shop.example.com")).isEqualTo(WILD.credential());
        assertThat(t.tls().byName().lookup("app.example.com")).isEqualTo(APP.credential());
        assertThat(t.table().match("shop.example.com", "/").sslRedirect()).isTrue();
        assertThat(t.table().match("shop.example.com", "/").hsts()).isTrue();
        assertThat(t.table().match("a.b.example.com", "/").sslRedirect()).isFalse();
        assertThat(t.table().match("app.example.com", "/").hsts()).isTrue();
    }

    @Test
    void redirectAnnotationsOfBothPrefixes() {
        String yaml = ingress("off", "2026-01-01T00:00:00Z", "", "off.example.com", "[off.example.com]", null,
                        "nginx.ingress.kubernetes.io/ssl-redirect: \"false\"")
                + ingress("forced", "2026-01-01T00:00:00Z", "", "forced.example.com", null, null,
                        "pier.dev/force-ssl-redirect: \"true\"")
                + ingress("pierwins", "2026-01-01T00:00:00Z", "", "pier.example.com", "[pier.example.com]", null,
                        "nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\n    pier.dev/ssl-redirect: \"true\"")
                + ingress("bad", "2026-01-01T00:00:00Z", "", "bad.example.com", "[bad.example.com]", null,
                        "nginx.ingress.kubernetes.io/ssl-redirect: \"maybe\"");

        Translation t = translate(yaml);

        assertThat(t.table().match("off.example.com", "/").sslRedirect()).isFalse();
        assertThat(t.table().match("forced.example.com", "/").sslRedirect()).isTrue();
        assertThat(t.table().match("pier.example.com", "/").sslRedirect()).isTrue();
        assertThat(t.table().match("bad.example.com", "/").sslRedirect()).isTrue(); // the default stands
        assertThat(t.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.InvalidAnnotation);
            assertThat(p.field()).isEqualTo("metadata.annotations.nginx.ingress.kubernetes.io/ssl-redirect");
        });
    }

    @Test
    void stringDataSecretsAsWrittenInManifestFilesWork() {
        String yaml = """
                apiVersion: v1
                kind: Secret
                metadata: {name: plain}
                type: kubernetes.io/tls
                stringData:
                  tls.crt: |
                %s
                  tls.key: |
                %s
                ---
                """.formatted(indent(APP.certPem()), indent(APP.pkcs8Pem()))
                + ingress("app", "2026-01-01T00:00:00Z", "", "app.example.com", "[app.example.com]", "plain");

        Translation t = translate(yaml);

        assertThat(t.problems()).isEmpty();
        assertThat(t.tls().byName().lookup("app.example.com")).isEqualTo(APP.credential());
    }

    @Test
    void theDefaultCertificateComesFromTheNamedSecret() {
        TranslatorConfig config = new TranslatorConfig(TranslatorConfig.DEFAULT_CONTROLLER_CLASS,
                TranslatorConfig.DEFAULT_INGRESS_CLASS, false, null, new ObjectRef("Secret", "pier", "fallback"));

        assertThat(translate(secret("pier", "fallback", WILD), config).tls().fallback())
                .isEqualTo(WILD.credential());
        Translation broken = translate("", config);
        assertThat(broken.tls().fallback()).isNull();
        assertThat(broken.problems()).singleElement().satisfies(p -> {
            assertThat(p.object()).isEqualTo(new ObjectRef("Secret", "pier", "fallback"));
            assertThat(p.field()).isEqualTo("--default-ssl-certificate");
        });
    }

    @Test
    void anUnchangedSecretIsParsedOnceAcrossTranslations() {
        String yaml = secret("default", "app", APP)
                + ingress("app", "2026-01-01T00:00:00Z", "", "app.example.com", "[app.example.com]", "app");
        TlsCredential first = translate(yaml).tls().byName().lookup("app.example.com");
        TlsCredential second = translate(yaml).tls().byName().lookup("app.example.com");

        assertThat(second).isSameAs(first);
        assertThat(translator.rememberedCredentials()).isEqualTo(1);
        translate("");
        assertThat(translator.rememberedCredentials()).isZero(); // forgotten once no translation uses it
    }

    private static String messageFor(Translation t, String ingress) {
        return t.problems().stream().filter(p -> p.object().name().equals(ingress)).findFirst().orElseThrow()
                .message();
    }

    static String secret(String namespace, String name, Issued issued) {
        return secretData(namespace, name, "kubernetes.io/tls", issued.certPem(), issued.pkcs8Pem());
    }

    static String secretData(String namespace, String name, String type, byte[] crt, byte[] key) {
        return """
                apiVersion: v1
                kind: Secret
                metadata: {name: %s, namespace: %s}
                type: %s
                data:
                  tls.crt: %s
                  tls.key: %s
                ---
                """.formatted(name, namespace, type, Base64.getEncoder().encodeToString(crt),
                Base64.getEncoder().encodeToString(key));
    }

    static String ingress(String name, String created, String namespace, String host, String tlsHosts,
                          String secretName, String... annotations) {
        String tls = tlsHosts == null ? "" : "  tls:\n    - hosts: " + tlsHosts + "\n"
                + (secretName == null ? "" : "      secretName: " + secretName + "\n");
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  namespace: %s
                  creationTimestamp: "%s"
                  annotations:
                    %s
                spec:
                  ingressClassName: pier
                %s  rules:
                    - host: "%s"
                      http:
                        paths:
                          - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                ---
                """.formatted(name, namespace.isEmpty() ? "default" : namespace, created,
                annotations.length == 0 ? "example.com/none: \"\"" : String.join("\n    ", annotations), tls, host);
    }

    private static String indent(byte[] pem) {
        return new String(pem, StandardCharsets.US_ASCII).indent(4).stripTrailing();
    }
}
