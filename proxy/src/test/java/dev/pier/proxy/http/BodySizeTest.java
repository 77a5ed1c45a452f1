package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.RecordingProxyTestBase;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.RawHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's body limit ({@code proxy-body-size}): a larger declared body gets 413 before anything goes up; a chunked
 * body that grows past it gets 413 and close, and the upstream, which saw part of it, never a complete request.
 */
class BodySizeTest extends RecordingProxyTestBase {
    @BeforeEach
    void limitedRoute() {
        serve(new Route("example.com", "/", PathType.PREFIX, backend("web", upstream.port()),
                new Source("default", "upload"), false, false, Policy.NONE.withMaxBodyBytes(1024)));
    }

    @Test
    void aDeclaredBodyOverTheLimitIs413AndNothingGoesUp() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2000\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(upstream.received()).isEmpty();
    }

    /**
     * The client sends its whole body before reading, as most do. Were Pier to close with that body unread, the
     * kernel would answer it with a reset, which can destroy the 413 before the client reads it: Pier lingers instead,
     * reading and dropping the body, and the client gets its 413 and then the end of the connection.
     */
    @Test
    void aClientThatSendsItsWholeBodyFirstStillReadsThe413() throws Exception {
        byte[] body = new byte[8 << 20];
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: " + body.length + "\r\n\r\n");
            for (int i = 0; i < 4; i++) {
                c.send(body); // 32 MiB in all, far past every socket buffer: the writes end only if Pier reads
            }
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aBodyWithinTheLimitGoesThrough() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /up HTTP/1.1\r\nHost: example.com\r\nContent-Length: 1024\r\n\r\n" + "x".repeat(1024));
            assertThat(c.read().bodyText()).isEqualTo("ok");
        }
        assertThat(upstream.completeRequests()).isEqualTo(1);
    }

    @Test
    void aChunkedBodyThatGrowsPastTheLimitIs413AndNeverCompletesUpstream() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /up HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "200\r\n" + "a".repeat(512) + "\r\n");
            Thread.sleep(100); // the head and a first chunk go up
            c.send("400\r\n" + "b".repeat(1024) + "\r\n0\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(upstream.completeRequests()).isZero();
        assertThat(upstream.received()).doesNotContain("bbbb");
    }
}
