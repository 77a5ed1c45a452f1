package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelOutputShutdownEvent;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The lingering handler on its own, with the channel's clock in the test's hands. */
class LingeringCloseTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();

    private void linger() {
        ch.pipeline().addFirst(LingeringClose.NAME,
                new LingeringClose(Duration.ofSeconds(5), Duration.ofSeconds(30)));
    }

    @Test
    void dropsWhatTheClientStillSendsAndPassesNothingOn() {
        linger();
        ByteBuf rest = Unpooled.copiedBuffer(new byte[1000]);
        ch.writeInbound(rest);
        assertThat(rest.refCnt()).isZero();
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void closesAfterTheLingerTimeoutWithoutAByte() {
        linger();
        ch.advanceTimeBy(4, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isTrue();
        ch.advanceTimeBy(2, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aClientThatKeepsSendingIsCutOffAfterTheLingerTime() {
        linger();
        for (int second = 1; second < 30; second++) {
            ch.writeInbound(Unpooled.copiedBuffer(new byte[10]));
            ch.advanceTimeBy(1, TimeUnit.SECONDS);
            ch.runScheduledPendingTasks();
            assertThat(ch.isOpen()).as("after %d s", second).isTrue();
        }
        ch.advanceTimeBy(1, TimeUnit.SECONDS);
        ch.runScheduledPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void theClientsFinEndsItButPiersOwnDoesNot() {
        linger();
        ch.pipeline().fireUserEventTriggered(ChannelOutputShutdownEvent.INSTANCE);
        assertThat(ch.isOpen()).isTrue();
        ch.pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
        assertThat(ch.isOpen()).isFalse();
    }
}
