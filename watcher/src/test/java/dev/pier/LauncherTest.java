package dev.pier;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** An old Java gets one line that says what to do, not an UnsupportedClassVersionError. */
class LauncherTest {
    @Test
    void javaOlderThan21IsOneLineThatSaysWhatToDo() {
        assertThat(Launcher.check("17")).isEqualTo("pier: needs Java 21 or newer, and this is Java 17;"
                + " run it with a newer java (JAVA_HOME, or the full path to its bin/java)");
        assertThat(Launcher.check("1.8")).contains("this is Java 8");
        assertThat(Launcher.check("21")).isNull();
        assertThat(Launcher.check("25")).isNull();
    }

    /** The launcher as a Java 17 runs it, where one is installed (Debian's default java here). */
    @Test
    void aRealJava17RunsTheLauncherAndGetsTheLine() throws Exception {
        Path java17 = Path.of("/usr/lib/jvm/java-17-openjdk-amd64/bin/java");
        Assumptions.assumeTrue(Files.isExecutable(java17), "no Java 17 on this machine");
        Path classes = Path.of(Launcher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Process p = new ProcessBuilder(List.of(java17.toString(), "-cp", classes.toString(), "dev.pier.Launcher",
                "--version")).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(out.lines()).singleElement().asString().startsWith("pier: needs Java 21 or newer, and this is Java 17");
    }
}
