package dev.pier.bench;

import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.ServiceIndex;
import dev.pier.watcher.translate.IncrementalTranslator;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.Translator;
import dev.pier.watcher.translate.TranslatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * Translation of N apps (an Ingress with 2 paths, a Service, an EndpointSlice with 3 endpoints each) into a routing
 * table:
 *
 * <ul>
 *   <li>{@code full}: from nothing, as the first build does;</li>
 *   <li>{@code oneIngressChanged}, {@code oneIngressAdded} and {@code oneSliceChanged}: as a rebuild after one change
 *       does, with the cache of the previous translation. Each call first makes one change, alternating between two
 *       versions: a new Ingress object for app 0; an Ingress for a new host, there and gone; or an EndpointSlice of
 *       app 0 with other endpoints, put into the {@link ServiceIndex} (which bumps the Service's version, as the
 *       informer handler does).</li>
 * </ul>
 *
 * Checked: every Ingress served, no problems, 2N routes.
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
    private final ClusterState[] ingressStates = new ClusterState[2];
    private final ClusterState[] addedStates = new ClusterState[2];
    private ClusterState sliceState;
    private final EndpointSlice[] slices = new EndpointSlice[2];
    private final IncrementalTranslator ingressCache = new IncrementalTranslator();
    private final IncrementalTranslator addedCache = new IncrementalTranslator();
    private final IncrementalTranslator sliceCache = new IncrementalTranslator();
    private final Instant now = Instant.now();
    private int calls;
    private int added;

    @Setup
    public void setup() {
        List<HasMetadata> apps = ClusterFixtures.apps(ingresses, 8080);
        state = ClusterState.of(apps);
        check(full());
        for (int i = 0; i < 2; i++) {
            List<HasMetadata> changed = new ArrayList<>(apps);
            changed.set(2, ClusterFixtures.ingress("team-0", "app-0", "app-0.example.com", "app-0"));
            ClusterState s = ClusterState.of(changed);
            ingressStates[i] = new ClusterState(s.ingresses(), s.ingressClasses(), s.secrets(), state.services());
            slices[i] = (EndpointSlice) ClusterFixtures.slice("team-0", "app-0", 9000 + i);
        }
        List<HasMetadata> plusOne = new ArrayList<>(apps);
        plusOne.add(ClusterFixtures.ingress("team-0", "new-0", "new-0.example.com", "app-0"));
        for (List<HasMetadata> objects : List.of(apps, plusOne)) {
            ClusterState s = ClusterState.of(objects);
            addedStates[objects == apps ? 0 : 1] = new ClusterState(s.ingresses(), s.ingressClasses(), s.secrets(),
                    state.services());
        }
        sliceState = ClusterState.of(apps); // with its own index, which oneSliceChanged changes
        check(oneIngressChanged());
        Translation withNew = oneIngressAdded();
        if (withNew.served().size() != ingresses + 1 || withNew.table().routeCount() != 2 * ingresses + 2) {
            throw new IllegalStateException("the added Ingress is not served: " + withNew.table());
        }
        check(oneIngressAdded());
        check(oneSliceChanged());
    }

    private void check(Translation t) {
        if (t.served().size() != ingresses || !t.problems().isEmpty() || t.table().routeCount() != 2 * ingresses) {
            throw new IllegalStateException("unexpected translation: " + t.served().size() + " served, "
                    + t.problems().size() + " problems, " + t.table().routeCount() + " routes");
        }
    }

    @Benchmark
    public Translation full() {
        return Translator.translate(state, TranslatorConfig.defaults());
    }

    @Benchmark
    public Translation oneIngressChanged() {
        return ingressCache.translate(ingressStates[calls++ & 1], TranslatorConfig.defaults(), now);
    }

    @Benchmark
    public Translation oneIngressAdded() {
        return addedCache.translate(addedStates[++added & 1], TranslatorConfig.defaults(), now);
    }

    @Benchmark
    public Translation oneSliceChanged() {
        sliceState.services().put(slices[calls++ & 1]);
        return sliceCache.translate(sliceState, TranslatorConfig.defaults(), now);
    }
}
