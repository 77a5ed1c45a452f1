package dev.pier.proxy.tls;

import dev.pier.testing.Routes;
import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyTestBase;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import dev.pier.testing.EchoUpstream;
import dev.pier.testing.RawHttp;
import dev.pier.testing.TestCerts;
import dev.pier.testing.TlsClient;
import dev.pier.tls.DefaultCertificate;
import dev.pier.tls.SelfSigned.KeyType;
import dev.pier.tls.ServerCertificates;
import dev.pier.tls.SniTable;
import dev.pier.tls.TlsCredential;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * HTTPS over real handshakes with real clients: SNI, the default certificate, rotation, HTTP/2, protocol versions,
 * HSTS and redirects. Run once per TLS engine by the subclasses.
 */
abstract class HttpsTestBase extends ProxyTestBase {
    private final TlsCredential app = TestCerts.issue(KeyType.EC_P256, "app.example.com").credential();
    private final TlsCredential wildcard = TestCerts.issue(KeyType.RSA_2048, "*.example.com").credential();
    private EchoUpstream upstream;

    abstract ProxyConfig.TlsEngine engine();

    @Override
    protected ProxyConfig config() {
        return super.config().withTls(super.config().tls().withEngine(engine()).withRedirectPort(8443));
    }

    @BeforeEach
    void startUpstream() throws Exception {
        upstream = new EchoUpstream("app");
    }

    @AfterEach
    void stopUpstream() {
        upstream.close();
    }

    @Test
    void usesTheEngineAskedFor() {
        assertThat(proxy.tlsEngine()).isEqualTo(engine() == ProxyConfig.TlsEngine.JDK ? "JDK" : "OPENSSL");
    }

    @Test
    void sniPicksTheExactCertificateThenTheWildcardThenTheDefault() throws Exception {
        publish(certificates(), null, route("app.example.com", true));

        assertThat(presented("app.example.com")).isEqualTo(app.leaf());
        assertThat(presented("APP.example.com")).isEqualTo(app.leaf());
        assertThat(presented("shop.example.com")).isEqualTo(wildcard.leaf());
        assertThat(subject(presented("a.b.example.com"))).contains(DefaultCertificate.COMMON_NAME);
        assertThat(subject(presented("example.org"))).contains(DefaultCertificate.COMMON_NAME);
        assertThat(subject(presented(null))).contains(DefaultCertificate.COMMON_NAME);
    }

    @Test
    void aConfiguredDefaultCertificateReplacesTheGeneratedOne() throws Exception {
        TlsCredential configured = TestCerts.issue(KeyType.EC_P256, "default.example.net").credential();
        publish(certificates(), configured, route("app.example.com", true));

        assertThat(presented("example.org")).isEqualTo(configured.leaf());
        assertThat(presented(null)).isEqualTo(configured.leaf());
        assertThat(presented("app.example.com")).isEqualTo(app.leaf());
    }

    @Test
    void routesByTheHostHeaderAndForwardsTheSchemeAndHsts() throws Exception {
        publish(certificates(), null, route("app.example.com", true), route("plain.example.org", false));

        try (SSLSocket socket = TlsClient.connect(proxy.httpsPort(), "app.example.com");
             RawHttp client = new RawHttp(socket)) {
            RawHttp.Response r = client.send("GET /hello HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("app GET /hello\n");
            assertThat(r.header("strict-transport-security")).isEqualTo(ProxyConfig.DEFAULT_HSTS);
            assertThat(upstream.last().header("x-forwarded-proto")).isEqualTo("https");
            assertThat(upstream.last().header("x-forwarded-port")).isEqualTo(Integer.toString(proxy.httpsPort()));

            // Same connection, another host: SNI chose the certificate, the Host header chooses the route.
            r = client.send("GET /other HTTP/1.1\r\nHost: plain.example.org\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("strict-transport-security")).isNull(); // no certificate of its own
        }
        assertThat(get("app.example.com", "/plain").headers().firstValue("strict-transport-security")).isEmpty();
    }

    /** Pier answers a request whose body it will not read, then lingers: TLS's close_notify, and the body dropped. */
    @Test
    void anAnswerBeforeTheBodyReachesAClientThatSendsItAllFirst() throws Exception {
        publish(certificates(), null, route("app.example.com", true));
        byte[] body = new byte[4 << 20];
        try (SSLSocket socket = TlsClient.connect(proxy.httpsPort(), "app.example.com");
             RawHttp client = new RawHttp(socket)) {
            client.send("POST /up HTTP/1.1\r\nHost: nowhere.example.org\r\nContent-Length: " + 4 * body.length
                    + "\r\n\r\n");
            for (int i = 0; i < 4; i++) {
                client.send(body);
            }
            assertThat(client.read().status()).isEqualTo(404);
            assertThat(client.closedWithin(2000)).isTrue();
        }
        assertThat(upstream.received()).isEmpty();
    }

    @Test
    void aRotatedCertificateIsUsedByTheNextHandshakeWhileOpenConnectionsKeepTheirs() throws Exception {
        publish(certificates(), null, route("app.example.com", true));
        try (SSLSocket before = TlsClient.connect(proxy.httpsPort(), "app.example.com");
             RawHttp client = new RawHttp(before)) {
            assertThat(client.send("GET /1 HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status())
                    .isEqualTo(200);

            TlsCredential rotated = TestCerts.issue(KeyType.EC_P256, "app.example.com").credential();
            SniTable.Builder<TlsCredential> b = SniTable.builder();
            b.putIfAbsent("app.example.com", rotated);
            publish(b.build(), null, route("app.example.com", true));

            assertThat(presented("app.example.com")).isEqualTo(rotated.leaf());
            assertThat(before.getSession().getPeerCertificates()[0]).isEqualTo(app.leaf());
            assertThat(client.send("GET /2 HTTP/1.1\r\nHost: app.example.com\r\n\r\n").read().status())
                    .isEqualTo(200);
        }
    }

    @Test
    void http2ServesOneHundredConcurrentStreamsOnOneConnection() throws Exception {
        publish(certificates(), null, route("", false));
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(TlsClient.trustAll())
                .build();
        try {
            // One request first: the JDK client opens a connection per request until it knows the server speaks h2.
            HttpResponse<String> first = h2.send(HttpRequest.newBuilder(uri("/first")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(first.version()).isEqualTo(HttpClient.Version.HTTP_2);
            String session = new String(first.sslSession().orElseThrow().getId(), StandardCharsets.ISO_8859_1);
            List<CompletableFuture<HttpResponse<String>>> futures = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                futures.add(h2.sendAsync(HttpRequest.newBuilder(uri("/stream/" + i)).timeout(Duration.ofSeconds(20))
                        .build(), HttpResponse.BodyHandlers.ofString()));
            }
            Set<String> sessions = new HashSet<>();
            for (int i = 0; i < 100; i++) {
                HttpResponse<String> r = futures.get(i).get(30, TimeUnit.SECONDS);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
                assertThat(r.body()).isEqualTo("app GET /stream/" + i + "\n");
                sessions.add(new String(r.sslSession().orElseThrow().getId(), StandardCharsets.ISO_8859_1));
            }
            assertThat(sessions).containsExactly(session); // one TLS connection carried all the streams
            assertThat(upstream.received()).hasSize(101)
                    .allSatisfy(rec -> assertThat(rec.header("x-http2-stream-id")).isNull())
                    .allSatisfy(rec -> assertThat(rec.header("x-forwarded-proto")).isEqualTo("https"));

            byte[] body = new byte[200_000];
            HttpResponse<String> post = h2.send(HttpRequest.newBuilder(uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(200);
            assertThat(post.version()).isEqualTo(HttpClient.Version.HTTP_2);
            assertThat(upstream.last().bodyBytes()).isEqualTo(body.length);
        } finally {
            h2.shutdownNow();
        }
    }

    @Test
    void refusesTls11AndAcceptsTls12And13() throws Exception {
        publish(certificates(), null, route("app.example.com", true));

        assertThat(handshake("TLSv1.3")).isNull();
        assertThat(handshake("TLSv1.2")).isNull();
        // The server's protocol_version alert: refused for the version, not for want of a common cipher suite.
        assertThat(handshake("TLSv1.1")).hasMessageContaining("PROTOCOL_VERSION");
        assertThat(handshake("TLSv1")).hasMessageContaining("PROTOCOL_VERSION");
    }

    @Test
    void bytesThatAreNotTlsGetTheConnectionClosed() throws Exception {
        try (RawHttp client = new RawHttp(proxy.httpsPort())) {
            client.send("GET / HTTP/1.1\r\nHost: app.example.com\r\n\r\n");
            assertThat(client.closedWithin(5_000)).isTrue();
        }
    }

    @Test
    void httpRequestsForTlsHostsAreRedirectedWith308() throws Exception {
        publish(certificates(), null, route("app.example.com", true), route("plain.example.org", false));

        try (RawHttp client = new RawHttp(proxy.httpPort())) {
            RawHttp.Response r = client.send("GET /a/b?x=1 HTTP/1.1\r\nHost: app.example.com:8080\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(308);
            assertThat(r.header("location")).isEqualTo("https://app.example.com:8443/a/b?x=1");
            assertThat(client.send("GET / HTTP/1.1\r\nHost: plain.example.org\r\n\r\n").read().status())
                    .isEqualTo(200); // the same connection goes on
        }
        assertThat(upstream.received()).hasSize(1);
    }

    /** Null when a client limited to {@code protocol} completes a handshake, else why it failed. */
    private Throwable handshake(String protocol) throws Exception {
        SslContext client = SslContextBuilder.forClient().sslProvider(SslProvider.OPENSSL)
                .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols(protocol).build();
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            SslHandler[] ssl = new SslHandler[1];
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel c) {
                            ssl[0] = client.newHandler(c.alloc(), "app.example.com", proxy.httpsPort());
                            c.pipeline().addLast(ssl[0]);
                        }
                    }).connect(InetAddress.getLoopbackAddress(), proxy.httpsPort()).sync().channel();
            Future<Channel> done = ssl[0].handshakeFuture().await();
            ch.close().sync();
            return done.cause();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private SniTable<TlsCredential> certificates() {
        SniTable.Builder<TlsCredential> b = SniTable.builder();
        b.putIfAbsent("app.example.com", app);
        b.putIfAbsent("*.example.com", wildcard);
        return b.build();
    }

    private Route route(String host, boolean tls) {
        return new Route(host, "/", PathType.PREFIX, backend("app", upstream.port()), new Source("default", "app"),
                tls, tls);
    }

    private void publish(SniTable<TlsCredential> certs, TlsCredential defaultCert, Route... rules) {
        RouteTable.Builder b = RouteTable.builder();
        for (Route r : rules) {
            b.add(r);
        }
        Routes.publish(routes, b.build(), new ServerCertificates(certs, defaultCert));
    }

    private X509Certificate presented(String serverName) throws Exception {
        return TlsClient.presented(proxy.httpsPort(), serverName);
    }

    private static String subject(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    private URI uri(String path) {
        return URI.create("https://127.0.0.1:" + proxy.httpsPort() + path);
    }
}
