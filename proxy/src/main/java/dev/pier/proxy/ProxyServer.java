package dev.pier.proxy;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.http.ProxyInitializers;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.tls.SslContexts;
import dev.pier.tls.DefaultCertificate;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The traffic listeners, HTTP and HTTPS: accept clients and proxy their requests according to the routes in force.
 * Client and upstream connections share one event-loop group; each client connection's upstream connections live on
 * its loop.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final Channel tlsListener; // null when HTTPS is off
    private final SslContexts sslContexts;
    private final ProxyInitializers.Drainer drainer;

    private ProxyServer(EventLoopGroup group, Channel listener, Channel tlsListener, SslContexts sslContexts,
                        ProxyInitializers.Drainer drainer) {
        this.group = group;
        this.listener = listener;
        this.tlsListener = tlsListener;
        this.sslContexts = sslContexts;
        this.drainer = drainer;
    }

    /** {@link #start(ProxyConfig, ActiveRoutes, Telemetry)} with metrics nobody reads and no access log. */
    public static ProxyServer start(ProxyConfig config, ActiveRoutes routes) throws InterruptedException {
        return start(config, routes, Telemetry.none());
    }

    /**
     * Binds the HTTP port (and the HTTPS port unless it is -1) and starts serving {@code routes}, reporting to
     * {@code telemetry}.
     */
    public static ProxyServer start(ProxyConfig config, ActiveRoutes routes, Telemetry telemetry)
            throws InterruptedException {
        requireNonNull(config, "config");
        requireNonNull(routes, "routes");
        requireNonNull(telemetry, "telemetry");
        telemetry.metrics().follow(routes);
        Transport transport = Transport.best();
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("pier-io", true), transport.ioHandlerFactory());
        try {
            ProxyInitializers init = new ProxyInitializers(group, transport, config, routes, telemetry);
            Channel ch = init.http().bind(config.bindAddress(), config.httpPort()).sync().channel();
            log.info("HTTP on {} ({} transport, {} event loops)", ch.localAddress(), transport.name(), threads);
            Channel tls = null;
            SslContexts contexts = null;
            if (config.tls().port() >= 0) {
                contexts = new SslContexts(routes, config.tls(), DefaultCertificate.generate());
                ServerBootstrap https = init.https(contexts);
                tls = https.bind(config.bindAddress(), config.tls().port()).sync().channel();
                log.info("HTTPS on {} ({} TLS engine, HTTP/2 {})", tls.localAddress(), contexts.provider(),
                        config.tls().http2() ? "on" : "off");
            }
            return new ProxyServer(group, ch, tls, contexts, init.drainer());
        } catch (Throwable e) { // also a bind failure, which Netty throws as a checked NativeIoException
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The bound HTTP port (useful when configured as 0). */
    public int httpPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** The bound HTTPS port; -1 when HTTPS is off. */
    public int httpsPort() {
        return tlsListener == null ? -1 : ((InetSocketAddress) tlsListener.localAddress()).getPort();
    }

    /** The TLS engine in use (JDK or OPENSSL); null when HTTPS is off. */
    public String tlsEngine() {
        return sslContexts == null ? null : sslContexts.provider().name();
    }

    /**
     * Graceful stop: no new connections; idle keep-alive connections close now; requests in flight finish (their
     * responses carry {@code Connection: close}) until {@code grace} has passed, then whatever is left is closed.
     *
     * @return the client connections that were still open when the grace period ended (0 when all finished)
     */
    public int drain(Duration grace) throws InterruptedException {
        closeListeners();
        drainer.start();
        long deadline = System.nanoTime() + grace.toNanos();
        while (drainer.open() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        int left = drainer.open();
        if (left > 0) {
            log.warn("{} connection(s) still busy after the {} grace period; closing them", left, grace);
            drainer.closeAll();
        }
        return left;
    }

    /** Stops accepting, closes every connection, and waits for the event loops to end. */
    @Override
    public void close() {
        closeListeners();
        drainer.closeAll();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void closeListeners() {
        listener.close().syncUninterruptibly();
        if (tlsListener != null) {
            tlsListener.close().syncUninterruptibly();
        }
    }
}
