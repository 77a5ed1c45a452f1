package dev.pier.proxy.http;

import dev.pier.proxy.TrustedProxies;
import dev.pier.proxy.log.AccessLog;
import dev.pier.proxy.metrics.ProxyMetrics.ClientError;
import dev.pier.proxy.metrics.RouteMeters;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.EndpointSet;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
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
    private final RequestChecks checks;
    private final boolean secure;
    private final boolean http2;
    private ChannelHandlerContext ctx;
    private String socketAddress; // the peer of the TCP connection
    private String peer; // the client the PROXY header announced, else the socket's peer
    private String tlsProtocol;
    private String localPort;
    private Exchange exchange;
    private ScheduledFuture<?> timeoutChecks; // from the first request on, while the connection lasts
    private long checkPeriodNanos; // a quarter of the shortest upstream timeout of its requests so far
    private boolean discarding; // reading, and dropping, the rest of a request Pier answered itself
    private boolean closing;
    private boolean awaitingMessage; // a read() was asked for and no message has come yet

    // The request in progress, for its metrics and access log line.
    private long started;
    private RouteMeters meters;
    private int methodIndex;
    private Route route;
    private String method;
    private String requestHost;
    private String requestUri;
    private String requestProtocol;
    private CharSequence requestId;
    private String client;

    /**
     * @param secure the connection is TLS: requests are forwarded as https and never redirected to it
     * @param http2 the channel is one HTTP/2 stream (its request arrives converted to HTTP/1.1 objects)
     */
    ClientHandler(ProxyContext shared, boolean secure, boolean http2) {
        this.shared = shared;
        this.checks = new RequestChecks(shared.config().underscoresInHeaders());
        this.secure = secure;
        this.http2 = http2;
    }

    /** Added to a connection already open (HTTPS, once ALPN chose HTTP/1.1): start now. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (this.ctx != null) {
            return;
        }
        this.ctx = ctx;
        Channel ch = ctx.channel();
        socketAddress = ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
        localPort = ch.localAddress() instanceof InetSocketAddress a ? Integer.toString(a.getPort()) : "";
        shared.clients().add(ch);
        readRequest();
    }

    /** Draining: closes the connection unless a request is in progress (that one closes when it ends). */
    void closeIfIdle() {
        if (exchange == null && !discarding) {
            ctx.close();
        }
    }

    boolean draining() {
        return shared.draining();
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
            if (content.decoderResult().isFailure()) {
                content.release();
                onBrokenBody(content.decoderResult().cause());
                return;
            }
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

    /**
     * The request body's framing broke part way (a bad chunk size or line, chunk data longer than its size): RFC 9112
     * says 400 and close. The upstream connection, which holds part of a body, is closed, never pooled: it never sees
     * a complete request.
     */
    private void onBrokenBody(Throwable cause) {
        shared.metrics().clientError(ClientError.MALFORMED_BODY);
        log.debug("malformed request body from {}: {}", peer, cause.toString());
        if (exchange != null) {
            Exchange broken = exchange;
            exchange = null;
            closing = true;
            discarding = true;
            broken.onRequestBroken();
        } else if (!closing) {
            closing = true;
            ctx.close(); // Pier had answered already and was reading the rest of the body
        }
    }

    /**
     * One request head, step by step: record it, learn the client's address, accept the head (or refuse it), honour
     * Expect, route it, answer it here when the route says so (404, redirect, 503), else forward it.
     */
    private void onRequest(HttpRequest request) {
        begin(request);
        String trustedChain = clientAddress(request);
        RequestTarget target = checks.accept(request);
        if (target == null) {
            malformed(checks.status(), checks.why());
            return;
        }
        int expect = expectation(request.headers());
        if (expect == EXPECT_REFUSED) {
            reject(HttpResponseStatus.EXPECTATION_FAILED);
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        Route route = shared.routes().table().match(host, target.uri(), target.pathEnd());
        this.route = route;
        meters = shared.metrics().meters(route);
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean closeAfterAnswer = chunked || HttpUtil.getContentLength(request, 0L) > 0
                || !keepAlive; // a body Pier would have to read past, or the client's wish
        EndpointSet endpoints = route.isBuiltInNotFound() ? EndpointSet.UNKNOWN
                : shared.routes().endpoints().get(route.backend()); // read at pick time: the table of its own
        if (answeredHere(route, endpoints, request, host, target, closeAfterAnswer)) {
            return;
        }
        long limit = route.policy().maxBodyBytes();
        if (limit >= 0 && HttpUtil.getContentLength(request, -1L) > limit) {
            answer(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, true); // proxy-body-size; the body is not read
            return;
        }
        forward(request, target, route, endpoints, host, chunked, keepAlive, trustedChain,
                expect == EXPECT_CONTINUE);
    }

    /** Starts the request's record: its clock, its meters until it is routed, the access log's fields. */
    private void begin(HttpRequest request) {
        started = System.nanoTime();
        meters = shared.metrics().noRoute();
        route = null;
        String methodName = request.method().name();
        methodIndex = RouteMeters.methodIndex(methodName);
        if (shared.accessLog() != null) {
            method = methodName;
            requestUri = request.uri();
            requestHost = request.headers().get(HttpHeaderNames.HOST);
            requestProtocol = http2 ? "HTTP/2" : request.protocolVersion().text();
            requestId = null;
        }
    }

    /**
     * Sets {@link #client}: the peer, or, behind a trusted proxy, the client that proxy names. Returns the trusted
     * proxy's X-Forwarded-For chain, which is kept; null when there is none or it is not believed (then replaced).
     */
    private String clientAddress(HttpRequest request) {
        peer = peerAddress();
        client = peer;
        TrustedProxies trusted = shared.config().trustedProxies();
        String chain = trusted.isEmpty() ? null : request.headers().get(Headers.X_FORWARDED_FOR);
        if (chain != null && trusted.trusts(peer)) {
            client = trusted.clientOf(peer, chain);
            return chain;
        }
        return null;
    }

    private static final int EXPECT_NONE = 0;
    private static final int EXPECT_CONTINUE = 1;
    private static final int EXPECT_REFUSED = 2;

    /** {@code Expect: 100-continue} is Pier's to answer once the upstream is connected (removed here); others: 417. */
    private static int expectation(HttpHeaders headers) {
        String expect = headers.get(HttpHeaderNames.EXPECT);
        if (expect == null) {
            return EXPECT_NONE;
        }
        if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
            return EXPECT_REFUSED;
        }
        headers.remove(HttpHeaderNames.EXPECT);
        return EXPECT_CONTINUE;
    }

    /**
     * Answers what the route says Pier answers itself: the default 404, the route's redirect, the HTTPS redirect, 503
     * without endpoints.
     */
    private boolean answeredHere(Route route, EndpointSet endpoints, HttpRequest request, String host,
                                 RequestTarget target, boolean close) {
        if (route.isBuiltInNotFound()) {
            answer(HttpResponseStatus.NOT_FOUND, close);
            return true;
        }
        Policy policy = route.policy();
        if (policy.access() != null && !policy.access().allows(client)) { // allowlist/denylist-source-range
            answer(HttpResponseStatus.FORBIDDEN, close);
            return true;
        }
        if (policy.cors() != null && HttpMethod.OPTIONS.equals(request.method())) { // enable-cors: a preflight
            String origin = policy.cors().allowedOrigin(request.headers().get(HttpHeaderNames.ORIGIN));
            if (origin != null) {
                answer(Responses.preflight(policy.cors(), origin, close || shared.draining()));
                return true;
            }
        }
        if (policy.redirect() != null) { // permanent-redirect, temporal-redirect, from-to-www-redirect
            String location = policy.redirect().locationFor(secure ? "https" : "http", target.uri());
            answer(Responses.redirect(HttpResponseStatus.valueOf(policy.redirect().code()), location,
                    close || shared.draining()));
            return true;
        }
        if (policy.appRoot() != null && target.pathEnd() == 1) { // app-root: "/" goes to the application's root
            answer(Responses.redirect(HttpResponseStatus.FOUND, (secure ? "https://" : "http://") + host
                    + policy.appRoot(), close || shared.draining()));
            return true;
        }
        if (route.sslRedirect() && !secure) {
            redirectToHttps(host, target.uri(), close);
            return true;
        }
        if (!endpoints.available()) {
            meters.noEndpoints();
            answer(HttpResponseStatus.SERVICE_UNAVAILABLE, close);
            return true;
        }
        return false;
    }

    /** Makes the head the upstream's, adds what the upstream learns about the client, and starts the exchange. */
    private void forward(HttpRequest request, RequestTarget target, Route route, EndpointSet endpoints, String host,
                         boolean chunked, boolean keepAlive, String trustedChain, boolean expectContinue) {
        HttpVersion version = request.protocolVersion(); // the client's, before the head becomes HTTP/1.1
        boolean upgrade = RequestChecks.prepareForUpstream(request, target, chunked);
        Policy policy = route.policy();
        if (policy.rewriteTarget() != null && route.regex() != null) { // rewrite-target, with the path's groups
            request.setUri(route.regex().rewrite(target.uri(), target.pathEnd(), policy.rewriteTarget()));
        }
        HttpHeaders headers = request.headers();
        // A trusted proxy's chain is kept and the proxy appended; anyone else's is replaced by what Pier saw.
        String forwardedFor = trustedChain != null ? trustedChain + ", " + peer : client;
        ForwardedRequest upstreamHead = ForwardedRequest.of(request, client, forwardedFor, secure ? "https" : "http",
                host, localPort);
        if (policy.upstreamHost() != null) { // upstream-vhost; X-Forwarded-Host keeps the client's
            headers.set(HttpHeaderNames.HOST, policy.upstreamHost());
        }
        if (policy.forwardedPrefix() != null) { // x-forwarded-prefix
            headers.set(Headers.X_FORWARDED_PREFIX, policy.forwardedPrefix());
        }
        if (shared.accessLog() != null) {
            requestId = upstreamHead.requestId();
        }
        exchange = new Exchange(this, ctx.channel(), shared.pool(ctx.channel().eventLoop()), shared.config(),
                upstreamHead, route.backend(), endpoints.endpoints(), version, keepAlive && !shared.draining(),
                expectContinue, upgrade, secure && route.hsts() ? shared.config().tls().hsts() : null, policy, meters);
        long period = Math.max(1, exchange.timeoutNanos() / Exchange.TIMEOUT_CHECKS);
        if (timeoutChecks == null || period < checkPeriodNanos) { // the first request, or a shorter route timeout
            stopTimeoutChecks();
            checkPeriodNanos = period;
            timeoutChecks = ctx.executor().scheduleAtFixedRate(this::checkTimeout, period, period,
                    TimeUnit.NANOSECONDS);
        }
        exchange.start();
    }

    /** One task per connection looks at the exchange in progress, instead of a timer per request. */
    private void checkTimeout() {
        if (!ctx.channel().isOpen()) {
            stopTimeoutChecks();
        } else if (exchange != null) {
            exchange.checkTimeout(checkPeriodNanos);
        }
    }

    private void stopTimeoutChecks() {
        if (timeoutChecks != null) {
            timeoutChecks.cancel(false);
            timeoutChecks = null;
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stopTimeoutChecks(); // a protocol switch replaces this handler with a tunnel
    }

    /** Answers a routable request Pier serves itself (404, 503), keeping the connection when it can. */
    private void answer(HttpResponseStatus status, boolean close) {
        answer(Responses.of(status, close || shared.draining()));
    }

    /** ingress-nginx's ssl-redirect: 308 to the same host and URI on https. */
    private void redirectToHttps(String host, String uri, boolean close) {
        int colon = host.indexOf(':');
        String name = colon >= 0 ? host.substring(0, colon) : host;
        int port = shared.config().tls().redirectPort();
        String location = "https://" + name + (port == 443 ? "" : ":" + port) + uri;
        answer(Responses.redirect(HttpResponseStatus.PERMANENT_REDIRECT, location, close || shared.draining()));
    }

    /** Writes a response Pier made itself; then reads on, or closes when the response says so. */
    private void answer(FullHttpResponse response) {
        recorded(response.status().code(), 0, response.content().readableBytes(), null, -1);
        if (!HttpUtil.isKeepAlive(response)) {
            closing = true;
            discarding = true;
            LingeringClose.closeAfter(ctx.writeAndFlush(response));
            return;
        }
        discarding = true; // the request's LastHttpContent is still to be read
        ctx.writeAndFlush(response, ctx.voidPromise());
        readRequest();
    }

    /** A request Pier cannot accept: counted, logged in one debug line, answered {@code status}, then closed. */
    private void malformed(HttpResponseStatus status, String why) {
        shared.metrics().clientError(ClientError.MALFORMED_REQUEST);
        log.debug("malformed request from {} ({}): {}", peer, status.code(), why);
        reject(status);
    }

    /** Answers with an error status and closes the connection once it is written. */
    private void reject(HttpResponseStatus status) {
        closing = true;
        discarding = true;
        FullHttpResponse response = Responses.of(status, true);
        if (meters != null) { // null: nothing of a request was read (cannot happen; kept for safety)
            recorded(status.code(), 0, response.content().readableBytes(), null, -1);
        }
        LingeringClose.closeAfter(ctx.writeAndFlush(response));
    }

    /** The exchange of the request in progress ended with {@code status}. */
    void exchangeEnded(Exchange e, int status) {
        recorded(status, e.bytesIn(), e.bytesOut(), e.upstreamEndpoint(), e.upstreamNanos());
    }

    /** Records a finished request: its metrics, and its access log line when one is kept. */
    private void recorded(int status, long bytesIn, long bytesOut, Endpoint upstream, long upstreamNanos) {
        long duration = System.nanoTime() - started;
        meters.request(methodIndex, status, duration, bytesIn, bytesOut);
        meters = null;
        AccessLog accessLog = shared.accessLog();
        if (accessLog != null) {
            accessLog.log(ctx.executor(), System.currentTimeMillis() - duration / 1_000_000, client, method,
                    requestHost, requestUri, requestProtocol, status, bytesIn, bytesOut, duration, upstream,
                    upstreamNanos, route, requestId, tlsProtocol());
        }
    }

    /** The client's address: the PROXY header's when there was one, else the peer's. */
    private String peerAddress() {
        Channel ch = http2 ? ctx.channel().parent() : ctx.channel();
        String proxied = ch.attr(ProxyProtocolHandler.CLIENT).get();
        if (proxied != null) {
            return proxied;
        }
        if (http2) {
            return ch.remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "";
        }
        return socketAddress;
    }

    private String tlsProtocol() {
        if (!secure) {
            return null;
        }
        if (tlsProtocol == null) {
            Channel ch = http2 ? ctx.channel().parent() : ctx.channel();
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            tlsProtocol = ssl == null ? "" : ssl.engine().getSession().getProtocol();
        }
        return tlsProtocol;
    }

    /** The exchange finished and the connection is reusable: read the next request. */
    void exchangeDone(Exchange done) {
        if (exchange == done) {
            exchange = null;
            if (shared.draining()) {
                ctx.close();
                return;
            }
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
        stopTimeoutChecks();
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
        if (http2 && (cause instanceof Http2FrameStreamException
                || Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null)) {
            ctx.fireExceptionCaught(cause); // the stream channel resets the stream with the error's own code
            return;
        }
        ClientErrors.caught(ctx, cause, shared.metrics());
    }
}
