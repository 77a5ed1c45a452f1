package dev.pier.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** After the TLS handshake, sets up the connection for the protocol ALPN chose: HTTP/2, else HTTP/1.1. */
final class ProtocolSelector extends ApplicationProtocolNegotiationHandler {
    private static final Logger log = LoggerFactory.getLogger(ProtocolSelector.class);

    private final ProxyInitializers initializers;

    ProtocolSelector(ProxyInitializers initializers) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.initializers = initializers;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            initializers.http2(ctx.pipeline());
        } else {
            ctx.channel().config().setAutoRead(false); // from here on the client handler asks for each message
            initializers.http1(ctx.pipeline(), true);
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
