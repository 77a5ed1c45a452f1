package dev.pier.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows Netty's PROXY protocol decoder (v1 and v2): keeps the client address the load balancer announced as a
 * channel attribute, then leaves the pipeline. A connection that does not start with a PROXY header is closed by the
 * decoder.
 */
final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ProxyProtocolHandler.class);

    /** The client address from the PROXY header; absent for a LOCAL (health check) connection. */
    static final AttributeKey<String> CLIENT = AttributeKey.valueOf("pier.proxyProtocolClient");

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HAProxyMessage m) {
            try {
                if (m.sourceAddress() != null) {
                    ctx.channel().attr(CLIENT).set(m.sourceAddress());
                }
            } finally {
                m.release();
            }
            ctx.pipeline().remove(this);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("bad PROXY protocol header from {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
