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

    private ProxyServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
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
            ProxyInitializers.configure(b, group, transport, config, routes);
            Channel ch = b.bind(config.bindAddress(), config.httpPort()).sync().channel();
            log.info("HTTP on {} ({} transport, {} event loops)", ch.localAddress(), transport.name(), threads);
            return new ProxyServer(group, ch);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The bound HTTP port (useful when configured as 0). */
    public int httpPort() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    /** Stops accepting, closes every connection, and waits for the event loops to end. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
