package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The build writes what it was built from; --version, the metric and the chart agree on it. */
class BuildInfoTest {
    @Test
    void theBuildWroteItsVersionAndCommit() {
        assertThat(BuildInfo.CURRENT.version()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        assertThat(BuildInfo.CURRENT.commit()).matches("[0-9a-f]{7}|unknown");
        assertThat(new Main.Version().getVersion()).containsExactly("pier " + BuildInfo.CURRENT.version()
                + " (commit " + BuildInfo.CURRENT.commit() + ")");
    }

    @Test
    void theBuildInfoMetricCarriesThemAsLabels() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        BuildInfo.CURRENT.register(registry);
        assertThat(registry.get("pier.build.info").tag("version", BuildInfo.CURRENT.version())
                .tag("commit", BuildInfo.CURRENT.commit()).gauge().value()).isEqualTo(1.0);
    }

    @Test
    void theChartsAppVersionIsTheRelease() throws Exception {
        String chart = Files.readString(Path.of("../charts/pier/Chart.yaml"));
        String release = BuildInfo.CURRENT.version().replace("-SNAPSHOT", "");
        assertThat(chart).containsPattern("(?m)^appVersion: \"?" + release.replace(".", "\\.") + "\"?$");
    }
}
