package dev.pier.proxy.http;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.handler.timeout.IdleStateEvent;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Fires {@link IdleStateEvent#ALL_IDLE_STATE_EVENT} when a connection has neither read nor written for a timeout, as
 * Netty's {@code IdleStateHandler(0, 0, timeout)} does, at a fraction of its cost per message: a read or a write only
 * sets a flag. No clock is read, and a write keeps its promise (the caller's void promise stays void: no promise and
 * listener per write). A task looks at the flag every quarter of the timeout, so the event fires between one and one
 * and a quarter timeouts after the last activity, and again after every further timeout of quiet. Bytes still leaving
 * the outbound buffer count as activity: a slow client taking a large response is not idle.
 *
 * <p>Event-loop confined.
 */
final class IdleTimeout extends ChannelDuplexHandler {
    /** Checks per timeout. */
    static final int CHECKS = 4;

    private final long checkNanos;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> task;
    private boolean active;
    private int quietChecks;
    private long lastPending;
    private long lastProgress;

    IdleTimeout(Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("idle timeout must be positive: " + timeout);
        }
        this.checkNanos = Math.max(1, timeout.toNanos() / CHECKS);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive() && ctx.channel().isRegistered()) {
            start();
        }
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) throws Exception {
        if (ctx.channel().isActive()) {
            start();
        }
        super.channelRegistered(ctx);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        stop();
        super.channelInactive(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        stop();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        active = true;
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        active = true;
        ctx.write(msg, promise);
    }

    private void start() {
        if (task == null) {
            task = ctx.executor().scheduleAtFixedRate(this::check, checkNanos, checkNanos, TimeUnit.NANOSECONDS);
        }
    }

    private void stop() {
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void check() {
        if (!ctx.channel().isOpen()) {
            stop();
            return;
        }
        boolean flushing = outputMoved();
        if (active || flushing) {
            active = false;
            quietChecks = 0;
            return;
        }
        if (++quietChecks >= CHECKS) {
            quietChecks = 0;
            ctx.fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        }
    }

    /** Whether bytes left the outbound buffer since the last check (the peer is reading what was written before). */
    private boolean outputMoved() {
        ChannelOutboundBuffer buffer = ctx.channel().unsafe().outboundBuffer();
        if (buffer == null) {
            return false;
        }
        long pending = buffer.totalPendingWriteBytes();
        long progress = buffer.currentProgress();
        boolean moved = pending != lastPending || progress != lastProgress;
        lastPending = pending;
        lastProgress = progress;
        return moved;
    }
}
