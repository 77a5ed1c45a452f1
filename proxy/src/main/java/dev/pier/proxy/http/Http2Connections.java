package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.metrics.ProxyMetrics;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * HTTP/2 on the client side. Each stream is a child channel whose frames are turned into the same HttpRequest and
 * HttpContent objects an HTTP/1.1 connection produces, so one {@link ClientHandler} serves both protocols and a stream
 * is proxied to the HTTP/1.1 upstreams through the same pools.
 */
final class Http2Connections {
    /** Streams one connection may have open at once: ingress-nginx's {@code http2-max-concurrent-streams}. */
    static final int MAX_CONCURRENT_STREAMS = 128;

    private Http2Connections() {}

    static Http2FrameCodec codec(ProxyConfig config, ProxyMetrics metrics) {
        return Http2ServerCodec.create(Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .maxHeaderListSize(config.maxHeaderSize()), metrics);
    }

    static Http2MultiplexHandler multiplexer(ChannelHandler streamInitializer) {
        return new Http2MultiplexHandler(streamInitializer);
    }

    /** Turns the responses a stream's {@link ClientHandler} writes into HTTP/2 frames (its requests come from an
     * {@link Http2RequestDecoder}, which sits before it). */
    static Http2StreamFrameToHttpObjectCodec responseEncoder() {
        return new Http2StreamFrameToHttpObjectCodec(true, true);
    }

    /**
     * The last handler of an HTTP/2 connection. Closes it (with a GOAWAY) once it was idle for the keep-alive timeout
     * with no stream open, and ends what reaches the end of the pipeline: an HTTP/2 error was answered and counted by
     * the codec (which closes the connection itself after its GOAWAY); anything else (a reset, a TLS failure) is
     * counted, logged in one debug line and closes the connection.
     */
    static final class ConnectionEnd extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;
        private final ProxyMetrics metrics;

        ConnectionEnd(Http2FrameCodec codec, ProxyMetrics metrics) {
            this.codec = codec;
            this.metrics = metrics;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (Http2CodecUtil.getEmbeddedHttp2Exception(cause) != null) {
                return;
            }
            ClientErrors.caught(ctx, cause, metrics);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                if (codec.connection().numActiveStreams() == 0) {
                    ctx.close();
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }
    }
}
