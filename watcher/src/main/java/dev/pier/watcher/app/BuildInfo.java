package dev.pier.watcher.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What Pier was built from, as the build wrote it into {@code build.properties}: the version (the Maven project's)
 * and the commit. Shown by {@code --version}, the start-up line and the {@code pier_build_info} metric.
 *
 * @param version the project version, {@code 0.1.0-SNAPSHOT} say
 * @param commit the abbreviated commit, or {@code unknown} when the build had no git checkout
 */
record BuildInfo(String version, String commit) {
    static final BuildInfo CURRENT = load();

    private static BuildInfo load() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream("build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // an unreadable resource: as if absent
        }
        return new BuildInfo(known(p.getProperty("version")), known(p.getProperty("commit")));
    }

    /** A value the build filled in, or {@code unknown} (a property left as its placeholder). */
    private static String known(String value) {
        return value == null || value.isBlank() || value.startsWith("${") ? "unknown" : value;
    }

    /** {@code 0.1.0-SNAPSHOT (commit 1a2b3c4)}. */
    @Override
    public String toString() {
        return version + " (commit " + commit + ")";
    }

    /** {@code pier_build_info{version, commit, java}}, always 1: joins any series with what was running. */
    void register(MeterRegistry registry) {
        Gauge.builder("pier.build.info", () -> 1)
                .description("The build of Pier running: its version, commit and Java version as labels")
                .tag("version", version).tag("commit", commit).tag("java", Runtime.version().toString())
                .register(registry);
    }
}
