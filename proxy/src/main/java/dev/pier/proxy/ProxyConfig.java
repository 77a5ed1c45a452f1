package dev.pier.proxy;

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
        int maxIdleConnectionsPerEndpoint) {

    public static ProxyConfig defaults() {
        return new ProxyConfig(InetAddress.getLoopbackAddress(), 8080, 10254, 0, 8 * 1024, 32 * 1024,
                Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofSeconds(75), Duration.ofSeconds(60), 64);
    }

    public ProxyConfig withBindAddress(InetAddress v) {
        return new ProxyConfig(v, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize, connectTimeout,
                upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint);
    }

    public ProxyConfig withPorts(int http, int admin) {
        return new ProxyConfig(bindAddress, http, admin, ioThreads, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint);
    }

    public ProxyConfig withIoThreads(int v) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, v, maxInitialLineLength, maxHeaderSize,
                connectTimeout, upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint);
    }

    public ProxyConfig withLimits(int initialLine, int headerSize) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, initialLine, headerSize, connectTimeout,
                upstreamTimeout, clientIdleTimeout, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint);
    }

    public ProxyConfig withTimeouts(Duration connect, Duration upstream, Duration clientIdle) {
        return new ProxyConfig(bindAddress, httpPort, adminPort, ioThreads, maxInitialLineLength, maxHeaderSize,
                connect, upstream, clientIdle, upstreamIdleTimeout, maxIdleConnectionsPerEndpoint);
    }
}
