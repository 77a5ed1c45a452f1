package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyTestBase;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp2;
import io.micrometer.core.instrument.Counter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Errors a client causes are counted in {@code pier_client_errors_total{reason}} and never logged above debug, with
 * no stack trace: the probe that found 1,891 stack lines in one run, repeated, must leave the log (standard error,
 * where the simple logger writes) empty.
 */
class ClientErrorLoggingTest extends ProxyTestBase {
    private EchoUpstream web;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream original;

    @BeforeEach
    void setUp() throws Exception {
        web = new EchoUpstream("web");
        serve(prefix("example.com", "/", backend("web", web.port())));
        original = System.err;
        System.setErr(new PrintStream(new TeeStream(original, log), true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        System.setErr(original);
        web.close();
    }

    private double errors(String reason) {
        Counter c = telemetry.metrics().registry().find("pier.client.errors").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void protocolErrorsResetsAndBadTlsAreCountedNotLogged() throws Exception {
        double h2 = errors("h2_connection") + errors("h2_stream");
        double io = errors("io");
        double tls = errors("tls");
        for (int i = 0; i < 20; i++) {
            try (RawHttp2 c = new RawHttp2(proxy.httpsPort())) { // HTTP/2 connection errors
                c.frame(RawHttp2.DATA, 0, 0, new byte[] {1});
                c.next(2000);
            }
            try (RawHttp2 c = new RawHttp2(proxy.httpsPort())) { // a stream error, then a reset in mid-request
                c.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "example.com", ":path",
                        "/a b");
                c.next(2000);
                c.headers(3, false, ":method", "POST", ":scheme", "https", ":authority", "example.com", ":path",
                        "/");
                c.resetOnClose();
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.httpsPort())) { // not TLS at all
                s.getOutputStream().write("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n".getBytes());
                s.setSoTimeout(2000);
                s.getInputStream().read();
            }
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.httpPort())) { // HTTP/1.1 reset
                s.getOutputStream().write("POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 100\r\n\r\nab"
                        .getBytes());
                Thread.sleep(20);
                s.setSoLinger(true, 0);
            }
        }
        Thread.sleep(300); // the server sees the last resets
        String logged = log.toString(StandardCharsets.UTF_8);
        assertThat(logged).doesNotContain("WARN").doesNotContain("ERROR").doesNotContain("\tat ")
                .doesNotContain("Exception");
        assertThat(errors("h2_connection") + errors("h2_stream")).isGreaterThanOrEqualTo(h2 + 40);
        assertThat(errors("tls")).isGreaterThanOrEqualTo(tls + 20);
        assertThat(errors("io")).isGreaterThan(io);
    }

    /**
     * What reaches the end of an HTTP/2 connection's pipeline: a reset or TLS failure is counted and closes the
     * connection; an HTTP/2 error was counted by the codec, which sends its GOAWAY and closes the connection itself.
     */
    @Test
    void theEndOfAnHttp2ConnectionCountsAndClosesQuietly() {
        double io = errors("io");
        EmbeddedChannel reset = new EmbeddedChannel(new Http2Connections.ConnectionEnd(null, telemetry.metrics()));
        reset.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));
        assertThat(reset.isOpen()).isFalse();
        assertThat(errors("io")).isEqualTo(io + 1);

        double tls = errors("tls");
        EmbeddedChannel badRecord = new EmbeddedChannel(new Http2Connections.ConnectionEnd(null,
                telemetry.metrics()));
        badRecord.pipeline().fireExceptionCaught(new DecoderException(new SSLException("bad record MAC")));
        assertThat(badRecord.isOpen()).isFalse();
        assertThat(errors("tls")).isEqualTo(tls + 1);

        EmbeddedChannel h2 = new EmbeddedChannel(new Http2Connections.ConnectionEnd(null, telemetry.metrics()));
        h2.pipeline().fireExceptionCaught(Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "bad frame"));
        assertThat(h2.isOpen()).as("left to the codec's GOAWAY").isTrue();
        h2.finishAndReleaseAll();
        assertThat(log.toString(StandardCharsets.UTF_8)).doesNotContain("WARN").doesNotContain("\tat ");
    }

    /** Writes to both streams. */
    private static final class TeeStream extends OutputStream {
        private final OutputStream a;
        private final OutputStream b;

        TeeStream(OutputStream a, OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) {
            synchronized (this) {
                try {
                    a.write(c);
                } catch (java.io.IOException ignored) {
                    // the console is best effort
                }
                try {
                    b.write(c);
                } catch (java.io.IOException ignored) {
                    // a ByteArrayOutputStream does not fail
                }
            }
        }
    }
}
