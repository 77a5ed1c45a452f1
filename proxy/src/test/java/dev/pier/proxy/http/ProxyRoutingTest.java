package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.exact;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyTestBase;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ProxyRoutingTest extends ProxyTestBase {
    private EchoUpstream web;
    private EchoUpstream admin;

    @BeforeEach
    void upstreams() throws Exception {
        web = new EchoUpstream("web");
        admin = new EchoUpstream("admin");
        serve(prefix("example.com", "/", backend("web", web.port())),
                prefix("example.com", "/admin", backend("admin", admin.port())),
                exact("example.com", "/down", backend("down")));
    }

    @AfterEach
    void stopUpstreams() {
        web.close();
        admin.close();
    }

    @Test
    void routesByHostAndPathToTheRightService() throws Exception {
        assertThat(get("example.com", "/hello").body()).isEqualTo("web GET /hello\n");
        assertThat(get("EXAMPLE.com:8080", "/admin/users").body()).isEqualTo("admin GET /admin/users\n");
        assertThat(get("example.com", "/administrator").body()).isEqualTo("web GET /administrator\n");
    }

    @Test
    void unknownHostGetsTheBuiltInDefaultBackend() throws Exception {
        HttpResponse<String> r = get("nobody.example.org", "/");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.body()).isEqualTo("404 Not Found\n");
        assertThat(web.received()).isEmpty();
    }

    @Test
    void serviceWithoutEndpointsGets503() throws Exception {
        HttpResponse<String> r = get("example.com", "/down");
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(r.body()).isEqualTo("503 Service Unavailable\n");
    }

    @Test
    void setsForwardingHeadersAndDistrustsIncomingOnes() throws Exception {
        http.send(request("example.com", "/h").header("X-Forwarded-For", "6.6.6.6")
                .header("X-Real-IP", "6.6.6.6").header("X-Forwarded-Proto", "https")
                .header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Port", "1").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        EchoUpstream.Received got = web.last();
        for (String name : List.of("x-forwarded-for", "x-real-ip", "x-forwarded-proto", "x-forwarded-host",
                "x-forwarded-port", "x-request-id", "host")) {
            assertThat(got.headers().get(name)).as(name).hasSize(1); // Pier's value only, not the client's too
        }
        assertThat(got.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(got.header("x-real-ip")).isEqualTo("127.0.0.1");
        assertThat(got.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(got.header("x-forwarded-host")).isEqualTo("example.com");
        assertThat(got.header("x-forwarded-port")).isEqualTo(Integer.toString(proxy.httpPort()));
        assertThat(got.header("host")).isEqualTo("example.com");
        assertThat(got.header("x-request-id")).matches("[0-9a-f]{32}");
    }

    @Test
    void keepsAnIncomingRequestId() throws Exception {
        http.send(request("example.com", "/h").header("X-Request-ID", "abc-123").GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(web.last().header("x-request-id")).isEqualTo("abc-123");
    }

    @Test
    void removesHopByHopHeadersAndTheOnesConnectionNames() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /h HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Secret\r\n"
                    + "X-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Authorization: Basic eA==\r\n"
                    + "Proxy-Connection: keep-alive\r\nUpgrade: h2c\r\nX-Kept: yes\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
        }
        EchoUpstream.Received got = web.last();
        assertThat(got.headers()).doesNotContainKeys("x-secret", "keep-alive", "te", "proxy-authorization",
                "proxy-connection", "upgrade");
        assertThat(got.header("connection")).isNull();
        assertThat(got.header("x-kept")).isEqualTo("yes");
    }

    @Test
    void passesTheQueryStringByteForByte() throws Exception {
        String query = "?a=%2F%2f&b=1+2&c&d=%E2%9C%93&e=/../x";
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /search" + query + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /search" + query + "\n");
        }
    }

    @Test
    void normalizesThePathBeforeRoutingAndForwardsTheNormalizedPath() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /public/../admin/x HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("admin GET /admin/x\n");
            c.send("GET /public/%2e%2E/admin HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("admin GET /admin\n");
            c.send("GET //admin HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("admin GET /admin\n");
            c.send("GET /%61dmin/./y HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("admin GET /admin/y\n");
        }
    }

    @Test
    void dotSegmentsAboveTheRootAre400AndClose() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /../etc/passwd HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(400);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(web.received()).isEmpty();
    }

    @Test
    void acceptsAbsoluteFormAndRoutesByItsAuthority() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET http://example.com/admin/z?q=1 HTTP/1.1\r\nHost: other.org\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("admin GET /admin/z?q=1\n");
        }
        assertThat(admin.last().header("host")).isEqualTo("example.com");
    }

    @Test
    void servesPipelinedRequestsInOrder() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /one HTTP/1.1\r\nHost: example.com\r\n\r\nGET /admin/two HTTP/1.1\r\nHost: example.com"
                    + "\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: unknown\r\n\r\nGET /three HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /one\n");
            assertThat(c.read().bodyText()).isEqualTo("admin GET /admin/two\n");
            assertThat(c.read().status()).isEqualTo(404);
            assertThat(c.read().bodyText()).isEqualTo("web GET /three\n");
        }
    }

    @Test
    void aNewTableAppliesToTheNextRequestOnTheSameConnection() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).startsWith("web ");
            serve(prefix("example.com", "/", backend("admin", admin.port())));
            c.send("GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).startsWith("admin ");
        }
    }

    @Test
    void http10ClientsAreServedAndClosedUnlessTheyAskForKeepAlive() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /old HTTP/1.0\r\nHost: example.com\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.bodyText()).isEqualTo("web GET /old\n");
            assertThat(c.closedWithin(2000)).isTrue();
        }
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /a HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.header("connection")).isEqualToIgnoringCase("keep-alive");
            c.send("GET /b HTTP/1.0\r\nHost: example.com\r\nConnection: keep-alive\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /b\n");
        }
    }
}
