package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The idle timeout, on a channel whose clock the test moves. */
class IdleTimeoutTest {
    private final List<Object> events = new ArrayList<>();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new IdleTimeout(Duration.ofMillis(1000)), new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                io.netty.util.ReferenceCountUtil.release(msg);
            }
        });
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        for (long t = 0; t < millis; t += 50) { // in steps, as time passes: each due check runs in turn
            ch.advanceTimeBy(50, TimeUnit.MILLISECONDS);
            ch.runScheduledPendingTasks();
        }
    }

    @Test
    void firesBetweenOneAndOneAndAQuarterTimeoutsOfQuiet() {
        EmbeddedChannel ch = channel();
        advance(ch, 950);
        assertThat(events).as("before the timeout").isEmpty();
        advance(ch, 300);
        assertThat(events).containsExactly(IdleStateEvent.ALL_IDLE_STATE_EVENT);
        advance(ch, 1000);
        assertThat(events).as("again after every further timeout of quiet").hasSize(2);
        ch.finishAndReleaseAll();
    }

    @Test
    void readsAndWritesKeepTheConnectionAlive() {
        EmbeddedChannel ch = channel();
        for (int i = 0; i < 10; i++) { // 10 s of traffic, a message every 600 ms
            advance(ch, 600);
            if (i % 2 == 0) {
                ch.writeInbound(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
            } else {
                ch.writeOutbound(Unpooled.copiedBuffer("pong", StandardCharsets.US_ASCII));
                ch.releaseOutbound();
            }
        }
        assertThat(events).isEmpty();
        advance(ch, 1300);
        assertThat(events).as("once the traffic stops").hasSize(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aWriteStillLeavingTheBufferIsActivity() {
        EmbeddedChannel ch = channel();
        ch.config().setAutoRead(false);
        // Bytes waiting in the outbound buffer (a peer reading slowly): while they move, the connection is not idle.
        for (int i = 0; i < 5; i++) {
            advance(ch, 600);
            ch.unsafe().outboundBuffer().addMessage(Unpooled.buffer(0), 100, ch.voidPromise()); // pending bytes move
        }
        assertThat(events).isEmpty();
        ch.close();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void stopsCheckingWhenRemovedOrClosed() {
        EmbeddedChannel ch = channel();
        assertThat(ch.runScheduledPendingTasks()).as("a check is scheduled").isNotNegative();
        ch.pipeline().remove(IdleTimeout.class);
        assertThat(ch.runScheduledPendingTasks()).as("no check left scheduled once removed").isEqualTo(-1);
        advance(ch, 3000);
        assertThat(events).isEmpty();

        EmbeddedChannel closed = channel();
        closed.close();
        advance(closed, 3000);
        assertThat(events).isEmpty();
    }
}
