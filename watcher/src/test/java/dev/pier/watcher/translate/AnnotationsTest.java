package dev.pier.watcher.translate;

import static dev.pier.watcher.translate.Fixtures.objects;
import static dev.pier.watcher.translate.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.route.Access;
import dev.pier.proxy.route.Cors;
import dev.pier.proxy.route.LocationRewrite;
import dev.pier.proxy.route.Redirect;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.UpstreamTls;
import dev.pier.watcher.translate.Problem.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The annotation registry through the pure translation: what is applied, accepted, reported and failed closed. */
class AnnotationsTest {
    private static Translation translate(String annotations) {
        return translate(annotations, TranslatorConfig.defaults());
    }

    private static Translation translate(String annotations, TranslatorConfig config) {
        return translate(service("web", "10.0.0.5", 8080), annotations, config);
    }

    private static Translation translate(String services, String annotations, TranslatorConfig config) {
        return Translator.translate(ClusterState.of(objects(services + """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: web
                  annotations: {%s}
                spec:
                  ingressClassName: pier
                  defaultBackend: {service: {name: web, port: {number: 80}}}
                  rules:
                  - host: a.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
                """.formatted(annotations))), config);
    }

    private static List<String> fields(Translation t, Reason reason) {
        return t.problems().stream().filter(p -> p.reason() == reason).map(Problem::field).toList();
    }

    @Test
    void anUnsupportedKeyIsReportedOnceAndTheIngressIsServedWithoutIt() {
        Translation t = translate("nginx.ingress.kubernetes.io/affinity: cookie, pier.dev/affinity: cookie");
        assertThat(fields(t, Reason.UnsupportedAnnotation)).containsExactly(
                "metadata.annotations.nginx.ingress.kubernetes.io/affinity",
                "metadata.annotations.pier.dev/affinity");
        assertThat(t.endpointsOf(t.table().match("a.com", "/x")).available()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"auth-url: https://auth.example/check", "whitelist-source-range: 10.0.0.0/33",
            "denylist-source-range: not-a-network", "auth-type: basic", "limit-rps: '5'", "auth-tls-secret: default/ca"})
    void anAccessGuardPierCannotEnforceFailsClosed(String annotation) {
        Translation t = translate("nginx.ingress.kubernetes.io/" + annotation);
        String key = annotation.substring(0, annotation.indexOf(':'));
        assertThat(t.problems()).singleElement().satisfies(p -> {
            assertThat(p.field()).isEqualTo("metadata.annotations.nginx.ingress.kubernetes.io/" + key);
            assertThat(p.reason()).isIn(Reason.UnsupportedAnnotation, Reason.InvalidAnnotation);
        });
        for (Route r : List.of(t.table().match("a.com", "/x"), t.table().match("other.com", "/"))) {
            assertThat(t.endpointsOf(r).available()).as("%s served open", r).isFalse();
            assertThat(t.endpointsOf(r).problem()).contains(key).contains("503");
        }
        assertThat(t.problems().get(0).message()).contains("503");
    }

    @Test
    void noOpKeysAndOtherPrefixesRaiseNothing() {
        Translation t = translate("nginx.ingress.kubernetes.io/proxy-buffering: 'off',"
                + " nginx.ingress.kubernetes.io/proxy-request-buffering: 'off',"
                + " cert-manager.io/cluster-issuer: letsencrypt, kubernetes.io/description: web");
        assertThat(t.problems()).isEmpty();
        assertThat(t.endpointsOf(t.table().match("a.com", "/x")).available()).isTrue();
    }

    @Test
    void sslRedirectIsAppliedAndPierDevWins() {
        Translation t = translate("nginx.ingress.kubernetes.io/force-ssl-redirect: 'false',"
                + " pier.dev/force-ssl-redirect: 'true'");
        assertThat(t.problems()).isEmpty();
        assertThat(t.table().match("a.com", "/x").sslRedirect()).isTrue();
    }

    @Test
    void anInvalidValueIsReportedAndTheDefaultKept() {
        Translation t = translate("nginx.ingress.kubernetes.io/force-ssl-redirect: 'yes'");
        assertThat(fields(t, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/force-ssl-redirect");
        assertThat(t.table().match("a.com", "/x").sslRedirect()).isFalse();
    }

    @Test
    void proxyBodySizeTakesNginxSizesAndZeroIsNoLimit() {
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-body-size: 8m").table().match("a.com", "/")
                .policy().maxBodyBytes()).isEqualTo(8L << 20);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-body-size: 512K").table().match("a.com", "/")
                .policy().maxBodyBytes()).isEqualTo(512L << 10);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-body-size: '0'").table().match("a.com", "/")
                .policy().maxBodyBytes()).isEqualTo(Route.NO_LIMIT);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-body-size: 1g, pier.dev/proxy-body-size: 1k")
                .table().match("a.com", "/").policy().maxBodyBytes()).isEqualTo(1024);
    }

    @Test
    void withoutTheAnnotationTheConfiguredDefaultApplies() {
        assertThat(translate("").table().match("a.com", "/").policy().maxBodyBytes()).isEqualTo(1L << 20);
        TranslatorConfig unlimited = new TranslatorConfig(TranslatorConfig.DEFAULT_CONTROLLER_CLASS,
                TranslatorConfig.DEFAULT_INGRESS_CLASS, false, null, null, Route.NO_LIMIT);
        assertThat(translate("", unlimited).table().match("a.com", "/").policy().maxBodyBytes())
                .isEqualTo(Route.NO_LIMIT);
        TranslatorConfig small = new TranslatorConfig(TranslatorConfig.DEFAULT_CONTROLLER_CLASS,
                TranslatorConfig.DEFAULT_INGRESS_CLASS, false, null, null, 100);
        assertThat(translate("", small).table().match("a.com", "/").policy().maxBodyBytes()).isEqualTo(100);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-body-size: '0'", small).table().match("a.com", "/")
                .policy().maxBodyBytes()).isEqualTo(Route.NO_LIMIT); // the Ingress's own wins, 0 included
    }

    @Test
    void theFlagTakesTheAnnotationsSizes() {
        assertThat(TranslatorConfig.bodyLimit("8m")).isEqualTo(8L << 20);
        assertThat(TranslatorConfig.bodyLimit(" 0 ")).isEqualTo(Route.NO_LIMIT);
        assertThat(TranslatorConfig.bodyLimit("lots")).isEqualTo(TranslatorConfig.NOT_A_SIZE);
        assertThat(TranslatorConfig.bodyLimit("")).isEqualTo(TranslatorConfig.NOT_A_SIZE);
    }

    @Test
    void anInvalidBodySizeIsReportedAndLeavesTheDefault() {
        Translation t = translate("nginx.ingress.kubernetes.io/proxy-body-size: lots");
        assertThat(fields(t, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/proxy-body-size");
        assertThat(t.table().match("a.com", "/").policy().maxBodyBytes()).isEqualTo(1L << 20);
    }

    @Test
    void redirectsTakeTheirUrlAndCodeAndTemporalWins() {
        Redirect permanent = translate("nginx.ingress.kubernetes.io/permanent-redirect: https://new.example.com/")
                .table().match("a.com", "/x").policy().redirect();
        assertThat(permanent).isEqualTo(new Redirect("https://new.example.com/", 301));
        assertThat(translate("nginx.ingress.kubernetes.io/permanent-redirect: https://new.example.com/,"
                + " nginx.ingress.kubernetes.io/permanent-redirect-code: '308'").table().match("a.com", "/x")
                .policy().redirect()).isEqualTo(new Redirect("https://new.example.com/", 308));
        assertThat(translate("nginx.ingress.kubernetes.io/permanent-redirect: https://p.example.com/,"
                + " nginx.ingress.kubernetes.io/temporal-redirect: https://t.example.com/").table().match("a.com", "/")
                .policy().redirect()).isEqualTo(new Redirect("https://t.example.com/", 302));
        assertThat(translate("").table().match("a.com", "/").policy().redirect()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://new.example.com$request_uri", "/relative", "ftp://files.example.com/",
            "https://a b.example.com/"})
    void anInvalidRedirectUrlIsReportedAndNoRedirect(String url) {
        Translation t = translate("nginx.ingress.kubernetes.io/permanent-redirect: '" + url + "'");
        assertThat(fields(t, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/permanent-redirect");
        assertThat(t.table().match("a.com", "/").policy().redirect()).isNull();
    }

    @Test
    void anInvalidRedirectCodeIsReportedAndTheDefaultUsed() {
        Translation t = translate("nginx.ingress.kubernetes.io/permanent-redirect: https://n.example.com/,"
                + " nginx.ingress.kubernetes.io/permanent-redirect-code: '200'");
        assertThat(fields(t, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/permanent-redirect-code");
        assertThat(t.table().match("a.com", "/").policy().redirect().code()).isEqualTo(301);
    }

    @Test
    void sourceRangesAllowAndDenyByTheClientsAddress() {
        Access allow = translate("nginx.ingress.kubernetes.io/whitelist-source-range: '10.0.0.0/8, 192.168.1.7'")
                .table().match("a.com", "/").policy().access();
        assertThat(allow.allows("10.1.2.3")).isTrue();
        assertThat(allow.allows("192.168.1.7")).isTrue();
        assertThat(allow.allows("192.168.1.8")).isFalse();
        Access both = translate("nginx.ingress.kubernetes.io/allowlist-source-range: 10.0.0.0/8,"
                + " nginx.ingress.kubernetes.io/denylist-source-range: 10.6.6.0/24").table().match("a.com", "/")
                .policy().access();
        assertThat(both.allows("10.1.1.1")).isTrue();
        assertThat(both.allows("10.6.6.6")).isFalse();
        Access deny = translate("nginx.ingress.kubernetes.io/denylist-source-range: 'fd00::/8'").table()
                .match("a.com", "/").policy().access();
        assertThat(deny.allows("fd00::1")).isFalse();
        assertThat(deny.allows("127.0.0.1")).isTrue();
        assertThat(translate("").table().match("a.com", "/").policy().access()).isNull();
    }

    @Test
    void upstreamVhostForwardedPrefixAndAppRootAreParsedOnce() {
        var policy = translate("nginx.ingress.kubernetes.io/upstream-vhost: Internal.svc:8080,"
                + " nginx.ingress.kubernetes.io/x-forwarded-prefix: /shop,"
                + " nginx.ingress.kubernetes.io/app-root: /app1").table().match("a.com", "/").policy();
        assertThat(policy.upstreamHost()).isEqualTo("internal.svc:8080");
        assertThat(policy.forwardedPrefix()).isEqualTo("/shop");
        assertThat(policy.appRoot()).isEqualTo("/app1");
        var none = translate("").table().match("a.com", "/").policy();
        assertThat(none.upstreamHost()).isNull();
        assertThat(none.forwardedPrefix()).isNull();
        assertThat(none.appRoot()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"upstream-vhost: 'bad host'", "upstream-vhost: 'a.com:'", "upstream-vhost: '$host'",
            "x-forwarded-prefix: shop", "x-forwarded-prefix: '/$1'", "app-root: 'app1'", "app-root: '/a b'"})
    void anInvalidHostOrPathIsReportedAndIgnored(String annotation) {
        Translation t = translate("nginx.ingress.kubernetes.io/" + annotation);
        String key = annotation.substring(0, annotation.indexOf(':'));
        assertThat(fields(t, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/" + key);
        var policy = t.table().match("a.com", "/").policy();
        assertThat(policy.upstreamHost()).isNull();
        assertThat(policy.forwardedPrefix()).isNull();
        assertThat(policy.appRoot()).isNull();
    }

    @Test
    void serviceUpstreamProxiesToTheClusterIpAndPortInsteadOfTheEndpoints() {
        String withClusterIp = service("web", "10.0.0.5", 8080).replace("spec:\n", "spec:\n  clusterIP: 10.96.0.10\n");
        String annotation = "nginx.ingress.kubernetes.io/service-upstream: 'true'";
        assertThat(endpoints(translate(withClusterIp, annotation, TranslatorConfig.defaults()), "a.com"))
                .containsExactly("10.96.0.10:80");
        assertThat(endpoints(translate(withClusterIp, "", TranslatorConfig.defaults()), "a.com"))
                .containsExactly("10.0.0.5:8080");
        String headless = service("web", "10.0.0.5", 8080).replace("spec:\n", "spec:\n  clusterIP: None\n");
        assertThat(endpoints(translate(headless, annotation, TranslatorConfig.defaults()), "a.com"))
                .containsExactly("10.0.0.5:8080");
        Translation invalid = translate(withClusterIp, "nginx.ingress.kubernetes.io/service-upstream: yes",
                TranslatorConfig.defaults());
        assertThat(fields(invalid, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/service-upstream");
    }

    @Test
    void snippetsAreNeverExecutedAndSaySo() {
        Translation t = translate("nginx.ingress.kubernetes.io/configuration-snippet: 'more_set_headers \"A: b\";'");
        assertThat(t.problems()).singleElement().satisfies(p -> {
            assertThat(p.reason()).isEqualTo(Reason.UnsupportedAnnotation);
            assertThat(p.message()).contains("never executed")
                    .as("names what to use instead").contains("rewrite-target", "permanent-redirect", "upstream-vhost");
        });
    }

    /** Two Ingresses on one host, the second with {@code annotations}: what ingress-nginx's host-wide regex does. */
    private static Translation twoOnOneHost(String plainPath, String regexPath, String annotations) {
        return Translator.translate(ClusterState.of(objects(service("web", "10.0.0.5", 8080)
                + service("api", "10.0.0.6", 8080) + """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: plain, creationTimestamp: "2026-01-01T00:00:00Z"}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: a.com
                    http: {paths: [{path: %s, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                  - host: b.com
                    http: {paths: [{path: %s, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: regex, creationTimestamp: "2026-01-02T00:00:00Z", annotations: {%s}}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: a.com
                    http:
                      paths:
                      - path: '%s'
                        pathType: ImplementationSpecific
                        backend: {service: {name: api, port: {number: 80}}}
                      - {path: /exact, pathType: Exact, backend: {service: {name: api, port: {number: 80}}}}
                """.formatted(plainPath, plainPath, annotations, regexPath))), TranslatorConfig.defaults());
    }

    @Test
    void useRegexMakesEveryNonExactPathOfTheHostARegexAsIngressNginxDoes() {
        Translation t = twoOnOneHost("/web", "/api/v[0-9]+/(.*)", "nginx.ingress.kubernetes.io/use-regex: 'true'");
        assertThat(t.problems()).isEmpty();
        assertThat(t.table().match("a.com", "/API/v2/users").backend().service()).isEqualTo("api");
        assertThat(t.table().match("a.com", "/webshop").backend().service())
                .as("the other Ingress's /web is a regex on this host too: no element boundary").isEqualTo("web");
        assertThat(t.table().match("a.com", "/exact").path()).isEqualTo("/exact");
        assertThat(t.table().match("a.com", "/exact").regex()).as("Exact stays exact").isNull();
        assertThat(t.table().match("b.com", "/webshop")).as("another host keeps Prefix").isSameAs(Route.NOT_FOUND);
    }

    @Test
    void rewriteTargetIsAPolicyAndMakesTheHostRegexWithoutUseRegex() {
        Translation t = twoOnOneHost("/web", "/api(/|$)(.*)", "nginx.ingress.kubernetes.io/rewrite-target: /$2");
        Route api = t.table().match("a.com", "/api/users");
        assertThat(api.policy().rewriteTarget()).isEqualTo("/$2");
        assertThat(api.regex()).isNotNull();
        assertThat(t.table().match("a.com", "/exact").regex()).as("kept for the rewrite's groups").isNotNull();
        assertThat(t.table().match("a.com", "/web").policy().rewriteTarget()).as("the other Ingress's").isNull();
    }

    @Test
    void aBadExpressionOrTargetIsReportedAndOnlyItsPathOrRewriteIsLost() {
        Translation t = twoOnOneHost("/web(", "/api/(.*", "nginx.ingress.kubernetes.io/use-regex: 'true'");
        assertThat(t.problems()).extracting(Problem::reason, Problem::field).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Reason.InvalidAnnotation, "spec.rules[0].http.paths[0].path"),
                org.assertj.core.groups.Tuple.tuple(Reason.InvalidAnnotation, "spec.rules[0].http.paths[0].path"));
        assertThat(t.problems().get(0).message()).contains("regular expression");
        assertThat(t.table().match("b.com", "/web(/x").backend().service()).as("plain elsewhere").isEqualTo("web");
        assertThat(t.table().match("a.com", "/exact").backend().service()).isEqualTo("api");

        Translation variable = twoOnOneHost("/web", "/api(.*)",
                "nginx.ingress.kubernetes.io/rewrite-target: /$host$1");
        assertThat(fields(variable, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/rewrite-target");
        assertThat(variable.table().match("a.com", "/api/x").policy().rewriteTarget()).isNull();
        assertThat(variable.table().match("a.com", "/api/x").regex()).as("still a regex host").isNotNull();
    }

    @Test
    void proxyReadTimeoutInWholeSecondsBecomesTheRoutesTimeoutAndSendTimeoutStandsInForIt() {
        long second = 1_000_000_000L;
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-read-timeout: '120',"
                + " nginx.ingress.kubernetes.io/proxy-send-timeout: '30'").table().match("a.com", "/").policy()
                .upstreamTimeoutNanos()).isEqualTo(120 * second);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-send-timeout: '3600'").table().match("a.com", "/")
                .policy().upstreamTimeoutNanos()).isEqualTo(3600 * second);
        Translation unit = translate("nginx.ingress.kubernetes.io/proxy-read-timeout: 60s");
        assertThat(fields(unit, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/proxy-read-timeout");
        assertThat(unit.table().match("a.com", "/").policy().upstreamTimeoutNanos()).as("the default").isZero();
        assertThat(fields(translate("nginx.ingress.kubernetes.io/proxy-read-timeout: '0'"), Reason.InvalidAnnotation))
                .hasSize(1);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-connect-timeout: '3'").table().match("a.com", "/")
                .policy().connectTimeoutMillis()).isEqualTo(3000);
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-connect-timeout: '86400'").table()
                .match("a.com", "/").policy().connectTimeoutMillis()).as("at most an hour").isEqualTo(3_600_000);
    }

    @Test
    void enableCorsTakesIngressNginxsDefaultsAndSkipsOriginsThatAreNotOrigins() {
        Cors defaults = translate("nginx.ingress.kubernetes.io/enable-cors: 'true'").table().match("a.com", "/")
                .policy().cors();
        assertThat(defaults.anyOrigin()).isTrue();
        assertThat(defaults.allowMethods()).isEqualTo("GET, PUT, POST, DELETE, PATCH, OPTIONS");
        assertThat(defaults.allowCredentials()).isTrue();
        assertThat(defaults.maxAgeSeconds()).isEqualTo(1728000);
        assertThat(translate("nginx.ingress.kubernetes.io/cors-allow-origin: https://a.com").table()
                .match("a.com", "/").policy().cors()).as("without enable-cors, nothing").isNull();

        Translation t = translate("nginx.ingress.kubernetes.io/enable-cors: 'true',"
                + " nginx.ingress.kubernetes.io/cors-allow-origin: 'https://App.example.com, not an origin,"
                + " https://*.example.org:8443', nginx.ingress.kubernetes.io/cors-allow-methods: 'GET; rm -rf'");
        Cors listed = t.table().match("a.com", "/").policy().cors();
        assertThat(listed.anyOrigin()).isFalse();
        assertThat(listed.origins()).containsExactly("https://app.example.com", "https://*.example.org:8443");
        assertThat(listed.allowMethods()).as("an invalid list: the default").isEqualTo(Annotations.CORS_METHODS);
        assertThat(fields(t, Reason.InvalidAnnotation)).containsExactly(
                "metadata.annotations.nginx.ingress.kubernetes.io/cors-allow-origin",
                "metadata.annotations.nginx.ingress.kubernetes.io/cors-allow-methods");
    }

    /** An Ingress's annotations hold for its spec.defaultBackend too: an allowlist must not leave it open. */
    @Test
    void theIngresssDefaultBackendCarriesItsPolicy() {
        Translation t = translate("nginx.ingress.kubernetes.io/allowlist-source-range: 10.0.0.0/8,"
                + " nginx.ingress.kubernetes.io/proxy-body-size: 2k");
        Route fallback = t.table().match("elsewhere.com", "/x");
        assertThat(fallback).isSameAs(t.table().defaultRoute());
        assertThat(fallback.backend().service()).isEqualTo("web");
        assertThat(fallback.policy().access()).isNotNull();
        assertThat(fallback.policy().maxBodyBytes()).isEqualTo(2048);
        assertThat(translate("").table().defaultRoute().policy().maxBodyBytes()).as("--proxy-body-size's 1m")
                .isEqualTo(1 << 20);
    }

    @Test
    void fromToWwwRedirectSendsTheTwinHostToTheIngresssHostUnlessTheTwinHasRules() {
        String www = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: www
                  annotations: {nginx.ingress.kubernetes.io/from-to-www-redirect: 'true'}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: www.shop.com
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                ---
                """;
        Translation t = Translator.translate(ClusterState.of(objects(service("web", "10.0.0.5", 8080) + www)),
                TranslatorConfig.defaults());
        Route twin = t.table().match("shop.com", "/cart?x=1");
        assertThat(twin.host()).isEqualTo("shop.com");
        assertThat(twin.policy().redirect().code()).isEqualTo(308);
        assertThat(twin.policy().redirect().locationFor("https", "/cart?x=1"))
                .isEqualTo("https://www.shop.com/cart?x=1");
        assertThat(t.problems()).isEmpty();

        String own = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: own}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: shop.com
                    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                """;
        Translation both = Translator.translate(ClusterState.of(objects(service("web", "10.0.0.5", 8080) + www
                + own)), TranslatorConfig.defaults());
        assertThat(both.table().match("shop.com", "/").policy().redirect()).as("its own rules win").isNull();
    }

    @Test
    void proxyRedirectNeedsBothKeysAndOffMeansNone() {
        Translation both = translate("nginx.ingress.kubernetes.io/proxy-redirect-from: http://internal/,"
                + " nginx.ingress.kubernetes.io/proxy-redirect-to: https://a.com/");
        assertThat(both.table().match("a.com", "/").policy().locationRewrite())
                .isEqualTo(new LocationRewrite("http://internal/", "https://a.com/"));
        Translation half = translate("nginx.ingress.kubernetes.io/proxy-redirect-from: http://internal/");
        assertThat(fields(half, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/proxy-redirect-from");
        assertThat(half.table().match("a.com", "/").policy().locationRewrite()).isNull();
        assertThat(translate("nginx.ingress.kubernetes.io/proxy-redirect-from: 'off'").problems()).isEmpty();
    }

    @Test
    void serverAliasServesTheHostsRoutesUnderMoreNamesUnlessANameIsAHost() {
        Translation t = twoOnOneHost("/web", "/api", "nginx.ingress.kubernetes.io/server-alias: 'alias.com, b.com,"
                + " not_a_host'");
        assertThat(t.table().match("alias.com", "/api/x").backend().service()).isEqualTo("api");
        assertThat(t.table().match("alias.com", "/web").backend().service())
                .as("the host's paths from every Ingress").isEqualTo("web");
        assertThat(t.table().match("b.com", "/api")).as("b.com is a host of its own").isSameAs(Route.NOT_FOUND);
        assertThat(fields(t, Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/server-alias");
    }

    /** The operator's choice to serve unenforced guards open; a guard that does not parse stays closed. */
    @Test
    void serveUnenforcedGuardsOpenServesAuthUrlButNeverABrokenAllowlist() {
        TranslatorConfig open = TranslatorConfig.defaults().withServeUnenforcedGuardsOpen(true);
        Translation auth = translate("nginx.ingress.kubernetes.io/auth-url: https://auth.example/check", open);
        assertThat(auth.endpointsOf(auth.table().match("a.com", "/x")).available()).isTrue();
        assertThat(auth.endpointsOf(auth.table().defaultRoute()).available()).isTrue();
        assertThat(fields(auth, Reason.UnsupportedAnnotation)).as("still reported")
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/auth-url");

        Translation broken = translate("nginx.ingress.kubernetes.io/auth-url: https://auth.example/check,"
                + " nginx.ingress.kubernetes.io/whitelist-source-range: 10.0.0.0/33", open);
        Route r = broken.table().match("a.com", "/x");
        assertThat(broken.endpointsOf(r).available()).isFalse();
        assertThat(broken.endpointsOf(r).problem()).contains("whitelist-source-range").contains("does not parse");
    }

    @Test
    void backendProtocolHttpsWithItsServerNameAndTheProtocolsPierDoesNotSpeakRefused() {
        assertThat(translate("nginx.ingress.kubernetes.io/backend-protocol: HTTPS").table().match("a.com", "/")
                .policy().upstreamTls()).isEqualTo(UpstreamTls.NO_SNI);
        assertThat(translate("nginx.ingress.kubernetes.io/backend-protocol: HTTPS,"
                + " nginx.ingress.kubernetes.io/proxy-ssl-server-name: 'on'").table().match("a.com", "/").policy()
                .upstreamTls()).as("the rule's host").isEqualTo(new UpstreamTls("a.com"));
        assertThat(translate("nginx.ingress.kubernetes.io/backend-protocol: HTTPS,"
                + " nginx.ingress.kubernetes.io/proxy-ssl-server-name: 'on',"
                + " nginx.ingress.kubernetes.io/proxy-ssl-name: app.internal").table().match("a.com", "/").policy()
                .upstreamTls()).isEqualTo(new UpstreamTls("app.internal"));
        assertThat(translate("nginx.ingress.kubernetes.io/backend-protocol: HTTP").table().match("a.com", "/")
                .policy().upstreamTls()).isNull();

        Translation grpc = translate("nginx.ingress.kubernetes.io/backend-protocol: GRPC");
        assertThat(grpc.endpointsOf(grpc.table().match("a.com", "/")).available()).isFalse();
        assertThat(grpc.endpointsOf(grpc.table().match("a.com", "/")).problem()).contains("GRPC");
        assertThat(fields(grpc, Reason.UnsupportedAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/backend-protocol");

        Translation verify = translate("nginx.ingress.kubernetes.io/backend-protocol: HTTPS,"
                + " nginx.ingress.kubernetes.io/proxy-ssl-verify: 'on'");
        assertThat(verify.endpointsOf(verify.table().match("a.com", "/")).available()).as("fails closed").isFalse();
        assertThat(fields(verify, Reason.InvalidAnnotation)).as("no proxy-ssl-secret to verify with")
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/proxy-ssl-verify");
        assertThat(fields(translate("nginx.ingress.kubernetes.io/backend-protocol: FTP"), Reason.InvalidAnnotation))
                .containsExactly("metadata.annotations.nginx.ingress.kubernetes.io/backend-protocol");
    }

    private static List<String> endpoints(Translation t, String host) {
        return t.endpointsOf(t.table().match(host, "/")).endpoints().stream().map(Object::toString).toList();
    }
}
