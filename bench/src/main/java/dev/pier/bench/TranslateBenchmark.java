package dev.pier.bench;

import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.Translator;
import dev.pier.watcher.translate.TranslatorConfig;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A full translation: N Ingresses (2 paths each), N Services and N EndpointSlices (3 endpoints) into a routing table,
 * as every rebuild does. Checked: every Ingress served, no problems, 2N routes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class TranslateBenchmark {
    @Param({"1000", "10000"})
    int ingresses;

    private ClusterState state;

    @Setup
    public void setup() {
        state = ClusterState.of(ClusterFixtures.apps(ingresses, 8080));
        Translation t = translate();
        if (t.served().size() != ingresses || !t.problems().isEmpty() || t.table().routeCount() != 2 * ingresses) {
            throw new IllegalStateException("unexpected translation: " + t.served().size() + " served, "
                    + t.problems().size() + " problems, " + t.table().routeCount() + " routes");
        }
    }

    @Benchmark
    public Translation translate() {
        return Translator.translate(state, TranslatorConfig.defaults());
    }
}
