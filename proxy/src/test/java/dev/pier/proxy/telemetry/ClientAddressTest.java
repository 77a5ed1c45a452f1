package dev.pier.proxy.telemetry;

import dev.pier.testing.Routes;
import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.TrustedProxies;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.RouteTable;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client address behind trusted proxies and PROXY protocol, with a real client and upstream. */
class ClientAddressTest {
    private final ActiveRoutes routes = new ActiveRoutes();
    private EchoUpstream upstream;
    private ProxyServer proxy;

    @BeforeEach
    void start() throws Exception {
        upstream = new EchoUpstream("app");
        RouteTable.Builder b = RouteTable.builder();
        b.add(prefix("app.example.com", "/", backend("app", upstream.port())));
        Routes.publish(routes, b.build());
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        upstream.close();
    }

    private void start(TrustedProxies trusted, boolean proxyProtocol) throws Exception {
        proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, -1, 0).withIoThreads(1)
                .withClientAddress(trusted, proxyProtocol), routes);
    }

    private static final String GET_WITH_XFF =
            "GET / HTTP/1.1\r\nHost: app.example.com\r\nX-Forwarded-For: 198.51.100.9, 10.0.0.5\r\n\r\n";

    @Test
    void anUntrustedPeersForwardedForIsReplaced() throws Exception {
        start(TrustedProxies.NONE, false);
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            assertThat(client.send(GET_WITH_XFF).read().status()).isEqualTo(200);
        }
        assertThat(upstream.last().header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(upstream.last().header("x-real-ip")).isEqualTo("127.0.0.1");
    }

    @Test
    void aTrustedPeersChainIsKeptAndItsClientBelieved() throws Exception {
        // Loopback is the load balancer; 10.0.0.0/8 are proxies inside; 198.51.100.9 is the real client.
        start(TrustedProxies.parse(List.of("127.0.0.1/32", "10.0.0.0/8")), false);
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            assertThat(client.send(GET_WITH_XFF).read().status()).isEqualTo(200);
        }
        assertThat(upstream.last().header("x-forwarded-for")).isEqualTo("198.51.100.9, 10.0.0.5, 127.0.0.1");
        assertThat(upstream.last().header("x-real-ip")).isEqualTo("198.51.100.9");
    }

    @Test
    void proxyProtocolV1GivesTheClientAddress() throws Exception {
        start(TrustedProxies.NONE, true);
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            client.send("PROXY TCP4 203.0.113.7 127.0.0.1 51000 8080\r\n");
            assertThat(client.send("GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(client.send("GET /again HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
        assertThat(upstream.received()).extracting(r -> r.header("x-real-ip"))
                .containsExactly("203.0.113.7", "203.0.113.7");
    }

    @Test
    void proxyProtocolV2GivesTheClientAddress() throws Exception {
        start(TrustedProxies.NONE, true);
        byte[] header = {
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, // signature
            0x21, 0x11, 0x00, 0x0C, // v2 PROXY, TCP over IPv4, 12 address bytes
            (byte) 192, 0, 2, 44, 127, 0, 0, 1, // source 192.0.2.44, destination 127.0.0.1
            (byte) 0xC3, 0x50, 0x1F, (byte) 0x90}; // ports 50000, 8080
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            client.send(header);
            assertThat(client.send("GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(upstream.last().header("x-forwarded-for")).isEqualTo("192.0.2.44");
    }

    @Test
    void aConnectionWithoutTheProxyHeaderIsClosed() throws Exception {
        start(TrustedProxies.NONE, true);
        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            client.send("GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
            assertThat(client.closedWithin(5_000)).isTrue();
        }
        assertThat(upstream.received()).isEmpty();
    }
}
