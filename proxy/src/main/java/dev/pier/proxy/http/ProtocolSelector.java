package dev.pier.proxy.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

/** After the TLS handshake, sets up the connection for the protocol ALPN chose: HTTP/2, else HTTP/1.1. */
final class ProtocolSelector extends ApplicationProtocolNegotiationHandler {
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
        if (ctx.channel().isActive()) { // the failed handshake's exception may have closed it (and been counted)
            ClientErrors.caught(ctx, cause, initializers.metrics());
        }
    }

    /** Netty's own logs a warning with the stack trace: a client could fill the log with broken handshakes. */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ClientErrors.caught(ctx, cause, initializers.metrics());
    }
}
