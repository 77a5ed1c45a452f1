package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyTestBase;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.RawHttp;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code proxy-connect-timeout}: an endpoint that never completes the handshake (a loopback listener whose accept queue
 * is full, so the kernel drops further SYNs) gets the route's connect timeout, not the configured minute.
 */
class ConnectTimeoutTest extends ProxyTestBase {
    @Override
    protected ProxyConfig config() {
        return super.config().withTimeouts(Duration.ofSeconds(60), Duration.ofSeconds(60), Duration.ofSeconds(75));
    }

    @Test
    void aRoutesConnectTimeoutReplacesTheConfiguredOne() throws Exception {
        List<Socket> queued = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            fillAcceptQueue(full, queued);
            Policy policy = Policy.builder().connectTimeoutMillis(300).build();
            serve(new Route("example.com", "/", PathType.PREFIX, backend("stuck", full.getLocalPort()),
                    new Source("default", "app"), false, false, policy));
            try (RawHttp c = new RawHttp(proxy.httpPort())) { // reads time out after 10 s: the configured 60 s fail
                RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: example.com\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(504);
            }
        } finally {
            for (Socket s : queued) {
                s.close();
            }
        }
    }

    /** Connects until a connection no longer completes: the accept queue is full and new SYNs are dropped. */
    private static void fillAcceptQueue(ServerSocket server, List<Socket> queued) throws IOException {
        for (int i = 0; i < 16; i++) {
            Socket s = new Socket();
            try {
                s.connect(new InetSocketAddress(server.getInetAddress(), server.getLocalPort()), 200);
                queued.add(s);
            } catch (SocketTimeoutException e) {
                s.close();
                return;
            }
        }
        throw new IllegalStateException("the accept queue never filled; the test cannot make a connect hang");
    }
}
