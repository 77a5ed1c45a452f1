package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
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

    static Http2FrameCodec codec(ProxyConfig config) {
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                        .maxHeaderListSize(config.maxHeaderSize()))
                .validateHeaders(true)
                .build();
    }

    static Http2MultiplexHandler multiplexer(ChannelHandler streamInitializer) {
        return new Http2MultiplexHandler(streamInitializer);
    }

    static Http2StreamFrameToHttpObjectCodec streamCodec() {
        return new Http2StreamFrameToHttpObjectCodec(true, true);
    }

    /** Closes an HTTP/2 connection (with a GOAWAY) once it was idle for the keep-alive timeout with no stream open. */
    static final class IdleCloser extends ChannelInboundHandlerAdapter {
        private final Http2FrameCodec codec;

        IdleCloser(Http2FrameCodec codec) {
            this.codec = codec;
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
