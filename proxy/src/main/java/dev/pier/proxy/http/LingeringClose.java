package dev.pier.proxy.http;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * nginx's lingering close, for an HTTP/1 connection Pier closes after answering while the client may still be sending
 * (a 413 before the body, a 400, an early answer with the body unread). Closing a TCP socket that has unread input
 * makes the kernel send RST, and a RST can reach the client before it has read the answer: the client then sees
 * "connection reset" instead of the 413 that explains why. So, once the answer is written, Pier shuts its side down
 * (a FIN after the answer, after TLS's close_notify), then reads and drops whatever still comes, until the client
 * closes, {@link #LINGER_TIMEOUT} passes without a byte, or {@link #LINGER_TIME} has passed in all: nginx's
 * {@code lingering_timeout} and {@code lingering_time} defaults.
 *
 * <p>A discarding handler goes first in the pipeline, so nothing after it (TLS, the HTTP codec) sees the rest. An
 * HTTP/2 stream is not a socket: it is simply closed (its reset tells the client to stop sending).
 */
final class LingeringClose extends ChannelInboundHandlerAdapter {
    static final Duration LINGER_TIME = Duration.ofSeconds(30);
    static final Duration LINGER_TIMEOUT = Duration.ofSeconds(5);
    static final String NAME = "lingeringClose";

    private static final ChannelFutureListener AFTER_WRITE = LingeringClose::linger;

    private final long timeoutNanos;
    private final long timeNanos;
    private ScheduledFuture<?> idleTask;
    private ScheduledFuture<?> totalTask;
    private boolean read;

    LingeringClose(Duration timeout, Duration time) {
        this.timeoutNanos = timeout.toNanos();
        this.timeNanos = time.toNanos();
    }

    /** Closes {@code written}'s channel once the answer is written: lingering on a socket, at once otherwise. */
    static void closeAfter(ChannelFuture written) {
        written.addListener(written.channel() instanceof DuplexChannel ? AFTER_WRITE : ChannelFutureListener.CLOSE);
    }

    private static void linger(ChannelFuture written) {
        Channel ch = written.channel();
        if (!written.isSuccess() || !ch.isActive() || ch.pipeline().get(NAME) != null) {
            ch.close();
            return;
        }
        ch.pipeline().addFirst(NAME, new LingeringClose(LINGER_TIMEOUT, LINGER_TIME));
        SslHandler ssl = ch.pipeline().get(SslHandler.class);
        ChannelFuture notified = ssl != null ? ssl.closeOutbound() : written;
        notified.addListener(f -> {
            if (ch.isActive()) {
                ((DuplexChannel) ch).shutdownOutput().addListener(s -> {
                    if (!s.isSuccess()) {
                        ch.close();
                    }
                });
            }
        });
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        totalTask = ctx.executor().schedule(() -> ctx.close(), timeNanos, TimeUnit.NANOSECONDS);
        idleTask = ctx.executor().schedule(() -> idle(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.read();
    }

    private void idle(ChannelHandlerContext ctx) {
        if (!read) {
            ctx.close();
            return;
        }
        read = false;
        idleTask = ctx.executor().schedule(() -> idle(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        totalTask.cancel(false);
        idleTask.cancel(false);
    }

    /** Drops what the client still sends; nothing after this handler sees it. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        read = true;
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.read(); // the connection is read by hand: ask for more until the client is done
    }

    /** The client's FIN, where half-closure is allowed (elsewhere it closes the channel by itself): done. */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent || evt == ChannelInputShutdownReadComplete.INSTANCE) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt); // our own FIN's ChannelOutputShutdownEvent among them
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a reset while lingering: the client is gone, which is all we were waiting for
    }
}
