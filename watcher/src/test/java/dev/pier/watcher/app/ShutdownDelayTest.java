package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Ctrl-C in manifest mode stops at once; a cluster keeps the wait endpoint controllers need; the flag wins. */
class ShutdownDelayTest {
    private static Duration delay(String... args) {
        Main main = new Main();
        new CommandLine(main).parseArgs(args);
        return main.shutdownDelay();
    }

    @Test
    void noneInManifestMode() {
        assertThat(delay("--manifests", "/tmp")).isZero();
    }

    @Test
    void fiveSecondsInACluster() {
        assertThat(delay()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void theFlagWinsEitherWay() {
        assertThat(delay("--manifests", "/tmp", "--shutdown-delay", "2s")).isEqualTo(Duration.ofSeconds(2));
        assertThat(delay("--shutdown-delay", "0s")).isZero();
    }

    @Test
    void theShutdownLineGivesDurationsAsTheFlagsTakeThem() {
        assertThat(Shutdown.human(Duration.ZERO)).isEqualTo("0s");
        assertThat(Shutdown.human(Duration.ofSeconds(25))).isEqualTo("25s");
        assertThat(Shutdown.human(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(Shutdown.human(Duration.ofMinutes(2))).isEqualTo("2m");
    }
}
