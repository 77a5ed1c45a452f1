package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.Telemetry;
import dev.pier.proxy.Transport;
import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.tls.SslContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Builds the proxy's pipelines and bootstraps: the client-facing HTTP and HTTPS listeners and the per-event-loop
 * upstream pools. Both listeners share one {@link ProxyContext}: the same routes, pools and set of open connections.
 */
public final class ProxyInitializers {
    /** Bytes buffered towards a peer before reads from the other side pause (and resume below the low mark). */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private final ProxyContext shared;
    private final EventLoopGroup group;
    private final Transport transport;
    private final HttpDecoderConfig decoder;

    /** Pools and shared state for proxying with the routes in force on {@code group}. */
    public ProxyInitializers(EventLoopGroup group, Transport transport, ProxyConfig config, ActiveRoutes routes,
                             Telemetry telemetry) {
        Map<EventLoop, UpstreamPool> pools = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            pools.put(loop, newPool(loop, transport, config, telemetry.metrics()));
        }
        this.shared = new ProxyContext(routes, config, Map.copyOf(pools),
                new DefaultChannelGroup("pier-clients", GlobalEventExecutor.INSTANCE), telemetry);
        this.group = group;
        this.transport = transport;
        this.decoder = clientDecoder(config);
    }

    /**
     * How client requests are decoded: the configured limits on the request line and header block; the fields in a
     * {@link CompactHeaders}.
     */
    static HttpDecoderConfig clientDecoder(ProxyConfig config) {
        return new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE)
                .setHeadersFactory(CompactHeaders.FACTORY)
                .setTrailersFactory(Trailers.FACTORY);
    }

    /** How upstream responses are decoded (the pool's connections), their fields in a {@link CompactHeaders}. */
    static HttpDecoderConfig upstreamDecoder() {
        return new HttpDecoderConfig().setMaxHeaderSize(64 * 1024).setMaxChunkSize(MAX_CHUNK_SIZE)
                .setHeadersFactory(CompactHeaders.FACTORY).setTrailersFactory(Trailers.FACTORY);
    }

    /** A bootstrap for the plain-HTTP listener. */
    public ServerBootstrap http() {
        return server(false).childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                countConnection(ch);
                proxyProtocol(ch.pipeline());
                http1(ch.pipeline(), false);
            }
        });
    }

    /**
     * A bootstrap for the HTTPS listener: SNI picks the certificate, then ALPN picks HTTP/2 or HTTP/1.1. The
     * connection reads on its own until the protocol is known; HTTP/1.1 then reads request by request as on HTTP.
     */
    public ServerBootstrap https(SslContexts contexts) {
        long handshakeMillis = shared.config().tls().handshakeTimeout().toMillis();
        return server(true).childHandler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                shared.clients().add(ch); // from accept on, so a drain sees handshakes in progress too
                countConnection(ch);
                proxyProtocol(ch.pipeline());
                ch.pipeline()
                        .addLast(PipelineNames.SNI, new CertificateSelector(contexts, handshakeMillis, shared.metrics()))
                        .addLast(PipelineNames.ALPN, new ProtocolSelector(ProxyInitializers.this));
            }
        });
    }

    private void countConnection(Channel ch) {
        AtomicInteger open = shared.metrics().clientConnections();
        open.incrementAndGet();
        ch.closeFuture().addListener(f -> open.decrementAndGet());
    }

    /** With {@code --proxy-protocol}: the PROXY header comes first, before HTTP or TLS. */
    private void proxyProtocol(ChannelPipeline p) {
        if (shared.config().proxyProtocol()) {
            p.addLast(PipelineNames.PROXY_PROTOCOL, new HAProxyMessageDecoder())
                    .addLast(PipelineNames.PROXY_PROTOCOL_CLIENT, new ProxyProtocolHandler());
        }
    }

    /** The HTTP/1.1 handlers of a client connection, plain or (after the handshake) over TLS. */
    void http1(ChannelPipeline p, boolean secure) {
        p.addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoder))
                .addLast(PipelineNames.FLOW_CONTROL, new FlowControlHandler())
                .addLast(PipelineNames.IDLE, idleHandler())
                .addLast(PipelineNames.CLIENT, new ClientHandler(shared, secure, false));
    }

    /** The HTTP/2 handlers of a TLS connection: each stream becomes a child channel served like an HTTP/1.1 one. */
    void http2(ChannelPipeline p) {
        Http2FrameCodec codec = Http2Connections.codec(shared.config(), shared.metrics());
        // Many streams answer in one event-loop turn: one flush (one TLS record run, one write) for all of them.
        p.addLast(PipelineNames.H2_FLUSH, new FlushConsolidationHandler(256, true))
                .addLast(PipelineNames.H2, codec)
                .addLast(PipelineNames.H2_MULTIPLEX, Http2Connections.multiplexer(new ChannelInitializer<
                        Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.config().setAutoRead(false);
                        stream.pipeline()
                                .addLast(PipelineNames.H2_REQUEST, new Http2RequestDecoder(shared.metrics()))
                                .addLast(PipelineNames.H2_TO_HTTP, Http2Connections.responseEncoder())
                                .addLast(PipelineNames.FLOW_CONTROL, new FlowControlHandler())
                                .addLast(PipelineNames.CLIENT, new ClientHandler(shared, true, true));
                    }
                }))
                .addLast(PipelineNames.IDLE, idleHandler())
                .addLast(PipelineNames.H2_END, new Http2Connections.ConnectionEnd(codec, shared.metrics()));
    }

    ProxyMetrics metrics() {
        return shared.metrics();
    }

    private IdleTimeout idleHandler() {
        return new IdleTimeout(shared.config().clientIdleTimeout());
    }

    private ServerBootstrap server(boolean tls) {
        return new ServerBootstrap().group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                // Plain HTTP reads request by request from the start; TLS reads freely until ALPN has chosen.
                .childOption(ChannelOption.AUTO_READ, tls)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
    }

    /** The drain control for every connection of both listeners. */
    public Drainer drainer() {
        return new Drainer(shared);
    }

    /** Ends client connections gracefully at shutdown. */
    public static final class Drainer {
        private final ProxyContext shared;

        private Drainer(ProxyContext shared) {
            this.shared = shared;
        }

        /**
         * From now on every response carries {@code Connection: close} and its connection closes after it; idle
         * keep-alive connections close now; HTTP/2 connections get a GOAWAY and close when their streams end.
         * Returns at once.
         */
        public void start() {
            shared.startDraining();
            for (Channel ch : shared.clients()) {
                ch.eventLoop().execute(() -> {
                    ClientHandler h = ch.pipeline().get(ClientHandler.class);
                    if (h != null) {
                        h.closeIfIdle();
                    } else {
                        ch.close(); // HTTP/2: a graceful GOAWAY; a handshake in progress: just closed
                    }
                });
            }
        }

        /** Client connections (and HTTP/2 streams) still open. */
        public int open() {
            return shared.clients().size();
        }

        /** Closes whatever is still open. */
        public void closeAll() {
            shared.clients().close().syncUninterruptibly();
        }
    }

    private static UpstreamPool newPool(EventLoop loop, Transport transport, ProxyConfig config,
                                        ProxyMetrics metrics) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        UpstreamPool pool = new UpstreamPool(loop, bootstrap, config.maxIdleConnectionsPerEndpoint());
        bootstrap.handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(PipelineNames.HTTP_CODEC, new UpstreamCodec(upstreamDecoder()))
                        .addLast(PipelineNames.IDLE, new IdleTimeout(config.upstreamIdleTimeout()))
                        .addLast(PipelineNames.UPSTREAM, new UpstreamHandler(pool, metrics.upstreamConnections()));
            }
        });
        return pool;
    }
}
