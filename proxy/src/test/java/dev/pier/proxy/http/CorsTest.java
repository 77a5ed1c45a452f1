package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.RecordingProxyTestBase;
import dev.pier.proxy.route.Cors;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.RawHttp;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code enable-cors} over real sockets: the headers on the upstream's responses, and preflights Pier answers. */
class CorsTest extends RecordingProxyTestBase {
    private static final String METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";

    private void serveCors(Cors cors) {
        serve(new Route("example.com", "/", PathType.PREFIX, backend("web", upstream.port()),
                new Source("default", "app"), false, false,
                Policy.builder().cors(cors).build()));
    }

    private RawHttp.Response send(String method, String origin) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(method + " /api HTTP/1.1\r\nHost: example.com\r\n"
                    + (origin == null ? "" : "Origin: " + origin + "\r\n") + "\r\n");
            return c.read();
        }
    }

    @Test
    void anyOriginPutsTheHeadersOnEveryResponseAndAnswersEveryOptions() throws Exception {
        serveCors(new Cors(true, List.of(), METHODS, "Content-Type", null, true, 1728000));
        RawHttp.Response get = send("GET", "https://app.example.com");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("access-control-allow-origin")).isEqualTo("*");
        assertThat(get.header("access-control-allow-credentials")).isEqualTo("true");
        assertThat(get.header("access-control-allow-methods")).isEqualTo(METHODS);
        assertThat(get.header("access-control-max-age")).isEqualTo("1728000");
        assertThat(get.header("access-control-expose-headers")).isNull();

        RawHttp.Response preflight = send("OPTIONS", null);
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.header("access-control-allow-headers")).isEqualTo("Content-Type");
        assertThat(preflight.body()).isEmpty();
        assertThat(upstream.completeRequests()).as("the preflight never reaches the upstream").isEqualTo(1);
    }

    @Test
    void aListedOriginIsEchoedAndAnyOtherGetsNothing() throws Exception {
        serveCors(new Cors(false, List.of("https://app.example.com", "https://*.example.org"), METHODS, "X-A",
                "X-Total", false, 600));
        RawHttp.Response listed = send("GET", "https://app.example.com");
        assertThat(listed.header("access-control-allow-origin")).isEqualTo("https://app.example.com");
        assertThat(listed.header("access-control-expose-headers")).isEqualTo("X-Total");
        assertThat(listed.header("access-control-allow-credentials")).isNull();
        assertThat(send("GET", "https://shop.example.org").header("access-control-allow-origin"))
                .isEqualTo("https://shop.example.org");
        assertThat(send("GET", "https://a.b.example.org").header("access-control-allow-origin"))
                .as("one level of subdomain only").isNull();
        assertThat(send("GET", "https://evil.example.net").header("access-control-allow-origin")).isNull();
        assertThat(send("GET", null).header("access-control-allow-origin")).isNull();

        assertThat(send("OPTIONS", "https://app.example.com").status()).isEqualTo(204);
        RawHttp.Response other = send("OPTIONS", "https://evil.example.net");
        assertThat(other.status()).as("not a preflight Pier answers: the upstream does").isEqualTo(200);
        assertThat(other.header("access-control-allow-origin")).isNull();
        assertThat(upstream.completeRequests()).isEqualTo(6);
    }
}
