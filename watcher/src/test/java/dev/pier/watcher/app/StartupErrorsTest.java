package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A start-up error is one line that says what is wrong and what to do, with exit code 2 for a bad flag. */
class StartupErrorsTest {
    private record Run(int exit, String err) {}

    private static Run run(String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            return new Run(exit, err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(original);
        }
    }

    @Test
    void anUnknownFlagNamesItAndPointsToHelpWithoutPrintingIt() {
        Run r = run("--bogus");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("pier: Unknown option: '--bogus'").contains("pier --help")
                .doesNotContain("Usage:");
        assertThat(r.err().lines()).hasSize(2);
    }

    @Test
    void aDurationWithoutUnitSaysWhichFormatsWork() {
        Run r = run("--upstream-timeout", "5");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("'5' is not a duration").contains("500ms, 5s, 2m or 1h")
                .doesNotContain("NumberFormatException");
    }

    @Test
    void aManifestDirectoryThatIsNotThereIsOneLine() {
        Run r = run("--manifests", "/nonexistent/pier-manifests");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("pier: --manifests /nonexistent/pier-manifests: no such directory");
    }

    @Test
    void aBadReferenceFlagIsOneLine() {
        Run r = run("--manifests", "/tmp", "--default-backend-service", "no-namespace");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip())
                .isEqualTo("pier: --default-backend-service must be NAMESPACE/NAME, got no-namespace");
    }

    @Test
    void aBadBodySizeSaysWhichFormatsWork() {
        Run r = run("--manifests", "/tmp", "--proxy-body-size", "lots");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("pier: --proxy-body-size must be a size in bytes, or with k, m or g (8m),"
                + " or 0 for no limit, got lots");
    }
}
