package dev.pier.proxy.http;

import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import javax.net.ssl.SSLException;

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
    private final Map<Endpoint, ArrayDeque<Channel>> idleTls = new HashMap<>(); // backend-protocol: HTTPS
    private SslContext tlsContext; // made at the first TLS connection
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

    /** The most recently used idle connection to {@code endpoint} (over TLS or not) that is still open, or null. */
    Channel pollIdle(Endpoint endpoint, boolean tls) {
        assert loop.inEventLoop();
        ArrayDeque<Channel> q = (tls ? idleTls : idle).get(endpoint);
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
     * @param tls TLS to the endpoint ({@code backend-protocol: HTTPS}), or null for plain HTTP
     */
    ChannelFuture connect(Endpoint endpoint, int timeoutMillis, UpstreamTls tls) {
        assert loop.inEventLoop();
        Bootstrap b = timeoutMillis <= 0 ? bootstrap
                : bootstrap.clone().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis);
        ChannelFuture f = b.connect(new InetSocketAddress(endpoint.address(), endpoint.port()));
        if (tls != null) { // first in the pipeline: the HTTP codec writes through it once the handshake is done
            SslHandler ssl = tls.serverName() == null ? tlsContext().newHandler(f.channel().alloc())
                    : tlsContext().newHandler(f.channel().alloc(), tls.serverName(), endpoint.port());
            f.channel().pipeline().addFirst(PipelineNames.UPSTREAM_TLS, ssl);
        }
        f.channel().pipeline().get(UpstreamHandler.class).bind(endpoint);
        return f;
    }

    /**
     * Keeps {@code ch} for reuse, reading from it so that a close by the upstream is noticed while it waits.
     * Closes it instead when the endpoint already has {@code maxIdlePerEndpoint} idle connections.
     */
    void offer(Endpoint endpoint, Channel ch) {
        assert loop.inEventLoop();
        ArrayDeque<Channel> q = idleOf(ch).computeIfAbsent(endpoint, e -> new ArrayDeque<>());
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
        Map<Endpoint, ArrayDeque<Channel>> map = idleOf(ch);
        ArrayDeque<Channel> q = map.get(endpoint);
        if (q != null) {
            q.remove(ch);
            if (q.isEmpty()) {
                map.remove(endpoint);
            }
        }
    }

    private Map<Endpoint, ArrayDeque<Channel>> idleOf(Channel ch) {
        return ch.pipeline().get(PipelineNames.UPSTREAM_TLS) != null ? idleTls : idle;
    }

    /**
     * The client context for {@code backend-protocol: HTTPS}: the upstream's certificate is not verified, as
     * ingress-nginx's default {@code proxy-ssl-verify: "off"}; an Ingress asking for verification fails closed.
     */
    private SslContext tlsContext() {
        if (tlsContext == null) {
            try {
                tlsContext = SslContextBuilder.forClient().trustManager(InsecureTrustManagerFactory.INSTANCE).build();
            } catch (SSLException e) {
                throw new IllegalStateException("cannot make the upstream TLS context", e);
            }
        }
        return tlsContext;
    }

    /** Idle connections held for {@code endpoint}; for tests and metrics. */
    int idleCount(Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get(endpoint);
        return q == null ? 0 : q.size();
    }
}
