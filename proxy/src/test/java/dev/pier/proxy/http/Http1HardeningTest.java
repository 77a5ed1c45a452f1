package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.RecordingProxyTestBase;
import dev.pier.testing.RawHttp;
import dev.pier.testing.RecordingUpstream;
import dev.pier.testing.ScriptedUpstream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What RFC 9112 says a server must refuse, sent as raw bytes to a real Pier with an upstream that records every byte
 * it receives: the status, that the connection closes, and what (nothing, or nothing complete) reached the backend.
 */
class Http1HardeningTest extends RecordingProxyTestBase {
    private static String crlf(String raw) {
        return raw.replace("\\r\\n", "\r\n").replace("\\n", "\n");
    }

    @Nested
    class ChunkedBodies {
        /**
         * The head goes up as soon as it is read (Pier streams), so the upstream may see it and part of the body; it
         * must never see the body end, and its connection must be closed rather than pooled.
         */
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "hex prefix            | 0x5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
                "negative size         | -5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
                "space after size      | 5 \\r\\nhello\\r\\n0\\r\\n\\r\\n",
                "size beyond 2^63      | 10000000000000000\\r\\nhello\\r\\n0\\r\\n\\r\\n",
                "bare LF after size    | 5\\nhello\\r\\n0\\r\\n\\r\\n",
                "data longer than size | 3\\r\\nhello\\r\\n0\\r\\n\\r\\n",
                "not hex at all        | zz\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        })
        void aBrokenChunkedBodyIs400AndCloseAndNeverCompletesUpstream(String name, String body) throws Exception {
            double before = clientErrors("malformed_body");
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "4\r\nokay\r\n");
                Thread.sleep(100); // the head and a good chunk are on their way up
                c.send(crlf(body));
                RawHttp.Response r = c.read();
                assertThat(r.status()).isEqualTo(400);
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedWithin(2000)).isTrue();
            }
            assertThat(upstream.completeRequests()).isZero();
            String received = upstream.received();
            String sentUp = received.contains("\r\n\r\n") ? received.substring(received.indexOf("\r\n\r\n") + 4) : "";
            assertThat(sentUp).as("the body sent up").doesNotContainPattern("(^|\r\n)0+\r\n").doesNotContain("hello");
            for (RecordingUpstream.Connection up : upstream.connections()) {
                assertThat(waitClosed(up)).as("upstream connection closed, not pooled").isTrue();
            }
            assertThat(clientErrors("malformed_body")).isEqualTo(before + 1);
        }

        @Test
        void aBrokenBodyAfterPierAnsweredItselfClosesTheConnection() throws Exception {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("POST / HTTP/1.1\r\nHost: nobody.example\r\nTransfer-Encoding: chunked\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(404);
                c.send("zz\r\nhello\r\n0\r\n\r\n");
                assertThat(c.closedWithin(2000)).isTrue();
            }
        }

        @Test
        void aWellFormedChunkedBodyStillGoesThrough() throws Exception {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("POST /upload HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n"
                        + "5;ext=1\r\nhello\r\n0\r\n\r\n");
                assertThat(c.read().bodyText()).isEqualTo("ok");
            }
            assertThat(upstream.completeRequests()).isEqualTo(1);
        }

        private boolean waitClosed(RecordingUpstream.Connection up) throws InterruptedException {
            for (int i = 0; i < 100 && !up.closedByPeer(); i++) {
                Thread.sleep(20);
            }
            return up.closedByPeer();
        }
    }

    @Nested
    class RequestHead {
        @ParameterizedTest(name = "{0}")
        @CsvSource(delimiter = '|', value = {
                "Host with a path               | GET / HTTP/1.1\\r\\nHost: example.com/x\\r\\n\\r\\n                  | 400",
                "Host with userinfo             | GET / HTTP/1.1\\r\\nHost: u@example.com\\r\\n\\r\\n                  | 400",
                "Host with a bad port           | GET / HTTP/1.1\\r\\nHost: example.com:abc\\r\\n\\r\\n                | 400",
                "Host with a long port          | GET / HTTP/1.1\\r\\nHost: example.com:123456\\r\\n\\r\\n             | 400",
                "Host with a space              | GET / HTTP/1.1\\r\\nHost: exa mple.com\\r\\n\\r\\n                   | 400",
                "absolute form with userinfo    | GET http://u:p@example.com/ HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n | 400",
                "control character in target    | GET /a\u0001b HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n              | 400",
                "DEL in target                  | GET /a\u007fb HTTP/1.1\\r\\nHost: example.com\\r\\n\\r\\n              | 400",
                "HTTP/2.0 in text               | GET / HTTP/2.0\\r\\nHost: example.com\\r\\n\\r\\n                     | 505",
                "HTTP/3.0 in text               | GET / HTTP/3.0\\r\\nHost: example.com\\r\\n\\r\\n                     | 505",
                "gzip before chunked            | POST / HTTP/1.1\\r\\nHost: example.com\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 501",
                "chunked twice                  | POST / HTTP/1.1\\r\\nHost: example.com\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
                "Transfer-Encoding in HTTP/1.0  | POST / HTTP/1.0\\r\\nHost: example.com\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400",
        })
        void isRefusedAndTheConnectionCloses(String name, String raw, int status) throws Exception {
            double before = clientErrors("malformed_request");
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send(crlf(raw));
                assertThat(c.read().status()).isEqualTo(status);
                assertThat(c.closedWithin(2000)).isTrue();
            }
            assertThat(upstream.received()).isEmpty();
            assertThat(clientErrors("malformed_request")).isGreaterThan(before);
        }

        @ParameterizedTest(name = "Host: {0}")
        @CsvSource({"example.com", "EXAMPLE.com:8080", "example.com:", "[::1]:8080", "xn--bcher-kva.example"})
        void validHostsAreAccepted(String host) throws Exception {
            serve(prefix(host.replaceAll(":[0-9]*$", "").toLowerCase(java.util.Locale.ROOT), "/",
                    backend("web", upstream.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                assertThat(c.read().status()).isIn(200, 404);
            }
        }

        @Test
        void anHttp10RequestWithoutHostGoesUpAsHttp11WithAnEmptyHost() throws Exception {
            serve(prefix("", "/", backend("web", upstream.port()))); // a rule without host: any Host, or none
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET /old HTTP/1.0\r\nX-Forwarded-Host: evil.example\r\n\r\n");
                assertThat(c.read().bodyText()).isEqualTo("ok");
            }
            assertThat(upstream.received()).startsWith("GET /old HTTP/1.1\r\n").contains("\r\nhost: \r\n")
                    .doesNotContainIgnoringCase("X-Forwarded-Host"); // no host to forward, and not the client's
        }

        @Test
        void rawNonAsciiBytesInThePathReachTheUpstreamUnchanged() throws Exception {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET /caf\u00c3\u00a9/\u00ee HTTP/1.1\r\nHost: example.com\r\n\r\n"); // UTF-8 é, then a lone 0xEE
                assertThat(c.read().status()).isEqualTo(200);
            }
            assertThat(upstream.received()).startsWith("GET /caf\u00c3\u00a9/\u00ee HTTP/1.1\r\n");
        }

        @Test
        void headerNamesWithUnderscoresAreDroppedAsNginxDoes() throws Exception {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\nX_Forwarded_For: 6.6.6.6\r\nX-Kept: yes\r\n"
                        + "my_header: 1\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(200);
            }
            assertThat(upstream.received()).containsIgnoringCase("x-kept: yes")
                    .doesNotContainIgnoringCase("x_forwarded_for").doesNotContainIgnoringCase("my_header")
                    .doesNotContain("6.6.6.6");
        }
    }

    @Nested
    class Upgrades {
        @Test
        void h2cIsNeverForwarded() throws Exception {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\n"
                        + "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(200);
            }
            assertThat(upstream.received()).doesNotContainIgnoringCase("upgrade")
                    .doesNotContainIgnoringCase("h2c").doesNotContainIgnoringCase("http2-settings");
        }

        @Test
        void onlyTheWebSocketTokenOfAnUpgradeListIsForwarded() throws Exception {
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET /ws HTTP/1.1\r\nHost: example.com\r\nConnection: upgrade\r\n"
                        + "Upgrade: h2c, websocket\r\nSec-WebSocket-Version: 13\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
                c.read();
            }
            assertThat(upstream.received()).contains("\r\nupgrade: websocket\r\n").doesNotContain("h2c");
        }

        @Test
        void anUnrequested101FromTheUpstreamIs502AndNothingIsTunnelled() throws Exception {
            try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
                u.readHead(s.getInputStream());
                ScriptedUpstream.write(s, "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                        + "Upgrade: h2c\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
                Thread.sleep(3000);
            })) {
                serve(prefix("example.com", "/", backend("sneaky", up.port())));
                try (RawHttp c = new RawHttp(proxy.httpPort())) {
                    c.send("GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n");
                    RawHttp.Response r = c.read();
                    assertThat(r.status()).isEqualTo(502);
                    assertThat(r.bodyText()).doesNotContain("PRI");
                }
            }
        }
    }

    /** {@code --enable-underscores-in-headers}: nginx's {@code underscores_in_headers on}. */
    @Nested
    class UnderscoresEnabled {
        @Test
        void areForwarded() throws Exception {
            proxy.close();
            proxy = dev.pier.proxy.ProxyServer.start(config().withUnderscoresInHeaders(true), routes, telemetry);
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\nmy_header: 1\r\n\r\n");
                assertThat(c.read().status()).isEqualTo(200);
            }
            assertThat(upstream.received()).contains("my_header: 1");
        }
    }
}
