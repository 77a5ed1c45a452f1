package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyDefaultsTest {
    @Test
    void keepsPerThreadBufferMagazinesWhateverTheHeap() {
        Properties properties = new Properties();
        Main.nettyDefaults(properties);
        assertThat(properties.getProperty("io.netty.allocator.lowMemory")).isEqualTo("false");
    }

    @Test
    void leavesASettingFromTheCommandLineAlone() {
        Properties properties = new Properties();
        properties.setProperty("io.netty.allocator.lowMemory", "true");
        Main.nettyDefaults(properties);
        assertThat(properties.getProperty("io.netty.allocator.lowMemory")).isEqualTo("true");
    }
}
