package dev.pier.proxy.http;

import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.metrics.ProxyMetrics.ClientError;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionDecoder;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Netty's HTTP/2 frame codec with RFC 9113's connection errors where Netty gives a stream error, and every protocol
 * error counted and logged in one debug line.
 *
 * <p>Netty answers a HEADERS or DATA frame on a stream it no longer tracks with {@code RST_STREAM(STREAM_CLOSED)}: it
 * cannot tell a stream that ended (RFC 9113 5.1: frames after END_STREAM are a connection error of type
 * STREAM_CLOSED) from a stream id the client skipped and now uses out of order (5.1.1: a connection error of type
 * PROTOCOL_ERROR) or a stream Pier reset a moment ago (5.4.2: frames in flight are expected). This codec keeps the
 * few facts that tell them apart: the ranges of ids the client skipped and the ids Pier reset lately.
 */
final class Http2ServerCodec extends Http2FrameCodec {
    private static final Logger log = LoggerFactory.getLogger(Http2ServerCodec.class);
    /** Skipped-id ranges remembered; a client skipping more often than this gets STREAM_CLOSED for the rest. */
    private static final int MAX_GAPS = 16;
    /** Reset streams remembered, whose late frames stay stream errors. */
    private static final int RECENT_RESETS = 128;

    private final ProxyMetrics metrics;
    private int lastRemoteStream;
    private int[] gaps; // pairs of [first, last] skipped ids, lazily
    private int gapCount;
    private int[] resets; // a ring of recently reset stream ids, lazily
    private int resetCount;

    private Http2ServerCodec(Http2ConnectionEncoder encoder, Http2ConnectionDecoder decoder, Http2Settings settings,
                             ProxyMetrics metrics) {
        super(encoder, decoder, settings, false, true);
        this.metrics = metrics;
        connection().addListener(new Http2ConnectionAdapter() {
            @Override
            public void onStreamAdded(Http2Stream stream) {
                streamAdded(stream.id());
            }

            @Override
            public void onStreamClosed(Http2Stream stream) {
                if (stream.isResetSent()) {
                    reset(stream.id());
                }
            }
        });
    }

    /** A server codec with these settings, validating headers and the pseudo-headers a request needs. */
    static Http2FrameCodec create(Http2Settings settings, ProxyMetrics metrics) {
        return new Builder(metrics).initialSettings(settings)
                .validateHeaders(true)
                .validateRequiredPseudoHeaders(true)
                .build();
    }

    private void streamAdded(int id) {
        Http2Connection.Endpoint<?> remote = connection().remote();
        if (!remote.isValidStreamId(id)) {
            return;
        }
        int expected = lastRemoteStream == 0 ? 1 : lastRemoteStream + 2; // a client's streams are odd
        if (id > expected && gapCount < MAX_GAPS) {
            if (gaps == null) {
                gaps = new int[2 * MAX_GAPS];
            }
            gaps[2 * gapCount] = expected;
            gaps[2 * gapCount + 1] = id - 2;
            gapCount++;
        }
        lastRemoteStream = id;
    }

    private void reset(int id) {
        if (resets == null) {
            resets = new int[RECENT_RESETS];
        }
        resets[resetCount++ % RECENT_RESETS] = id;
    }

    private boolean recentlyReset(int id) {
        if (resets == null) {
            return false;
        }
        for (int i = 0, n = Math.min(resetCount, RECENT_RESETS); i < n; i++) {
            if (resets[i] == id) {
                return true;
            }
        }
        return false;
    }

    private boolean skipped(int id) {
        for (int i = 0; i < gapCount; i++) {
            if (id >= gaps[2 * i] && id <= gaps[2 * i + 1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * Netty checks "a second HEADERS" before the stream state, so HEADERS after the client's END_STREAM get
     * PROTOCOL_ERROR; RFC 9113 5.1 says STREAM_CLOSED (half-closed (remote) takes only WINDOW_UPDATE, PRIORITY and
     * RST_STREAM). Told apart from a WINDOW_UPDATE of 0 on such a stream by Netty's message; the conformance test
     * fails if a Netty upgrade changes it.
     */
    private boolean isHeadersAfterEnd(Http2Exception.StreamException s) {
        Http2Stream stream = connection().stream(s.streamId());
        return stream != null && stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE
                && s.getMessage() != null && s.getMessage().contains("received too many headers");
    }

    @Override
    public void onError(ChannelHandlerContext ctx, boolean outbound, Throwable cause) {
        if (!outbound) {
            Http2Exception e = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
            if (e instanceof Http2Exception.StreamException s && s.error() == Http2Error.STREAM_CLOSED
                    && connection().stream(s.streamId()) == null
                    && connection().remote().mayHaveCreatedStream(s.streamId())
                    && !recentlyReset(s.streamId())) {
                Http2Error code = skipped(s.streamId()) ? Http2Error.PROTOCOL_ERROR : Http2Error.STREAM_CLOSED;
                cause = e = Http2Exception.connectionError(code, cause, "frame on %s stream %d",
                        code == Http2Error.PROTOCOL_ERROR ? "an out-of-order" : "a closed", s.streamId());
            } else if (e instanceof Http2Exception.StreamException s && s.error() == Http2Error.PROTOCOL_ERROR
                    && isHeadersAfterEnd(s)) {
                cause = e = Http2Exception.streamError(s.streamId(), Http2Error.STREAM_CLOSED, cause,
                        "HEADERS on half-closed stream %d", s.streamId());
            }
            boolean streamError = e instanceof Http2Exception.StreamException
                    || e instanceof Http2Exception.CompositeStreamException;
            if (e != null) {
                metrics.clientError(streamError ? ClientError.H2_STREAM : ClientError.H2_CONNECTION);
                log.debug("HTTP/2 {} error from {}: {} {}", streamError ? "stream" : "connection",
                        ctx.channel().remoteAddress(), e.error(), e.getMessage());
            }
        }
        super.onError(ctx, outbound, cause);
    }

    /** Builds an {@link Http2ServerCodec} with Netty's builder, which keeps its own checks and limits. */
    private static final class Builder extends Http2FrameCodecBuilder {
        private final ProxyMetrics metrics;

        Builder(ProxyMetrics metrics) {
            this.metrics = metrics;
            server(true);
            gracefulShutdownTimeoutMillis(0); // as forServer(): close as soon as the streams are done
        }

        @Override
        protected Http2FrameCodec build(Http2ConnectionDecoder decoder, Http2ConnectionEncoder encoder,
                                        Http2Settings settings) {
            Http2ServerCodec codec = new Http2ServerCodec(encoder, decoder, settings, metrics);
            codec.gracefulShutdownTimeoutMillis(gracefulShutdownTimeoutMillis());
            return codec;
        }
    }
}
