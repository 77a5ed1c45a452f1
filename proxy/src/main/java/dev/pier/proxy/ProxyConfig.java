package dev.pier.proxy;

import dev.pier.proxy.TrustedProxies;
import java.net.InetAddress;
import java.time.Duration;

/**
 * Data-plane settings. Immutable; {@link #defaults()} gives ingress-nginx's defaults where Pier has an equivalent.
 *
 * @param bindAddress the address the traffic and admin listeners bind to
 * @param httpPort the HTTP listener's port; 0 picks a free one (tests)
 * @param adminPort the admin listener's port ({@code /healthz}, {@code /readyz}, {@code /routes}); 0 picks a free one
 * @param ioThreads event-loop threads for traffic; 0 means one per available processor
 * @param maxInitialLineLength longest request line accepted; longer gets 414
 * @param maxHeaderSize largest request header block accepted; larger gets 431
 * @param connectTimeout to open a connection to an endpoint; then 504 (another endpoint is tried first)
 * @param upstreamTimeout the longest an upstream may stay silent while a request is in flight; then 504
 * @param clientIdleTimeout how long an idle keep-alive client connection stays open
 * @param upstreamIdleTimeout how long an unused pooled upstream connection stays open
 * @param maxIdleConnectionsPerEndpoint pooled idle connections kept per endpoint and event loop
 * @param tls the HTTPS listener's settings
 * @param trustedProxies peers whose X-Forwarded-For is believed
 * @param proxyProtocol traffic connections start with a PROXY protocol (v1 or v2) header
 * @param underscoresInHeaders keep request header fields whose names have underscores (nginx's
 *     {@code underscores_in_headers}); off by default, as in nginx: they are dropped
 */
public record ProxyConfig(
        InetAddress bindAddress,
        int httpPort,
        int adminPort,
        int ioThreads,
        int maxInitialLineLength,
        int maxHeaderSize,
        Duration connectTimeout,
        Duration upstreamTimeout,
        Duration clientIdleTimeout,
        Duration upstreamIdleTimeout,
        int maxIdleConnectionsPerEndpoint,
        Tls tls,
        TrustedProxies trustedProxies,
        boolean proxyProtocol,
        boolean underscoresInHeaders) {

    /** The Strict-Transport-Security value ingress-nginx sends by default. */
    public static final String DEFAULT_HSTS = "max-age=31536000; includeSubDomains";

    /**
     * Idle upstream connections kept per endpoint and event loop: ingress-nginx's {@code upstream-keepalive-connections}
     * default. A cap below the requests in flight closes connections as they come back and opens new ones for the
     * next requests (an HTTP/2 client with 128 streams against a cap of 64 spent a fifth of Pier's CPU in connect and
     * close).
     */
    public static final int DEFAULT_UPSTREAM_KEEPALIVE_CONNECTIONS = 320;

    public static ProxyConfig defaults() {
        return new ProxyConfig(InetAddress.getLoopbackAddress(), 8080, 10254, 0, 8 * 1024, 32 * 1024,
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofSeconds(60),
                DEFAULT_UPSTREAM_KEEPALIVE_CONNECTIONS,
                new Tls(8443, TlsEngine.AUTO, DEFAULT_HSTS, 443, true, Duration.ofSeconds(10)), TrustedProxies.NONE,
                false, false);
    }

    /**
     * HTTPS settings.
     *
     * @param port the HTTPS listener's port; 0 picks a free one (tests); -1 serves no HTTPS
     * @param engine which TLS implementation to use
     * @param hsts the Strict-Transport-Security value for HTTPS responses of hosts with a certificate of their own;
     *     null sends none
     * @param redirectPort the port in the Location of HTTP-to-HTTPS redirects (443 leaves it out): the port clients
     *     reach the HTTPS listener on, which behind a Service is not {@code port}
     * @param http2 offer HTTP/2 through ALPN
     * @param handshakeTimeout how long a client may take to complete its TLS handshake
     */
    public record Tls(int port, TlsEngine engine, String hsts, int redirectPort, boolean http2,
                      Duration handshakeTimeout) {
        public Tls withPort(int v) {
            return new Tls(v, engine, hsts, redirectPort, http2, handshakeTimeout);
        }

        public Tls withEngine(TlsEngine v) {
            return new Tls(port, v, hsts, redirectPort, http2, handshakeTimeout);
        }

        public Tls withHsts(String v) {
            return new Tls(port, engine, v, redirectPort, http2, handshakeTimeout);
        }

        public Tls withRedirectPort(int v) {
            return new Tls(port, engine, hsts, v, http2, handshakeTimeout);
        }

        public Tls withHttp2(boolean v) {
            return new Tls(port, engine, hsts, redirectPort, v, handshakeTimeout);
        }
    }

    /** The TLS implementation: OpenSSL (BoringSSL through netty-tcnative) when it loads, else the JDK's. */
    public enum TlsEngine { AUTO, OPENSSL, JDK }

    public ProxyConfig withTls(Tls v) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint,
                v, trustedProxies, proxyProtocol, underscoresInHeaders);
    }

    /** Sets whose X-Forwarded-For is believed, and whether connections start with a PROXY protocol header. */
    public ProxyConfig withClientAddress(TrustedProxies trusted, boolean proxyProtocolHeader) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint,
                tls, trusted, proxyProtocolHeader, underscoresInHeaders);
    }

    public ProxyConfig withBindAddress(InetAddress v) {
        return new ProxyConfig(v, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout,
                upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint, tls, trustedProxies, proxyProtocol, underscoresInHeaders);
    }

    /** Sets the HTTP, HTTPS (-1: none) and admin ports; 0 picks a free one. */
    public ProxyConfig withPorts(int http, int https, int admin) {
        return new ProxyConfig(bindAddress, http, admin, ioThreads, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint,
                tls.withPort(https), trustedProxies, proxyProtocol, underscoresInHeaders);
    }

    public ProxyConfig withIoThreads(int v) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, v, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint, tls, trustedProxies, proxyProtocol, underscoresInHeaders);
    }

    public ProxyConfig withLimits(int initialLine, int headerSize) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, initialLine, headerSize, connectTimeout,
                upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint, tls, trustedProxies, proxyProtocol, underscoresInHeaders);
    }

    public ProxyConfig withUpstreamKeepalive(int maxIdlePerEndpoint) {
        if (maxIdlePerEndpoint < 0) {
            throw new IllegalArgumentException("idle upstream connections must be 0 or more: " + maxIdlePerEndpoint);
        }
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdlePerEndpoint, tls,
                trustedProxies, proxyProtocol, underscoresInHeaders);
    }

    /** Keeps (true) or drops (false, the default) request header fields whose names have underscores. */
    public ProxyConfig withUnderscoresInHeaders(boolean v) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint,
                tls, trustedProxies, proxyProtocol, v);
    }

    public ProxyConfig withTimeouts(Duration connect, Duration upstream, Duration clientIdle) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize,
                connect, upstream, clientIdle, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint, tls, trustedProxies, proxyProtocol, underscoresInHeaders);
    }
}
