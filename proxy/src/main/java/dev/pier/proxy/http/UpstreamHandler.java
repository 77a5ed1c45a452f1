package dev.pier.proxy.http;

import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.UpstreamTls;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The last handler of an upstream connection's pipeline. While an {@link Exchange} uses the connection it passes every
 * event to it; while the connection waits in the pool it closes it on any data, error or idle timeout.
 *
 * <p>Event-loop confined. Ownership: messages are handed to the exchange, or released here when there is none.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private final UpstreamPool pool;
    private final AtomicInteger open;
    private Endpoint endpoint;
    private UpstreamTls tls;
    private Exchange exchange;

    /** @param open counts open upstream connections (a metric) */
    UpstreamHandler(UpstreamPool pool, AtomicInteger open) {
        this.pool = pool;
        this.open = open;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        open.incrementAndGet();
        ctx.channel().closeFuture().addListener(f -> open.decrementAndGet()); // also after a switch to a tunnel
        ctx.fireChannelActive();
    }

    /** @param tls the TLS settings the connection was opened with; null for plain HTTP */
    void bind(Endpoint endpoint, UpstreamTls tls) {
        this.endpoint = endpoint;
        this.tls = tls;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    UpstreamTls tls() {
        return tls;
    }

    void attach(Exchange exchange) {
        this.exchange = exchange;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange != null) {
            exchange.onUpstreamMessage(msg);
            return;
        }
        ReferenceCountUtil.release(msg); // an idle connection has nothing to say: it is no longer reusable
        ctx.close();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.onUpstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onUpstreamClosed(null);
        } else if (endpoint != null) {
            pool.remove(endpoint, tls, ctx.channel());
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (exchange != null) {
            exchange.onUpstreamClosed(cause);
        }
        ctx.close();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent && exchange == null) {
            ctx.close();
            return;
        }
        ReferenceCountUtil.release(evt);
    }
}
