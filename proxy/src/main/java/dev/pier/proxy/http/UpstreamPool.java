package dev.pier.proxy.http;

import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.UpstreamTls;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle keep-alive connections to endpoints, for one event loop. A client connection only ever uses the pool of its own
 * event loop, and upstream connections are opened on that loop, so both sides of an exchange run on one thread and
 * nothing here is locked.
 *
 * <p>Event-loop confined: every method must be called from {@link #loop}.
 */
final class UpstreamPool {
    private static final Logger log = LoggerFactory.getLogger(UpstreamPool.class);
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final int maxIdlePerEndpoint;
    private final Map<Endpoint, ArrayDeque<Channel>> idle = new HashMap<>();
    // backend-protocol: HTTPS, per TLS settings: a connection checked one way is never lent to a route that asks for
    // another (another CA, client certificate or server name)
    private final Map<UpstreamTls, Map<Endpoint, ArrayDeque<Channel>>> idleTls = new HashMap<>();
    private final Map<ContextKey, SslContext> tlsContexts = new HashMap<>(); // made at the first connection needing one
    private int cursor;

    /**
     * What a client TLS context depends on: the trust and the client certificate, not the names; and whether the
     * name checked differs from the one sent, which needs the JDK's engine (OpenSSL's sends its peer host as SNI
     * whatever the parameters say later).
     */
    private record ContextKey(UpstreamTls.Verification verification, UpstreamTls.ClientCertificate client,
                              boolean jdk) {
        static ContextKey of(UpstreamTls tls) {
            return new ContextKey(tls.verification(), tls.client(), tls.verification() != null
                    && !tls.verification().name().equals(tls.serverName()));
        }
    }

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

    /**
     * The most recently used idle connection to {@code endpoint} that is still open, opened with the same TLS
     * settings ({@code tls}; null for plain HTTP), or null.
     */
    Channel pollIdle(Endpoint endpoint, UpstreamTls tls) {
        assert loop.inEventLoop();
        Map<Endpoint, ArrayDeque<Channel>> map = tls == null ? idle : idleTls.get(tls);
        ArrayDeque<Channel> q = map == null ? null : map.get(endpoint);
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
     * Opens a new connection; its {@link UpstreamHandler} is bound to {@code endpoint} and {@code tls}.
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
            try {
                f.channel().pipeline().addFirst(PipelineNames.UPSTREAM_TLS,
                        sslHandler(f.channel().alloc(), endpoint, tls));
            } catch (RuntimeException e) { // the watcher checked the material; should it still not do: a failed connect
                log.warn("cannot open TLS to {}: {}", endpoint, e.toString());
                f.channel().close();
            }
        }
        f.channel().pipeline().get(UpstreamHandler.class).bind(endpoint, tls);
        return f;
    }

    /**
     * The TLS handler for a connection: the name checked (when verifying) is the engine's peer host, the name sent as
     * SNI only when the settings ask for one.
     */
    private SslHandler sslHandler(ByteBufAllocator alloc, Endpoint endpoint, UpstreamTls tls) {
        SslContext context = tlsContext(tls);
        String peer = tls.verification() != null ? tls.verification().name() : tls.serverName();
        if (peer == null) {
            return context.newHandler(alloc);
        }
        SslHandler handler = context.newHandler(alloc, peer, endpoint.port());
        if (!peer.equals(tls.serverName())) { // verifying for a name, but not sending it (or sending another)
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(tls.serverName() == null ? List.of() : List.of(new SNIHostName(tls.serverName())));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /**
     * Keeps {@code ch} for reuse, reading from it so that a close by the upstream is noticed while it waits.
     * Closes it instead when the endpoint already has {@code maxIdlePerEndpoint} idle connections.
     */
    void offer(Endpoint endpoint, Channel ch) {
        assert loop.inEventLoop();
        UpstreamTls tls = ch.pipeline().get(UpstreamHandler.class).tls();
        Map<Endpoint, ArrayDeque<Channel>> map = tls == null ? idle : idleTls.computeIfAbsent(tls,
                t -> new HashMap<>());
        ArrayDeque<Channel> q = map.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (q.size() >= maxIdlePerEndpoint || !ch.isActive()) {
            ch.close();
            return;
        }
        q.addLast(ch);
        ch.read();
    }

    /** Forgets an idle connection that closed. */
    void remove(Endpoint endpoint, UpstreamTls tls, Channel ch) {
        assert loop.inEventLoop();
        Map<Endpoint, ArrayDeque<Channel>> map = tls == null ? idle : idleTls.get(tls);
        ArrayDeque<Channel> q = map == null ? null : map.get(endpoint);
        if (q != null) {
            q.remove(ch);
            if (q.isEmpty()) {
                map.remove(endpoint);
                if (map.isEmpty() && tls != null) {
                    idleTls.remove(tls);
                }
            }
        }
    }

    /**
     * The client context for {@code tls}, made once per trust and client certificate on this loop (a few hundred
     * microseconds of CPU, no I/O). Without verification the upstream's certificate is accepted as it is, as with
     * ingress-nginx's default {@code proxy-ssl-verify: "off"}; with it, {@link UpstreamTrustManager} checks the chain
     * against the Secret's CA certificates, its depth, and the name.
     */
    private SslContext tlsContext(UpstreamTls tls) {
        ContextKey key = ContextKey.of(tls);
        SslContext context = tlsContexts.get(key);
        if (context == null) {
            try {
                SslContextBuilder b = SslContextBuilder.forClient().trustManager(tls.verification() == null
                        ? InsecureTrustManagerFactory.INSTANCE.getTrustManagers()[0]
                        : UpstreamTrustManager.of(tls.verification().trusted(), tls.verification().depth()));
                if (tls.client() != null) {
                    b.keyManager(tls.client().key(), tls.client().chain());
                }
                if (key.jdk()) {
                    b.sslProvider(SslProvider.JDK);
                }
                context = b.build();
            } catch (SSLException | GeneralSecurityException e) {
                throw new IllegalStateException("cannot make the upstream TLS context (" + tls + ")", e);
            }
            tlsContexts.put(key, context);
        }
        return context;
    }

    /** Idle plain-HTTP connections held for {@code endpoint}; for tests and metrics. */
    int idleCount(Endpoint endpoint) {
        ArrayDeque<Channel> q = idle.get(endpoint);
        return q == null ? 0 : q.size();
    }
}
