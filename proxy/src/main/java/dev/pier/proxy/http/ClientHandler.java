package dev.pier.proxy.http;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of a client connection: validates each request, routes it with one read of the current table, and
 * either answers it (default backend, errors) or hands it to an {@link Exchange}. One request at a time: the
 * connection is read manually, and {@code FlowControlHandler} holds pipelined requests until this one is done.
 *
 * <p>Event-loop confined. Ownership: a request head is not reference-counted; request content goes to the active
 * exchange or is released here.
 */
final class ClientHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final ProxyContext shared;
    private ChannelHandlerContext ctx;
    private String clientAddress;
    private String localPort;
    private Exchange exchange;
    private boolean discarding; // reading, and dropping, the rest of a request Pier answered itself
    private boolean closing;
    private boolean awaitingMessage; // a read() was asked for and no message has come yet

    ClientHandler(ProxyContext shared) {
        this.shared = shared;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        Channel ch = ctx.channel();
        clientAddress = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
        localPort = ch.localAddress() instanceof InetSocketAddress a ? Integer.toString(a.getPort()) : "";
        readRequest();
        ctx.fireChannelActive();
    }

    /** Asks for the next message from the client (body content, or the next request). */
    void readRequest() {
        awaitingMessage = true;
        ctx.read();
    }

    /**
     * FlowControlHandler counts a read cycle that ended without a whole message (say, half a header block) as
     * satisfying our read(): ask again until a message comes.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (awaitingMessage && !closing) {
            ctx.read();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        awaitingMessage = false;
        if (msg instanceof HttpRequest request) {
            try {
                if (exchange != null || discarding || closing) {
                    reject(HttpResponseStatus.BAD_REQUEST); // cannot happen with one request at a time
                } else {
                    onRequest(request);
                }
            } finally {
                ReferenceCountUtil.release(msg); // a FullHttpRequest only for invalid requests; no-op otherwise
            }
            return;
        }
        if (msg instanceof HttpContent content) {
            if (exchange != null) {
                exchange.onRequestContent(content);
                return;
            }
            content.release();
            if (discarding && !closing) {
                if (content instanceof LastHttpContent) {
                    discarding = false;
                }
                readRequest();
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void onRequest(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            log.debug("malformed request from {}: {}", clientAddress, cause.toString());
            reject(cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                            ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                            : HttpResponseStatus.BAD_REQUEST);
            return;
        }
        HttpHeaders headers = request.headers();
        HttpVersion version = request.protocolVersion();

        String host = singleHost(headers);
        if (host == MULTIPLE_HOSTS || (host == null && version.equals(HttpVersion.HTTP_1_1))) {
            reject(HttpResponseStatus.BAD_REQUEST);
            return;
        }
        String target = request.uri();
        if (!target.isEmpty() && target.charAt(0) != '/') { // absolute-form: the authority replaces Host
            int schemeEnd = target.indexOf("://");
            String scheme = schemeEnd > 0 ? target.substring(0, schemeEnd) : "";
            if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
                reject(HttpResponseStatus.BAD_REQUEST);
                return;
            }
            int pathStart = target.indexOf('/', schemeEnd + 3);
            int queryStart = target.indexOf('?', schemeEnd + 3);
            int authorityEnd = pathStart < 0 ? (queryStart < 0 ? target.length() : queryStart)
                    : (queryStart < 0 ? pathStart : Math.min(pathStart, queryStart));
            host = target.substring(schemeEnd + 3, authorityEnd);
            headers.set(HttpHeaderNames.HOST, host);
            String rest = target.substring(authorityEnd);
            target = rest.isEmpty() || rest.charAt(0) != '/' ? "/" + rest : rest;
        }
        String normalized = PathNormalizer.normalize(target);
        if (normalized == null) {
            reject(HttpResponseStatus.BAD_REQUEST);
            return;
        }
        boolean expectContinue = false;
        String expect = headers.get(HttpHeaderNames.EXPECT);
        if (expect != null) {
            if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                reject(HttpResponseStatus.EXPECTATION_FAILED);
                return;
            }
            expectContinue = true; // Pier sends the 100 itself once the upstream is connected
            headers.remove(HttpHeaderNames.EXPECT);
        }

        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean hasBody = chunked || HttpUtil.getContentLength(request, 0L) > 0;
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        int pathEnd = normalized.indexOf('?');
        Route route = shared.routes().table().match(host, normalized, pathEnd < 0 ? normalized.length() : pathEnd);

        if (route.isBuiltInNotFound()) {
            answer(HttpResponseStatus.NOT_FOUND, hasBody || !keepAlive);
            return;
        }
        Backend backend = route.backend();
        if (!backend.available()) {
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, hasBody || !keepAlive);
            return;
        }

        boolean upgrade = Headers.isUpgradeRequest(headers);
        String upgradeTo = upgrade ? headers.get(HttpHeaderNames.UPGRADE) : null;
        Headers.removeHopByHop(headers);
        if (upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        headers.set(Headers.X_FORWARDED_FOR, clientAddress)
                .set(Headers.X_REAL_IP, clientAddress)
                .set(Headers.X_FORWARDED_PROTO, "http")
                .set(Headers.X_FORWARDED_PORT, localPort);
        if (host != null) {
            headers.set(Headers.X_FORWARDED_HOST, host);
        }
        if (!headers.contains(Headers.X_REQUEST_ID)) {
            headers.set(Headers.X_REQUEST_ID, Headers.newRequestId());
        }
        request.setUri(normalized);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);

        exchange = new Exchange(this, ctx.channel(), shared.pool(ctx.channel().eventLoop()), shared.config(),
                request, backend, version, keepAlive, expectContinue, upgrade);
        exchange.start();
    }

    private static final String MULTIPLE_HOSTS = new String("multiple");

    /** The Host header, null when absent, {@link #MULTIPLE_HOSTS} when repeated. */
    private static String singleHost(HttpHeaders headers) {
        Iterator<String> it = headers.valueStringIterator(HttpHeaderNames.HOST);
        if (!it.hasNext()) {
            return null;
        }
        String host = it.next();
        return it.hasNext() ? MULTIPLE_HOSTS : host;
    }

    /** Answers a routable request Pier serves itself (404, 503), keeping the connection when it can. */
    private void answer(HttpResponseStatus status, boolean close) {
        if (close) {
            reject(status);
            return;
        }
        discarding = true; // the request's LastHttpContent is still to be read
        ctx.writeAndFlush(Responses.of(status, false), ctx.voidPromise());
        readRequest();
    }

    /** Answers with an error status and closes the connection once it is written. */
    private void reject(HttpResponseStatus status) {
        closing = true;
        discarding = true;
        ctx.writeAndFlush(Responses.of(status, true)).addListener(ChannelFutureListener.CLOSE);
    }

    /** The exchange finished and the connection is reusable: read the next request. */
    void exchangeDone(Exchange done) {
        if (exchange == done) {
            exchange = null;
            readRequest();
        }
    }

    /** After a 101 from the upstream: this connection becomes a byte tunnel to {@code upstream}. */
    void switchToTunnel(Channel upstream) {
        exchange = null;
        awaitingMessage = false;
        ChannelPipeline p = ctx.pipeline();
        p.remove(PipelineNames.IDLE);
        p.flush();
        p.replace(this, PipelineNames.TUNNEL, new TunnelHandler(upstream));
        p.remove(PipelineNames.FLOW_CONTROL);
        p.remove(PipelineNames.HTTP_CODEC);
        p.read();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.onClientWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientClosed();
            exchange = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            if (exchange == null) {
                ctx.close(); // keep-alive timeout
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", clientAddress, cause.toString());
        ctx.close();
    }
}
