package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.Transport;
import dev.pier.proxy.route.ActiveRoutes;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.flow.FlowControlHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Builds the proxy's pipelines and bootstraps: the client-facing server and the per-event-loop upstream pools. */
public final class ProxyInitializers {
    /** Bytes buffered towards a peer before reads from the other side pause (and resume below the low mark). */
    static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);
    private static final int MAX_CHUNK_SIZE = 64 * 1024;

    private ProxyInitializers() {}

    /**
     * Configures {@code server} to proxy with the routes in force, using {@code group} for client and upstream
     * connections alike.
     */
    public static Drainer configure(ServerBootstrap server, EventLoopGroup group, Transport transport,
                                    ProxyConfig config, ActiveRoutes routes) {
        Map<EventLoop, UpstreamPool> pools = new IdentityHashMap<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            pools.put(loop, newPool(loop, transport, config));
        }
        ProxyContext shared = new ProxyContext(routes, config, Map.copyOf(pools),
                new DefaultChannelGroup("pier-clients", GlobalEventExecutor.INSTANCE));
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(config.maxInitialLineLength())
                .setMaxHeaderSize(config.maxHeaderSize())
                .setMaxChunkSize(MAX_CHUNK_SIZE);
        long idleNanos = config.clientIdleTimeout().toNanos();
        server.group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(PipelineNames.HTTP_CODEC, new HttpServerCodec(decoder))
                                .addLast(PipelineNames.FLOW_CONTROL, new FlowControlHandler())
                                .addLast(PipelineNames.IDLE, new IdleStateHandler(0, 0, idleNanos,
                                        TimeUnit.NANOSECONDS))
                                .addLast(PipelineNames.CLIENT, new ClientHandler(shared));
                    }
                });
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
         * keep-alive connections close now. Returns at once.
         */
        public void start() {
            shared.startDraining();
            for (Channel ch : shared.clients()) {
                ch.eventLoop().execute(() -> {
                    ClientHandler h = ch.pipeline().get(ClientHandler.class);
                    if (h != null) {
                        h.closeIfIdle();
                    }
                });
            }
        }

        /** Client connections still open. */
        public int open() {
            return shared.clients().size();
        }

        /** Closes whatever is still open. */
        public void closeAll() {
            shared.clients().close().syncUninterruptibly();
        }
    }

    private static UpstreamPool newPool(EventLoop loop, Transport transport, ProxyConfig config) {
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK);
        UpstreamPool pool = new UpstreamPool(loop, bootstrap, config.maxIdleConnectionsPerEndpoint());
        long idleNanos = config.upstreamIdleTimeout().toNanos();
        bootstrap.handler(new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast(PipelineNames.HTTP_CODEC, new HttpClientCodec(new HttpDecoderConfig()
                                .setMaxHeaderSize(64 * 1024).setMaxChunkSize(MAX_CHUNK_SIZE), false, false))
                        .addLast(PipelineNames.IDLE, new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS))
                        .addLast(PipelineNames.UPSTREAM, new UpstreamHandler(pool));
            }
        });
        return pool;
    }
}
