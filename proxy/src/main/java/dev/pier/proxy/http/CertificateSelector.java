package dev.pier.proxy.http;

import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.tls.SslContexts;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;

/**
 * Reads the ClientHello's server name, asks {@link SslContexts} for the certificate, and replaces itself with the
 * {@link SslHandler} for it. A client that sends no ClientHello, or does not finish the handshake, within the
 * handshake timeout is closed.
 */
final class CertificateSelector extends SniHandler {
    private static final int MAX_CLIENT_HELLO = 16 * 1024;

    private final long handshakeTimeoutMillis;
    private final ProxyMetrics metrics;

    CertificateSelector(SslContexts contexts, long handshakeTimeoutMillis, ProxyMetrics metrics) {
        super(contexts, MAX_CLIENT_HELLO, handshakeTimeoutMillis);
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.metrics = metrics;
    }

    @Override
    protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
        SslHandler handler = super.newSslHandler(context, allocator);
        handler.setHandshakeTimeoutMillis(handshakeTimeoutMillis);
        SSLEngine engine = handler.engine();
        SSLParameters params = engine.getSSLParameters();
        params.setUseCipherSuitesOrder(true); // the server's preference (OpenSSL engines already do this)
        engine.setSSLParameters(params);
        return handler;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ClientErrors.caught(ctx, cause, metrics); // not TLS, or a ClientHello too large: nothing to answer in TLS
    }
}
