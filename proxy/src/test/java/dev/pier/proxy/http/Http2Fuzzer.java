package dev.pier.proxy.http;

import dev.pier.testing.RecordingLeakDetector;
import dev.pier.proxy.metrics.ProxyMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalServerChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of the HTTP/2-to-HTTP/1.1 path: after a valid connection preface and SETTINGS, any frame
 * bytes go through Pier's HTTP/2 codec ({@link Http2ServerCodec}, Netty's checks plus RFC 9113's connection errors),
 * one stream channel per stream with {@link Http2RequestDecoder} and {@link RequestChecks}, and each stream's request
 * is encoded by Pier's upstream codec and read back by a strict parser ({@link UpstreamOracle}). Fails on an
 * exception that reaches the end of the connection's pipeline, a leaked buffer, or an upstream that would see anything
 * but the one request of the stream, whole or (when the stream was reset) never completed.
 *
 * <p>A Jazzer target: {@code scripts/fuzz.sh http2 600}; {@link FuzzCorpusTest} runs {@code fuzz/http2} in the build.
 */
public final class Http2Fuzzer {
    private static final ProxyMetrics METRICS = ProxyMetrics.discarding();
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EMPTY_SETTINGS = {0, 0, 0, 4, 0, 0, 0, 0, 0};

    private Http2Fuzzer() {}

    public static void fuzzerTestOneInput(byte[] input) {
        RecordingLeakDetector.throwIfLeaked(); // a leak of an earlier input, found as this one allocates
        List<AssertionError> failures = new ArrayList<>();
        // A parent that is a server channel: Netty's multiplexer treats stream 1 of a client's connection as an upgrade.
        Http2FrameCodec codec = Http2ServerCodec.create(Http2Settings.defaultSettings()
                .maxConcurrentStreams(Http2Connections.MAX_CONCURRENT_STREAMS).maxHeaderListSize(32 * 1024), METRICS);
        EmbeddedChannel connection = new EmbeddedChannel(new LocalServerChannel(), DefaultChannelId.newInstance(),
                true, false, codec,
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                        stream.pipeline().addLast(new Http2RequestDecoder(METRICS),
                                Http2Connections.responseEncoder(), new StreamHarness(failures));
                    }
                }),
                new Http2Connections.ConnectionEnd(codec, METRICS)); // as in Pier: HTTP/2 errors end here, answered
        try {
            ByteBuf in = Unpooled.buffer(PREFACE.length + EMPTY_SETTINGS.length + input.length);
            in.writeBytes(PREFACE).writeBytes(EMPTY_SETTINGS).writeBytes(input);
            connection.writeInbound(in);
            connection.runPendingTasks();
            connection.checkException();
        } finally {
            connection.finishAndReleaseAll(); // closes every stream channel: each verifies its upstream bytes
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /** One stream: what {@link ClientHandler} forwards of its request, checked when the stream ends. */
    private static final class StreamHarness extends ChannelInboundHandlerAdapter {
        private final List<AssertionError> failures;
        private final UpstreamOracle upstream = new UpstreamOracle();
        private final RequestChecks checks = new RequestChecks(false);

        StreamHarness(List<AssertionError> failures) {
            this.failures = failures;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest request) {
                RequestTarget target = checks.accept(request);
                if (target != null) {
                    RequestChecks.prepareForUpstream(request, target, HttpUtil.isTransferEncodingChunked(request));
                    upstream.head(request);
                }
                return;
            }
            if (msg instanceof HttpContent content && upstream.inBody()) {
                upstream.content(content);
                return;
            }
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            try {
                upstream.verify();
            } catch (AssertionError e) {
                failures.add(e);
            } finally {
                upstream.close();
            }
            ctx.fireChannelInactive();
        }
    }
}
