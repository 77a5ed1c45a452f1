package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.RecordingProxyTestBase;
import dev.pier.proxy.route.LocationRewrite;
import dev.pier.proxy.route.PathRegex;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.RawHttp;
import dev.pier.testing.ScriptedUpstream;
import org.junit.jupiter.api.Test;

/**
 * {@code upstream-vhost}, {@code x-forwarded-prefix}, {@code app-root} and {@code rewrite-target} as the upstream
 * and the client see them, over real sockets.
 */
class RoutePolicyTest extends RecordingProxyTestBase {
    private void serveWith(Policy policy) {
        serve(new Route("example.com", "/", PathType.PREFIX, backend("web", upstream.port()),
                new Source("default", "app"), false, false, policy));
    }

    private RawHttp.Response get(String path) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET " + path + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
            return c.read();
        }
    }

    @Test
    void upstreamVhostReplacesHostAndForwardedHostKeepsTheClients() throws Exception {
        serveWith(Policy.builder().upstreamHost("internal.svc").build());
        assertThat(get("/x").status()).isEqualTo(200);
        String received = upstream.received().toLowerCase();
        assertThat(received).contains("\r\nhost: internal.svc\r\n").doesNotContain("host: example.com\r\n\r\n")
                .contains("x-forwarded-host: example.com");
    }

    @Test
    void forwardedPrefixIsSentOnlyWhenAnnotated() throws Exception {
        assertThat(get("/a").status()).isEqualTo(200);
        assertThat(upstream.received().toLowerCase()).doesNotContain("x-forwarded-prefix");
        serveWith(Policy.builder().forwardedPrefix("/shop").build());
        assertThat(get("/b").status()).isEqualTo(200);
        assertThat(upstream.received().toLowerCase()).contains("x-forwarded-prefix: /shop\r\n");
    }

    @Test
    void appRootRedirectsOnlyTheRootPath() throws Exception {
        serveWith(Policy.builder().appRoot("/app1").build());
        RawHttp.Response root = get("/?q=1");
        assertThat(root.status()).isEqualTo(302);
        assertThat(root.header("location")).isEqualTo("http://example.com/app1");
        assertThat(get("/app1").status()).isEqualTo(200);
        assertThat(get("/other").status()).isEqualTo(200);
        assertThat(upstream.completeRequests()).isEqualTo(2);
    }

    /** ingress-nginx's documented example: {@code /something(/|$)(.*)} rewritten to {@code /$2}. */
    @Test
    void rewriteTargetSendsThePathTheGroupsMakeAndKeepsTheQuery() throws Exception {
        String path = "/something(/|$)(.*)";
        serve(new Route("example.com", path, PathType.PREFIX, backend("web", upstream.port()),
                new Source("default", "app"), false, false,
                Policy.builder().rewriteTarget("/$2").build(),
                PathRegex.compile(path)));
        assertThat(get("/something/new?x=1&y=2").status()).isEqualTo(200);
        assertThat(get("/SOMETHING").status()).as("case-insensitive, as nginx's ~*").isEqualTo(200);
        assertThat(get("/something/a/b").status()).isEqualTo(200);
        assertThat(get("/elsewhere").status()).as("no other rule: the default 404").isEqualTo(404);
        assertThat(requestLines()).containsExactly("GET /new?x=1&y=2 HTTP/1.1", "GET / HTTP/1.1",
                "GET /a/b HTTP/1.1");
    }


    /** proxy-redirect-from/-to: the upstream's Location (and Refresh) as the client sees it. */
    @Test
    void proxyRedirectRewritesTheStartOfTheUpstreamsLocation() throws Exception {
        try (ScriptedUpstream app = new ScriptedUpstream((s, u) -> {
            String head = u.readHead(s.getInputStream());
            String target = head.contains("/refresh") ? "Refresh: 5; url=http://internal:8080/later\r\n"
                    : "Location: http://internal:8080/login?next=%2F\r\n";
            ScriptedUpstream.write(s, "HTTP/1.1 302 Found\r\n" + target + "Content-Length: 0\r\n\r\n");
        })) {
            serve(new Route("example.com", "/", PathType.PREFIX, backend("web", app.port()),
                    new Source("default", "app"), false, false, Policy.builder().locationRewrite(
                            new LocationRewrite("http://internal:8080/", "https://example.com/")).build()));
            assertThat(get("/").header("location")).isEqualTo("https://example.com/login?next=%2F");
            assertThat(get("/refresh").header("refresh")).isEqualTo("5; url=https://example.com/later");
        }
    }

    private java.util.List<String> requestLines() {
        return upstream.received().lines().filter(l -> l.startsWith("GET ")).toList();
    }
}
