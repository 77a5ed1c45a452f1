package dev.pier.proxy.admin;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.Transport;
import dev.pier.proxy.ActiveRoutes;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The admin listener, on its own port and thread so it answers while traffic loops are busy: {@code /healthz} (the
 * process is alive), {@code /readyz} (200 once the first configuration is in force, 503 before and while draining),
 * {@code /routes} (the table in force, as JSON), {@code /metrics} (Prometheus text format).
 */
public final class AdminServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listener;

    private AdminServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /** Without {@code /metrics}. */
    public static AdminServer start(ProxyConfig config, ActiveRoutes routes, BooleanSupplier ready)
            throws InterruptedException {
        return start(config, routes, ready, null);
    }

    /** Without problems in {@code /routes}. */
    public static AdminServer start(ProxyConfig config, ActiveRoutes routes, BooleanSupplier ready,
                                    Supplier<String> metrics) throws InterruptedException {
        return start(config, routes, ready, metrics, List::of);
    }

    /**
     * @param ready whether Pier is ready for traffic; checked on every {@code /readyz}
     * @param metrics the metrics in Prometheus text format, scraped on every {@code /metrics}; null for none
     * @param problems the problems of the configuration in force, listed in {@code /routes}
     */
    public static AdminServer start(ProxyConfig config, ActiveRoutes routes, BooleanSupplier ready,
                                    Supplier<String> metrics, Supplier<List<ConfigProblem>> problems)
            throws InterruptedException {
        requireNonNull(routes, "routes");
        requireNonNull(ready, "ready");
        requireNonNull(problems, "problems");
        Transport transport = Transport.best();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pier-admin", true),
                transport.ioHandlerFactory());
        Handler handler = new Handler(routes, ready, metrics, problems);
        try {
            Channel ch = new ServerBootstrap().group(group).channel(transport.serverChannel())
                    .childHandler(new ChannelInitializer<>() {
                        @Override
                        protected void initChannel(Channel c) {
                            c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), handler);
                        }
                    })
                    .bind(config.bindAddress(), config.adminPort()).sync().channel();
            return new AdminServer(group, ch);
        } catch (Throwable e) { // also a bind failure, which Netty throws as a checked NativeIoException
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ActiveRoutes routes;
        private final BooleanSupplier ready;
        private final Supplier<String> metrics;
        private final Supplier<List<ConfigProblem>> problems;

        Handler(ActiveRoutes routes, BooleanSupplier ready, Supplier<String> metrics,
                Supplier<List<ConfigProblem>> problems) {
            this.routes = routes;
            this.ready = ready;
            this.metrics = metrics;
            this.problems = problems;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws IOException {
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            FullHttpResponse res;
            if (!req.method().equals(HttpMethod.GET) && !req.method().equals(HttpMethod.HEAD)) {
                res = text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
            } else {
                res = switch (path) {
                    case "/healthz" -> text(HttpResponseStatus.OK, "ok\n");
                    case "/readyz" -> ready.getAsBoolean() ? text(HttpResponseStatus.OK, "ready\n")
                            : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "not ready\n");
                    case "/routes" -> routes(ctx);
                    case "/metrics" -> metrics == null ? text(HttpResponseStatus.NOT_FOUND, "not found\n")
                            : text(HttpResponseStatus.OK, metrics.get(), "text/plain; version=0.0.4; charset=utf-8");
                    default -> text(HttpResponseStatus.NOT_FOUND, "not found\n");
                };
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(res, keepAlive);
            var f = ctx.writeAndFlush(res);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse routes(ChannelHandlerContext ctx) throws IOException {
            ByteBuf body = ctx.alloc().buffer();
            try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
                RoutesJson.write(routes.published(), routes.endpoints(), problems.get(), out);
            } catch (IOException | RuntimeException e) {
                body.release();
                throw e;
            }
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
            return res;
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body) {
            return text(status, body, "text/plain; charset=utf-8");
        }

        private static FullHttpResponse text(HttpResponseStatus status, String body, String contentType) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.wrappedBuffer(bytes));
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
            return res;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
