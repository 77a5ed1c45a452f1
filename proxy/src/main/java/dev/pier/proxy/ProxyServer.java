package dev.pier.proxy;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.http.ProxyInitializers;
import dev.pier.proxy.route.ActiveRoutes;
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
 * The HTTP traffic listener: accepts clients and proxies their requests according to the routes in force. Client and
 * upstream connections share one event-loop group; each client connection's upstream connections live on its loop.
 */
public final class ProxyServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final EventLoopGroup group;
    private final Channel listener;
    private final ProxyInitializers.Drainer drainer;

    private ProxyServer(EventLoopGroup group, Channel listener, ProxyInitializers.Drainer drainer) {
        this.group = group;
        this.listener = listener;
        this.drainer = drainer;
    }

    /** Binds the HTTP port and starts serving {@code routes}. */
    public static ProxyServer start(ProxyConfig config, ActiveRoutes routes) throws InterruptedException {
        requireNonNull(config, "config");
        requireNonNull(routes, "routes");
        Transport transport = Transport.best();
        int threads = config.ioThreads() > 0 ? config.ioThreads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads,
                new DefaultThreadFactory("pier-io", true), transport.ioHandlerFactory());
        try {
            ServerBootstrap b = new ServerBootstrap();
            ProxyInitializers.Drainer drainer = ProxyInitializers.configure(b, group, transport, config, routes);
            Channel ch = b.bind(config.bindAddress(), config.httpPort()).sync().channel();
            log.info("HTTP on {} ({} transport, {} event loops)", ch.localAddress(), transport.name(), threads);
            return new ProxyServer(group, ch, drainer);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The bound HTTP port (useful when configured as 0). */
    public int httpPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /**
     * Graceful stop: no new connections; idle keep-alive connections close now; requests in flight finish (their
     * responses carry {@code Connection: close}) until {@code grace} has passed, then whatever is left is closed.
     *
     * @return the client connections that were still open when the grace period ended (0 when all finished)
     */
    public int drain(Duration grace) throws InterruptedException {
        listener.close().syncUninterruptibly();
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
        listener.close().syncUninterruptibly();
        drainer.closeAll();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
