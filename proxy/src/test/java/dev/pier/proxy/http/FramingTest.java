package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyTestBase;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp;
import dev.pier.testing.ScriptedUpstream;
import java.io.InputStream;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** HTTP/1.1 framing through the proxy, byte for byte, over raw sockets. */
class FramingTest extends ProxyTestBase {
    private EchoUpstream web;

    @Override
    protected ProxyConfig config() {
        return super.config().withLimits(1024, 4096)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(600));
    }

    @BeforeEach
    void upstream() throws Exception {
        web = new EchoUpstream("web");
        serve(prefix("example.com", "/", backend("web", web.port())));
    }

    @AfterEach
    void stopUpstream() {
        web.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "Content-Length and Transfer-Encoding | POST / HTTP/1.1\\r\\nHost: example.com\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
            "differing Content-Lengths            | POST / HTTP/1.1\\r\\nHost: example.com\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd | 400",
            "HTTP/1.1 without Host                 | GET / HTTP/1.1\\r\\nAccept: */*\\r\\n\\r\\n | 400",
            "two Host headers                      | GET / HTTP/1.1\\r\\nHost: example.com\\r\\nHost: evil.com\\r\\n\\r\\n | 400",
            "garbage request line                  | HELLO\\r\\n\\r\\n | 400",
            "space in header name                  | GET / HTTP/1.1\\r\\nHost: example.com\\r\\nBad Header: x\\r\\n\\r\\n | 400",
            "fragment in target                    | GET /a#b HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n | 400",
            "bad percent-encoding                  | GET /a%zz HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n | 400",
            "unknown expectation                   | GET / HTTP/1.1\\r\\nHost: example.com\\r\\nExpect: magic\\r\\n\\r\\n | 417",
    })
    void malformedRequestsGetTheirStatusAndTheConnectionCloses(String name, String raw, int status) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send(raw.replace("\\r\\n", "\r\n"));
            assertThat(c.read().status()).isEqualTo(status);
            assertThat(c.closedWithin(2000)).isTrue();
        }
        assertThat(web.received()).isEmpty();
    }

    @Test
    void aRequestSpreadOverManySocketReadsIsServed() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /big HTTP/1.1\r\nHost: example.com\r\nX-Big: " + "b".repeat(3500) + "\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /big\n");
            c.send("GET /big HTTP/1.1\r\n");
            Thread.sleep(50);
            c.send("Host: example.com\r\n");
            Thread.sleep(50);
            c.send("\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /big\n");
        }
    }

    @Test
    void requestLineTooLongIs414() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(414);
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void headerBlockTooLargeIs431() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET / HTTP/1.1\r\nHost: example.com\r\nX-Big: " + "b".repeat(5000) + "\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(431);
            assertThat(c.closedWithin(2000)).isTrue();
        }
    }

    @Test
    void expectContinueGets100ThenTheResponse() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("POST /upload HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(100); // before any body byte was sent
            c.send("hello");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("web POST /upload\n");
        }
        assertThat(web.last().bodyBytes()).isEqualTo(5);
        assertThat(web.last().header("expect")).isNull();
    }

    @Test
    void headResponsesCarryNoBodyAndTheConnectionStaysUsable() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("HEAD /h HTTP/1.1\r\nHost: example.com\r\n\r\n");
            RawHttp.Response head = c.read(true);
            assertThat(head.status()).isEqualTo(200);
            assertThat(head.header("content-length")).isEqualTo("12");
            c.send("GET /g HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /g\n"); // no stray body bytes in between
        }
    }

    @ParameterizedTest
    @CsvSource({"204", "304"})
    void noContentAndNotModifiedCarryNoBody(int status) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /status/" + status + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(status);
            assertThat(r.header("transfer-encoding")).isNull();
            c.send("GET /after HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /after\n");
        }
    }

    @Test
    void chunkedRequestBodyWithTrailersIsStreamedThrough() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            InputStream in = s.getInputStream();
            u.readHead(in);
            String body = u.readHead(in); // the chunked body up to the blank line after its trailers
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
        })) {
            serve(prefix("example.com", "/", backend("scripted", up.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("POST /c HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: 42\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.bodyText()).contains("hello").contains(" world").contains("X-Checksum: 42");
            }
            assertThat(up.heads().get(0)).containsIgnoringCase("transfer-encoding: chunked")
                    .doesNotContainIgnoringCase("content-length");
        }
    }

    @Test
    void chunkedResponseWithTrailersReachesTheClient() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n"
                    + "3\r\nabc\r\n3\r\ndef\r\n0\r\nX-Sum: 7\r\n\r\n");
            Thread.sleep(5000);
        })) {
            serve(prefix("example.com", "/", backend("scripted", up.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.bodyText()).isEqualTo("abcdef");
                assertThat(r.header("trailer:x-sum")).isEqualTo("7");
            }
        }
    }

    @Test
    void upstreamConnectionCloseRetiresThatConnection() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        })) {
            serve(prefix("example.com", "/", backend("scripted", up.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                for (int i = 0; i < 3; i++) {
                    c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
                    RawHttp.Response r = c.read();
                    assertThat(r.bodyText()).isEqualTo("ok");
                    assertThat(r.header("connection")).isNull(); // the client's connection is kept
                }
            }
            assertThat(up.accepted()).isEqualTo(3);
        }
    }

    @Test
    void closeDelimitedResponseIsRechunkedForTheClient() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close");
        })) {
            serve(prefix("example.com", "/", backend("scripted", up.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
                RawHttp.Response r = c.read();
                assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
                assertThat(r.bodyText()).isEqualTo("until close");
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
                assertThat(c.read().bodyText()).isEqualTo("until close");
            }
        }
    }

    @Test
    void idleKeepAliveClientsAreClosed() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().status()).isEqualTo(200);
            assertThat(c.closedWithin(3000)).isTrue(); // client idle timeout is 600 ms here
        }
    }

    @Test
    void answersItsOwn404WithoutClosingAKeepAliveConnection() throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET / HTTP/1.1\r\nHost: unknown.org\r\n\r\n");
            RawHttp.Response r = c.read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("connection")).isNull();
            c.send("GET /x HTTP/1.1\r\nHost: example.com\r\n\r\n");
            assertThat(c.read().bodyText()).isEqualTo("web GET /x\n");
        }
    }
}
