package dev.pier.proxy.http;

import dev.pier.proxy.route.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Idle keep-alive connections to endpoints, for one event loop. A client connection only ever uses the pool of its own
 * event loop, and upstream connections are opened on that loop, so both sides of an exchange run on one thread and
 * nothing here is locked.
 *
 * <p>Event-loop confined: every method must be called from {@link #loop}.
 */
final class UpstreamPool {
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxIdlePerEndpoint;
    private final Map<Endpoint, ArrayDeque<Channel>> idle = new HashMap<>();
    private int cursor;

    /** @param bootstrap bound to {@code loop}, with the upstream pipeline as its handler */
    UpstreamPool(EventLoop loop, Bootstrap bootstrap, int maxIdlePerEndpoint) {
        this.loop = loop;
        this.bootstrap = bootstrap;
        this.maxIdlePerEndpoint = maxIdlePerEndpoint;
    }

    /** The next round-robin position; callers take it modulo their endpoint count. */
    int nextCursor() {
        return cursor++ & Integer.MAX_VALUE;
    }

    /** The most recently used idle connection to {@code endpoint} that is still open, or null. */
    Channel pollIdle(Endpoint endpoint) {
        assert loop.inEventLoop();
        ArrayDeque<Channel> q = idle.get(endpoint);
        if (q == null) {
            return null;
        }
        Channel ch;
        while ((ch = q.pollLast()) != null) {
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /**
     * Opens a new connection; its {@link UpstreamHandler} is bound to {@code endpoint}.
     *
     * @param timeoutMillis a route's connect timeout ({@code proxy-connect-timeout}), or 0 for the configured one
     */
    ChannelFuture connect(Endpoint endpoint, int timeoutMillis) {
        assert loop.inEventLoop();
        Bootstrap b = timeoutMillis <= 0 ? bootstrap
                : bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis);
        ChannelFuture f = b.connect(new InetSocketAddress(endpoint.address(), endpoint.port()));
        f.channel().pipeline().get(UpstreamHandler.class).bind(endpoint);
        return f;
    }

    /**
     * Keeps {@code ch} for reuse, reading from it so that a close by the upstream is noticed while it waits.
     * Closes it instead when the endpoint already has {@code maxIdlePerEndpoint} idle connections.
     */
    void offer(Endpoint endpoint, Channel ch) {
        assert loop.inEventLoop();
        ArrayDeque<Channel> q = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerEndpoint || !ch.isActive()) {
            ch.close();
            return;
        }
        q.addLast(ch);
        ch.read();
    }

    /** Forgets an idle connection that closed. */
    void remove(Endpoint endpoint, Channel ch) {
        assert loop.inEventLoop();
        ArrayDeque<Channel> q = idle.get(endpoint);
        if (q != null) {
            q.remove(ch);
            if (q.isEmpty()) {
                idle.remove(endpoint);
            }
        }
    }

    /** Idle connections held for {@code endpoint}; for tests and metrics. */
    int idleCount(Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get(endpoint);
        return q == null ? 0 : q.size();
    }
}
