package dev.pier.proxy.http;

import dev.pier.testing.RecordingLeakDetector;
import dev.pier.proxy.ProxyConfig;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * Coverage-guided fuzzing of the HTTP/1.1 request path: any bytes from a client go through Pier's decoder (its
 * limits), {@link RequestChecks} and the head preparation, and what Pier would forward is encoded by its
 * {@link UpstreamCodec} and checked by an independent strict parser ({@link UpstreamOracle}): no exception escapes, no
 * buffer leaks (the paranoid detector), and the upstream sees exactly the requests Pier accepted, each whole, with no
 * body end Pier did not see (the truncated-chunked defect) and no request smuggled in.
 *
 * <p>The harness follows {@link ClientHandler}'s sequencing (one request at a time, close after a refusal or a broken
 * body, keep-alive otherwise); the socket tests pin that sequencing down on a real server.
 *
 * <p>A Jazzer target: {@code scripts/fuzz.sh http1 600} fuzzes it for ten minutes; {@link FuzzCorpusTest} runs the
 * committed corpus ({@code src/test/resources/fuzz/http1}) in every build.
 */
public final class Http1Fuzzer {
    private static final ProxyConfig CONFIG = ProxyConfig.defaults();

    private Http1Fuzzer() {}

    public static void fuzzerTestOneInput(byte[] input) {
        RecordingLeakDetector.throwIfLeaked(); // a leak of an earlier input, found as this one allocates
        Harness harness = new Harness();
        EmbeddedChannel client = new EmbeddedChannel(
                new HttpServerCodec(ProxyInitializers.clientDecoder(CONFIG)), harness);
        try {
            client.writeInbound(Unpooled.wrappedBuffer(input));
            client.checkException();
            harness.upstream.verify();
            int whole = wholeRequests(input);
            if (harness.upstream.completed() > whole) {
                throw new AssertionError("the client sent " + whole + " whole requests, the upstream got "
                        + harness.upstream.completed());
            }
        } finally {
            client.finishAndReleaseAll();
            harness.upstream.close();
        }
    }

    /** Requests the client's bytes hold whole, read by a fresh decoder up to its first failure. */
    private static int wholeRequests(byte[] input) {
        EmbeddedChannel parser = new EmbeddedChannel(new HttpServerCodec(ProxyInitializers.clientDecoder(CONFIG)));
        int whole = 0;
        try {
            parser.writeInbound(Unpooled.wrappedBuffer(input));
            for (Object o; (o = parser.readInbound()) != null; ) {
                try {
                    if (((HttpObject) o).decoderResult().isFailure()) {
                        return whole;
                    }
                    if (o instanceof LastHttpContent) {
                        whole++;
                    }
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
            return whole;
        } finally {
            parser.finishAndReleaseAll();
        }
    }

    /** What {@link ClientHandler} does with each decoded message, minus routing and sockets. */
    private static final class Harness extends ChannelInboundHandlerAdapter {
        final UpstreamOracle upstream = new UpstreamOracle();
        private final RequestChecks checks = new RequestChecks(false);
        private boolean closed;
        private boolean keepAlive;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (closed) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpRequest request) {
                try {
                    onHead(request);
                } finally {
                    ReferenceCountUtil.release(msg); // a FullHttpRequest only when the decoder failed
                }
                return;
            }
            if (msg instanceof HttpContent content) {
                if (content.decoderResult().isFailure()) {
                    content.release();
                    closed = true; // 400 and close; the upstream connection with the partial body is closed
                    return;
                }
                if (!upstream.inBody()) {
                    content.release();
                    return;
                }
                boolean last = content instanceof LastHttpContent;
                upstream.content(content);
                if (last && !keepAlive) {
                    closed = true;
                }
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        private void onHead(HttpRequest request) {
            RequestTarget target = checks.accept(request);
            if (target == null) {
                closed = true;
                return;
            }
            String expect = request.headers().get(HttpHeaderNames.EXPECT);
            if (expect != null) {
                if (!HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
                    closed = true; // 417
                    return;
                }
                request.headers().remove(HttpHeaderNames.EXPECT);
            }
            keepAlive = HttpUtil.isKeepAlive(request);
            RequestChecks.prepareForUpstream(request, target, HttpUtil.isTransferEncodingChunked(request));
            upstream.head(request);
        }
    }
}
