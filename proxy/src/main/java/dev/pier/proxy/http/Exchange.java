package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.metrics.RouteMeters;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Cors;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.LocationRewrite;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.UpstreamTls;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request proxied to one backend: picks an endpoint, takes or opens an upstream connection, streams the request
 * body up and the response down with backpressure, and gives the connection back to the pool when both ends allow it.
 *
 * <p>Failures before the response starts become a status: 502 (refused, reset, bad response), 504 (connect or upstream
 * timeout). A failed connect is retried once on another endpoint; a pooled connection that turns out to be closed is
 * retried once on a fresh connection, when no body bytes were sent. After the response has started a failure can only
 * close the client connection.
 *
 * <p>Event-loop confined: the client channel and the upstream channel share one event loop. Ownership: request
 * content handed to {@link #onRequestContent} and upstream messages handed to {@link #onUpstreamMessage} become this
 * exchange's, which writes them on or releases them.
 */
final class Exchange {
    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    /** Upstream-timeout checks per timeout. */
    static final int TIMEOUT_CHECKS = 4;

    private final ClientHandler client;
    private final Channel clientChannel;
    private final UpstreamPool pool;
    private final ProxyConfig config;
    private final HttpRequest head;
    private final Backend backend;
    private final List<Endpoint> endpoints; // the backend's, as the endpoint table had them at pick time
    private final HttpVersion clientVersion;
    private final boolean headRequest;
    private final boolean upgrade;
    private final String hsts;
    private final long maxBodyBytes; // -1: no limit
    private final long timeoutNanos; // the route's proxy-read-timeout, else --upstream-timeout
    private final int connectTimeoutMillis; // the route's proxy-connect-timeout; 0 for --connect-timeout
    private final LocationRewrite locationRewrite; // proxy-redirect-from/-to; null for none
    private final UpstreamTls upstreamTls; // backend-protocol: HTTPS; null for plain HTTP
    private final Cors cors; // enable-cors: its headers go on the response when the request's origin is allowed
    private final String corsOrigin; // what Access-Control-Allow-Origin says; null for no CORS headers
    private final RouteMeters meters;
    private boolean expectContinue;
    private boolean clientKeepAlive;

    private int endpointIndex;
    private int connectAttempts;
    private boolean staleRetried;

    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private boolean reusedConnection;
    private ArrayDeque<HttpContent> pending; // request content read while no upstream was attached (reconnecting)

    /**
     * Where the response side is. Forward only, but for interim responses; every change goes through
     * {@link #enter}, which refuses any other.
     */
    enum Phase {
        /** The request is on its way (or its connection is being opened); no response head has come. */
        AWAITING_RESPONSE,
        /** An interim response (100, 103) is being read and dropped: Pier answers Expect itself, relays no hints. */
        SKIPPING_INTERIM,
        /** The response head went to the client; its body is streaming. */
        RESPONDING,
        /** A 101 to a WebSocket upgrade went to the client; at its end both connections become a tunnel. */
        SWITCHING,
        /** Over: answered, failed, tunnelled or abandoned. Reported once, on entry; late messages are released. */
        DONE
    }

    private Phase phase = Phase.AWAITING_RESPONSE;
    private boolean requestComplete;
    private boolean bodySent;
    private boolean upstreamReusable;
    private boolean waitingForUpstreamWritable;
    private boolean waitingForClientWritable;

    private boolean active; // a message went either way since the last timeout check
    private long quietNanos; // upstream silence counted by the checks since the last activity

    private int status; // of the response head relayed, 0 before
    private long bytesIn;
    private long bytesOut;
    private long connectStart;
    private long sentAt;
    private long upstreamNanos = -1;

    Exchange(ClientHandler client, Channel clientChannel, UpstreamPool pool, ProxyConfig config, HttpRequest head,
             Backend backend, List<Endpoint> endpoints, HttpVersion clientVersion, boolean clientKeepAlive,
             boolean expectContinue, boolean upgrade, String hsts, Policy policy, RouteMeters meters) {
        this.client = client;
        this.clientChannel = clientChannel;
        this.pool = pool;
        this.config = config;
        this.head = head;
        this.backend = backend;
        this.endpoints = endpoints;
        this.clientVersion = clientVersion;
        this.headRequest = "HEAD".equals(head.method().name());
        this.clientKeepAlive = clientKeepAlive;
        this.expectContinue = expectContinue;
        this.upgrade = upgrade;
        this.hsts = hsts;
        this.maxBodyBytes = policy.maxBodyBytes();
        this.cors = policy.cors();
        this.connectTimeoutMillis = policy.connectTimeoutMillis();
        this.locationRewrite = policy.locationRewrite();
        this.upstreamTls = policy.upstreamTls();
        this.corsOrigin = cors == null ? null : cors.allowedOrigin(head.headers().get(HttpHeaderNames.ORIGIN));
        this.timeoutNanos = policy.upstreamTimeoutNanos() > 0 ? policy.upstreamTimeoutNanos()
                : config.upstreamTimeout().toNanos();
        this.meters = meters;
        this.endpointIndex = pool.nextCursor() % endpoints.size();
    }

    void start() {
        acquire(true);
    }

    private void acquire(boolean allowPooled) {
        Endpoint endpoint = endpoints.get(endpointIndex);
        Channel ch = allowPooled ? pool.pollIdle(endpoint, upstreamTls) : null;
        if (ch != null) {
            reusedConnection = true;
            attach(ch);
            return;
        }
        reusedConnection = false;
        connectStart = System.nanoTime();
        ChannelFuture f = pool.connect(endpoint, connectTimeoutMillis, upstreamTls);
        f.addListener((ChannelFutureListener) this::connected);
    }

    private void connected(ChannelFuture f) {
        if (phase == Phase.DONE) {
            f.channel().close();
            return;
        }
        if (f.isSuccess()) {
            meters.upstreamConnect(System.nanoTime() - connectStart);
            attach(f.channel());
            return;
        }
        Throwable cause = f.cause();
        if (cause instanceof ConnectTimeoutException) {
            meters.timeout();
        }
        log.debug("connect to {} for {} failed: {}", endpoints.get(endpointIndex), backend, cause.toString());
        connectAttempts++;
        int n = endpoints.size();
        if (connectAttempts < 2 && n > 1) {
            meters.retry();
            endpointIndex = (endpointIndex + 1) % n;
            acquire(true);
            return;
        }
        fail(cause instanceof ConnectTimeoutException ? HttpResponseStatus.GATEWAY_TIMEOUT
                : HttpResponseStatus.BAD_GATEWAY);
    }

    private void attach(Channel ch) {
        upstream = ch;
        upstreamHandler = ch.pipeline().get(UpstreamHandler.class);
        upstreamHandler.attach(this);
        ch.write(head, ch.voidPromise());
        if (requestComplete) { // a retry after the whole (bodyless) request had been read
            ch.write(LastHttpContent.EMPTY_LAST_CONTENT, ch.voidPromise());
        }
        ch.flush();
        touch();
        sentAt = System.nanoTime();
        ch.read();
        if (pending != null && !pending.isEmpty()) {
            HttpContent c;
            while (upstream == ch && (c = pending.poll()) != null) {
                onRequestContent(c);
            }
        } else if (!requestComplete) {
            if (expectContinue) {
                expectContinue = false;
                clientChannel.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        HttpResponseStatus.CONTINUE), clientChannel.voidPromise());
            }
            client.readRequest();
        }
    }

    /** A piece of the request body from the client; takes ownership. */
    void onRequestContent(HttpContent content) {
        boolean last = content instanceof LastHttpContent;
        bytesIn += content.content().readableBytes();
        if (phase == Phase.DONE) {
            content.release();
            if (last) {
                requestComplete = true;
            }
            return;
        }
        if (maxBodyBytes >= 0 && bytesIn > maxBodyBytes) { // a chunked body past proxy-body-size
            content.release();
            bodyTooLarge();
            return;
        }
        if (upstream == null) { // reconnecting: hold it until the new connection is there
            if (pending == null) {
                pending = new ArrayDeque<>(2);
            }
            pending.add(content);
            return;
        }
        if (content.content().isReadable()
                || (last && !((LastHttpContent) content).trailingHeaders().isEmpty())) {
            bodySent = true;
        }
        touch();
        upstream.writeAndFlush(content, upstream.voidPromise());
        if (last) {
            requestComplete = true;
        } else if (upstream.isWritable()) {
            client.readRequest();
        } else {
            waitingForUpstreamWritable = true;
        }
    }

    void onUpstreamWritable() {
        if (waitingForUpstreamWritable) {
            waitingForUpstreamWritable = false;
            client.readRequest();
        }
    }

    void onClientWritable() {
        if (waitingForClientWritable && upstream != null) {
            waitingForClientWritable = false;
            upstream.read();
        }
    }

    /** A response head, body piece or (after a protocol switch) raw bytes from the upstream; takes ownership. */
    void onUpstreamMessage(Object msg) {
        touch();
        if (msg instanceof HttpResponse response) {
            if (response.decoderResult().isFailure() || phase != Phase.AWAITING_RESPONSE) {
                ReferenceCountUtil.release(msg);
                log.debug("bad response from {} for {}", upstream.remoteAddress(), backend);
                upstreamFailed(null);
                return;
            }
            int code = response.status().code();
            if (code == 101 && !upgrade) { // a switch nobody asked for: the bytes after it are not HTTP
                ReferenceCountUtil.release(msg);
                log.debug("unrequested 101 from {} for {}", upstream.remoteAddress(), backend);
                releaseUpstream(false);
                fail(HttpResponseStatus.BAD_GATEWAY);
                return;
            }
            if (code >= 100 && code < 200 && !(upgrade && code == 101)) {
                enter(Phase.SKIPPING_INTERIM);
                ReferenceCountUtil.release(msg);
                return;
            }
            onResponseHead(response);
            return;
        }
        if (msg instanceof HttpContent content) {
            if (phase == Phase.SKIPPING_INTERIM) {
                content.release();
                if (content instanceof LastHttpContent) {
                    enter(Phase.AWAITING_RESPONSE);
                }
                return;
            }
            boolean last = content instanceof LastHttpContent;
            bytesOut += content.content().readableBytes();
            if (last) {
                onResponseEnd(content);
            } else {
                clientChannel.write(content, clientChannel.voidPromise());
            }
            return;
        }
        ReferenceCountUtil.release(msg);
    }

    private void onResponseHead(HttpResponse response) {
        boolean switching = upgrade && response.status().code() == 101;
        enter(switching ? Phase.SWITCHING : Phase.RESPONDING);
        status = response.status().code();
        upstreamNanos = System.nanoTime() - sentAt;
        meters.upstreamResponse(upstreamNanos);
        if (client.draining()) {
            clientKeepAlive = false; // shutting down: this response is the connection's last
        }
        HttpHeaders h = response.headers();
        upstreamReusable = !switching && requestComplete && HttpUtil.isKeepAlive(response);
        boolean chunked = HttpUtil.isTransferEncodingChunked(response);
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        Headers.removeHopByHop(h, switching);
        if (locationRewrite != null) { // proxy-redirect-from/-to
            rewriteLocation(h, HttpHeaderNames.LOCATION);
            rewriteLocation(h, REFRESH);
        }
        if (!switching) {
            int code = response.status().code();
            boolean bodyAllowed = !headRequest && code != 204 && code != 304;
            if (!hasLength && !chunked && bodyAllowed) {
                upstreamReusable = false; // the body ends when the upstream closes
            }
            if (!requestComplete) {
                clientKeepAlive = false; // answered before the client finished sending: no reuse on either side
            }
            if (chunked || (!hasLength && bodyAllowed)) {
                if (clientVersion.equals(HttpVersion.HTTP_1_1)) {
                    h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                } else {
                    clientKeepAlive = false; // HTTP/1.0 has no chunked: the close delimits the body
                }
            }
            if (hsts != null && !h.contains(Headers.STRICT_TRANSPORT_SECURITY)) {
                h.set(Headers.STRICT_TRANSPORT_SECURITY, hsts);
            }
            if (corsOrigin != null) {
                Headers.setCors(h, cors, corsOrigin);
            }
            if (!clientKeepAlive) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            } else if (!clientVersion.equals(HttpVersion.HTTP_1_1)) {
                h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
        }
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        clientChannel.write(response, clientChannel.voidPromise());
    }

    private static final AsciiString REFRESH = AsciiString.cached("refresh");

    private void rewriteLocation(HttpHeaders h, CharSequence name) {
        String value = h.get(name);
        if (value != null) {
            h.set(name, locationRewrite.apply(value));
        }
    }

    private void onResponseEnd(HttpContent last) {
        if (phase == Phase.SWITCHING) {
            last.release();
            switchToTunnel();
            return;
        }
        finish(status);
        releaseUpstream(upstreamReusable && requestComplete);
        if (clientKeepAlive) {
            clientChannel.writeAndFlush(last, clientChannel.voidPromise());
            client.exchangeDone(this);
        } else {
            ChannelFuture written = clientChannel.writeAndFlush(last);
            if (requestComplete) {
                written.addListener(ChannelFutureListener.CLOSE);
            } else {
                LingeringClose.closeAfter(written); // an early answer: the body's rest may still be coming
            }
        }
    }

    void onUpstreamReadComplete() {
        clientChannel.flush();
        if (phase == Phase.DONE || upstream == null) {
            return;
        }
        if (clientChannel.isWritable()) {
            upstream.read();
        } else {
            waitingForClientWritable = true;
        }
    }

    /** The upstream connection closed or failed ({@code cause} null for a plain close). */
    void onUpstreamClosed(Throwable cause) {
        if (phase == Phase.DONE || upstream == null) {
            return;
        }
        if (cause != null) {
            log.debug("upstream {} failed for {}: {}", upstream.remoteAddress(), backend, cause.toString());
        }
        upstreamFailed(cause);
    }

    private void upstreamFailed(Throwable cause) {
        releaseUpstream(false);
        if (responseStarted()) {
            abort(); // the status line is gone: all we can do is cut the client off
            return;
        }
        if (reusedConnection && !bodySent && !staleRetried) {
            meters.retry();
            staleRetried = true; // the pooled connection had been closed by the upstream: once more, fresh
            acquire(false);
            return;
        }
        fail(HttpResponseStatus.BAD_GATEWAY);
    }

    /**
     * The client's request body broke part way (bad chunked framing). The upstream connection, which has part of a
     * body, is closed and never pooled; the client gets 400 and a close when no response has started, else is cut off.
     */
    void onRequestBroken() {
        releaseUpstream(false);
        if (phase == Phase.DONE) {
            clientChannel.close(); // answered already (early, with the connection to close after it)
        } else if (responseStarted()) {
            abort();
        } else {
            clientKeepAlive = false;
            fail(HttpResponseStatus.BAD_REQUEST);
        }
    }

    /**
     * The body grew past the route's limit ({@code proxy-body-size}) while streaming: 413 and close when no response
     * has started, else the client is cut off; the upstream connection, which has part of the body, is closed.
     */
    private void bodyTooLarge() {
        releaseUpstream(false);
        clientKeepAlive = false;
        if (responseStarted()) {
            abort();
        } else {
            fail(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        }
    }

    /** The client connection closed while this exchange was active. */
    void onClientClosed() {
        if (phase == Phase.DONE) {
            return;
        }
        releasePending();
        releaseUpstream(false);
        finish(499); // nginx's "client closed request"
    }

    /** The upstream silence this exchange allows: its route's {@code proxy-read-timeout}, else the configured one. */
    long timeoutNanos() {
        return timeoutNanos;
    }

    /**
     * The upstream timeout, called by the client connection every {@code periodNanos} (at least
     * {@link #TIMEOUT_CHECKS} times per timeout): once the checks since the last activity add up to the timeout (so
     * between one timeout and one timeout and a period of upstream silence), 504, or the connection cut when the
     * response had begun. A flag per message instead of a timer per request: no task is scheduled and cancelled per
     * request, and no clock is read per message.
     */
    void checkTimeout(long periodNanos) {
        if (phase == Phase.DONE || phase == Phase.SWITCHING || upstream == null) {
            return; // connecting has its own timeout
        }
        if (active) {
            active = false;
            quietNanos = 0;
            return;
        }
        quietNanos += periodNanos;
        if (quietNanos < timeoutNanos) {
            return;
        }
        log.debug("upstream timeout for {} after {} ms", backend, timeoutNanos / 1_000_000);
        meters.timeout();
        releaseUpstream(false);
        if (responseStarted()) {
            abort();
        } else {
            fail(HttpResponseStatus.GATEWAY_TIMEOUT);
        }
    }

    /** Answers the client with an error status; only before any of the response was sent. */
    private void fail(HttpResponseStatus status) {
        releasePending();
        boolean close = !requestComplete || !clientKeepAlive;
        FullHttpResponse response = Responses.of(status, close);
        bytesOut += response.content().readableBytes();
        finish(status.code());
        ChannelFuture f = clientChannel.writeAndFlush(response);
        if (close) {
            LingeringClose.closeAfter(f);
        } else {
            client.exchangeDone(this);
        }
    }

    private void abort() {
        releasePending();
        releaseUpstream(false);
        finish(status != 0 ? status : HttpResponseStatus.BAD_GATEWAY.code());
        clientChannel.close();
    }

    private void releaseUpstream(boolean reuse) {
        Channel ch = upstream;
        if (ch == null) {
            return;
        }
        upstream = null;
        upstreamHandler.detach();
        if (reuse && ch.isActive()) {
            pool.offer(upstreamHandler.endpoint(), ch);
        } else {
            ch.close();
        }
        upstreamHandler = null;
    }

    /** After a 101: both pipelines drop HTTP and relay bytes; the upstream connection leaves the pool for good. */
    private void switchToTunnel() {
        finish(101);
        Channel up = upstream;
        upstreamHandler.detach();
        upstream = null;
        upstreamHandler = null;

        ChannelPipeline upPipeline = up.pipeline();
        upPipeline.replace(UpstreamHandler.class, "tunnel", new TunnelHandler(clientChannel));
        upPipeline.remove(PipelineNames.IDLE);
        upPipeline.remove(PipelineNames.HTTP_CODEC);

        client.switchToTunnel(up);
        up.read();
    }

    /** The one way into {@link Phase#DONE}: tells the client handler how the request ended. */
    private void finish(int finalStatus) {
        enter(Phase.DONE);
        client.exchangeEnded(this, finalStatus);
    }

    /** Every change of phase, checked: a transition not in this table is a bug, never silently taken. */
    private void enter(Phase next) {
        boolean allowed = switch (phase) {
            case AWAITING_RESPONSE -> next != Phase.AWAITING_RESPONSE;
            case SKIPPING_INTERIM -> next == Phase.AWAITING_RESPONSE || next == Phase.DONE;
            case RESPONDING, SWITCHING -> next == Phase.DONE;
            case DONE -> false;
        };
        if (!allowed) {
            throw new IllegalStateException("exchange for " + backend + ": " + phase + " -> " + next);
        }
        phase = next;
    }

    /** The response head has gone to the client: a failure now can only cut the connection. */
    private boolean responseStarted() {
        return phase == Phase.RESPONDING || phase == Phase.SWITCHING;
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    /** From the request sent upstream to the response head; -1 when no response head came. */
    long upstreamNanos() {
        return upstreamNanos;
    }

    /** The endpoint used last, {@code ip:port}. */
    Endpoint upstreamEndpoint() {
        return endpoints.get(endpointIndex);
    }

    private void touch() {
        active = true;
    }

    private void releasePending() {
        if (pending != null) {
            HttpContent c;
            while ((c = pending.poll()) != null) {
                c.release();
            }
        }
    }
}
