package dev.pier.watcher;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.admin.ConfigProblem;
import dev.pier.watcher.source.ConfigSink;
import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.IncrementalTranslator;
import dev.pier.watcher.translate.Problem;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.TranslatorConfig;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates a snapshot of objects, swaps the result in if it differs from the table in force, and reports problems:
 * each one once when it appears and once when it is gone, not on every rebuild.
 *
 * <p>Confined to the control plane's one rebuild thread.
 */
public final class ConfigApplier implements ConfigSink {
    private static final Logger log = LoggerFactory.getLogger(ConfigApplier.class);

    private final ActiveRoutes routes;
    private final TranslatorConfig config;
    private final IncrementalTranslator translator = new IncrementalTranslator();
    private final ControllerMetrics metrics;
    private Set<Problem> reported = Set.of();
    private volatile List<ConfigProblem> inForce = List.of();

    public ConfigApplier(ActiveRoutes routes, TranslatorConfig config) {
        this(routes, config, ControllerMetrics.discarding());
    }

    public ConfigApplier(ActiveRoutes routes, TranslatorConfig config, ControllerMetrics metrics) {
        this.routes = routes;
        this.config = config;
        this.metrics = metrics;
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }

    /** The problems of the last translation, for {@code /routes}; any thread. */
    public List<ConfigProblem> problems() {
        return inForce;
    }

    /**
     * Translates and publishes. A translation that throws (a bug: bad input is a problem, not an exception) is
     * counted as a failed rebuild and rethrown; the table in force stays.
     */
    @Override
    public Translation apply(ClusterState state) {
        return apply(state, List.of());
    }

    @Override
    public Translation apply(ClusterState state, List<Problem> sourceProblems) {
        long start = System.nanoTime();
        Translation t;
        boolean swapped;
        try {
            t = translator.translate(state, config, Instant.now());
            swapped = routes.publish(t.table(), t.tls(), t.endpoints());
        } catch (RuntimeException e) {
            metrics.failed(System.nanoTime() - start);
            log.error("configuration rebuild failed; the configuration in force stays", e);
            throw e;
        }
        long nanos = System.nanoTime() - start;
        Set<Problem> now = new LinkedHashSet<>(sourceProblems);
        now.addAll(t.problems());
        metrics.built(t, now, nanos);
        long micros = nanos / 1000;
        for (Problem p : now) {
            if (!reported.contains(p)) {
                log.warn("{}", p);
            }
        }
        for (Problem p : reported) {
            if (!now.contains(p)) {
                log.info("resolved: {}{}: {}", p.object(), p.field().isEmpty() ? "" : " " + p.field(), p.reason());
            }
        }
        reported = now;
        List<ConfigProblem> listed = new ArrayList<>(now.size());
        for (Problem p : now) {
            listed.add(new ConfigProblem(p.object().toString(), p.field(), p.reason().name(), p.message()));
        }
        inForce = List.copyOf(listed);
        if (swapped) {
            log.info("configuration {} in force: {}, {}, {}, {} (built in {} µs)", routes.published().generation(),
                    count(t.served().size(), "Ingress", "Ingresses"), count(t.table().hosts().size(), "host", "hosts"),
                    count(t.table().routeCount(), "route", "routes"), count(now.size(), "problem", "problems"), micros);
        }
        return t;
    }
}
