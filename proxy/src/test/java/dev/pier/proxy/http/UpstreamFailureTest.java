package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyTestBase;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp;
import dev.pier.testing.ScriptedUpstream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** 502, 503, 504, retries and connection reuse against real and misbehaving upstreams. */
class UpstreamFailureTest extends ProxyTestBase {

    private static int closedPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void refusedConnectionIs502() throws Exception {
        serve(prefix("example.com", "/", backend("gone", closedPort())));
        HttpResponse<String> r = get("example.com", "/");
        assertThat(r.statusCode()).isEqualTo(502);
        assertThat(r.body()).isEqualTo("502 Bad Gateway\n");
    }

    @Test
    void aRefusedEndpointIsRetriedOnAnother() throws Exception {
        try (EchoUpstream live = new EchoUpstream("live")) {
            serve(prefix("example.com", "/", backend("half", closedPort(), live.port())));
            for (int i = 0; i < 6; i++) {
                assertThat(get("example.com", "/" + i).statusCode()).isEqualTo(200);
            }
            assertThat(live.received()).hasSize(6);
        }
    }

    @Test
    void keepsAndReusesUpstreamConnections() throws Exception {
        try (EchoUpstream up = new EchoUpstream("web")) {
            serve(prefix("example.com", "/", backend("web", up.port())));
            for (int i = 0; i < 20; i++) { // separate client connections, one event loop: one pooled connection
                try (RawHttp c = new RawHttp(proxy.httpPort())) {
                    c.send("GET /" + i + " HTTP/1.1\r\nHost: example.com\r\n\r\n");
                    assertThat(c.read().status()).isEqualTo(200);
                }
            }
            assertThat(up.received()).hasSize(20);
            assertThat(up.connectionCount()).isEqualTo(1);
        }
    }

    @Test
    void roundRobinsOverReadyEndpoints() throws Exception {
        try (EchoUpstream a = new EchoUpstream("a"); EchoUpstream b = new EchoUpstream("b")) {
            serve(prefix("example.com", "/", backend("ab", a.port(), b.port())));
            for (int i = 0; i < 10; i++) {
                assertThat(get("example.com", "/").statusCode()).isEqualTo(200);
            }
            assertThat(a.received()).hasSize(5);
            assertThat(b.received()).hasSize(5);
        }
    }

    @Test
    void silentUpstreamIs504() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            Thread.sleep(10_000);
        })) {
            serve(prefix("example.com", "/", backend("slow", up.port())));
            HttpResponse<String> r = get("example.com", "/"); // the timeout is 1.5 s here, the upstream's 10 s
            assertThat(r.statusCode()).isEqualTo(504);
        }
    }

    /**
     * {@code proxy-read-timeout} on a route replaces the configured 1.5 s both ways: the upstream answers after 0.8 s,
     * too late for a route's 0.2 s; after 2.5 s, in time for a route's 30 s.
     */
    @Test
    void aRoutesTimeoutReplacesTheConfiguredOne() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            String head = u.readHead(s.getInputStream());
            Thread.sleep(head.contains("patient") ? 2_500 : 800);
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nlate");
        })) {
            serve(withTimeout("short.example.com", up.port(), Duration.ofMillis(200)),
                    withTimeout("patient.example.com", up.port(), Duration.ofSeconds(30)));
            assertThat(get("short.example.com", "/").statusCode()).isEqualTo(504);
            HttpResponse<String> patient = get("patient.example.com", "/");
            assertThat(patient.statusCode()).isEqualTo(200);
            assertThat(patient.body()).isEqualTo("late");
        }
    }

    private static Route withTimeout(String host, int port, Duration timeout) {
        Policy policy = Policy.builder().upstreamTimeoutNanos(timeout.toNanos()).build();
        return new Route(host, "/", PathType.PREFIX, backend("slow", port), new Source("default", host), false,
                false, policy);
    }

    @Test
    void anUpstreamThatKeepsSendingIsNotTimedOut() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
            for (char c : "slowly".toCharArray()) { // 3 s in all, each gap well inside the 1.5 s timeout
                Thread.sleep(500);
                ScriptedUpstream.write(s, String.valueOf(c));
            }
            Thread.sleep(2000);
        })) {
            serve(prefix("example.com", "/", backend("trickle", up.port())));
            HttpResponse<String> r = get("example.com", "/");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("slowly");
        }
    }

    @Test
    void anUpstreamSilentInTheMiddleOfTheBodyIsCutOffAfterTheTimeout() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nhalf");
            Thread.sleep(10_000);
        })) {
            serve(prefix("example.com", "/", backend("stall", up.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                long start = System.nanoTime();
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
                RawHttp.Response r = c.read(); // to EOF: the status line is gone, so the client is cut off
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("half");
                assertThat((System.nanoTime() - start) / 1_000_000).isBetween(1000L, 5000L); // timeout 1.5 s
            }
        }
    }

    @Test
    void resetBeforeTheResponseIs502() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            s.setSoLinger(true, 0); // RST
            s.close();
        })) {
            serve(prefix("example.com", "/", backend("rst", up.port())));
            assertThat(get("example.com", "/").statusCode()).isEqualTo(502);
        }
    }

    @Test
    void garbageResponseIs502() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "SMTP READY\r\n\r\n");
            Thread.sleep(2000);
        })) {
            serve(prefix("example.com", "/", backend("junk", up.port())));
            assertThat(get("example.com", "/").statusCode()).isEqualTo(502);
        }
    }

    @Test
    void truncatedResponseClosesTheClientConnection() throws Exception {
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly part");
            s.setSoLinger(true, 0);
        })) {
            serve(prefix("example.com", "/", backend("cut", up.port())));
            try (RawHttp c = new RawHttp(proxy.httpPort())) {
                c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n");
                RawHttp.Response r = c.read(); // reads to EOF: the proxy cuts the client off at the truncation
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyText()).isEqualTo("only part");
                assertThat(c.closedWithin(1000)).isTrue();
            }
        }
    }

    @Test
    void anIdlePooledConnectionTheUpstreamClosedIsDroppedBeforeReuse() throws Exception {
        List<Socket> open = new ArrayList<>();
        // Keeps each connection open after answering, without Connection: close, so the proxy pools it. The test
        // then closes it behind the proxy's back: the next request lands on a dead pooled connection.
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            synchronized (open) {
                open.add(s);
            }
            InputStream in = s.getInputStream();
            while (!u.readHead(in).isEmpty()) {
                ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            }
        })) {
            serve(prefix("example.com", "/", backend("stale", up.port())));
            assertThat(get("example.com", "/1").statusCode()).isEqualTo(200);
            synchronized (open) {
                for (Socket s : open) {
                    s.shutdownInput(); // the script's read ends; the socket then closes quietly (FIN)
                    s.close();
                }
            }
            Thread.sleep(50);
            assertThat(get("example.com", "/2").statusCode()).isEqualTo(200);
            assertThat(up.accepted()).isEqualTo(2);
        }
    }

    @Test
    void aRequestOnAPooledConnectionTheUpstreamClosesUnansweredIsRetriedOnAFreshOne() throws Exception {
        // Each connection answers its first request, then reads the second and closes without a word: the race of an
        // upstream keep-alive timeout against a request the proxy just sent on a pooled connection.
        try (ScriptedUpstream up = new ScriptedUpstream((s, u) -> {
            InputStream in = s.getInputStream();
            u.readHead(in);
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
            u.readHead(in);
        })) {
            serve(prefix("example.com", "/", backend("racy", up.port())));
            assertThat(get("example.com", "/1").statusCode()).isEqualTo(200);
            HttpResponse<String> second = get("example.com", "/2");
            assertThat(second.statusCode()).isEqualTo(200); // 502 without the retry
            assertThat(up.accepted()).isEqualTo(2);
            assertThat(up.heads()).hasSize(3).allSatisfy(h -> assertThat(h).startsWith("GET /"));
        }
    }
}
