package dev.pier.watcher;

import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.VirtualHost;
import dev.pier.tls.TlsCredential;
import dev.pier.watcher.translate.ObjectRef;
import dev.pier.watcher.translate.Problem;
import dev.pier.watcher.translate.Translation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * The control plane's metrics: configuration rebuilds, what the table in force holds, problems by reason, leadership,
 * API outages, and when each TLS Secret's certificate expires. Thread-safe.
 */
public final class ControllerMetrics {
    private final MeterRegistry registry;
    private final Counter rebuilds;
    private final Counter failures;
    private final Timer duration;
    private final AtomicLong lastSuccess = new AtomicLong();
    /** The table last built; its sizes are counted when scraped, not on every rebuild. */
    private final AtomicReference<RouteTable> table = new AtomicReference<>(RouteTable.EMPTY);
    private final AtomicReference<EndpointTable> endpoints = new AtomicReference<>(EndpointTable.EMPTY);
    private final AtomicLong leader = new AtomicLong();
    private final MultiGauge problems;
    private final MultiGauge unsupportedAnnotations;
    private final MultiGauge certificateExpiry;

    private static final String ANNOTATION_FIELD = "metadata.annotations.";

    public ControllerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.rebuilds = Counter.builder("pier.config.rebuilds").tag("result", "success")
                .description("Configuration rebuilds (translations)").register(registry);
        this.failures = Counter.builder("pier.config.rebuilds").tag("result", "failure")
                .description("Configuration rebuilds (translations)").register(registry);
        this.duration = Timer.builder("pier.config.rebuild.duration")
                .description("Time to translate the objects into a table and publish it").register(registry);
        gauge("pier.config.last.success.timestamp", "seconds",
                "When the last configuration was built (Unix time)", lastSuccess, AtomicLong::get);
        gauge("pier.routes", null, "Routes (host and path) in the table in force", table, t -> t.get().routeCount());
        gauge("pier.hosts", null, "Hosts in the table in force", table, t -> t.get().hosts().size());
        gauge("pier.endpoints", null, "Ready endpoints over all routed Services", endpoints,
                t -> t.get().endpointCount());
        gauge("pier.leader", null, "1 while this replica is the leader that writes status and Events", leader,
                AtomicLong::get);
        this.problems = MultiGauge.builder("pier.problems")
                .description("Problems in the configuration in force, by reason").register(registry);
        this.unsupportedAnnotations = MultiGauge.builder("pier.unsupported.annotations")
                .description("Ingresses in force that carry each annotation Pier does not apply, by key")
                .register(registry);
        this.certificateExpiry = MultiGauge.builder("pier.tls.certificate.expiry.timestamp").baseUnit("seconds")
                .description("When the certificate of each referenced TLS Secret expires (Unix time)")
                .register(registry);
    }

    /** Metrics nobody reads (tests). */
    public static ControllerMetrics discarding() {
        return new ControllerMetrics(new SimpleMeterRegistry());
    }

    private <T> void gauge(String name, String unit, String description, T obj, ToDoubleFunction<T> f) {
        Gauge.builder(name, obj, f).baseUnit(unit).description(description).register(registry);
    }

    /** Counts API outages with {@code outages}, read at every scrape. */
    public <T> void informerReconnects(T source, ToDoubleFunction<T> outages) {
        FunctionCounter.builder("pier.informer.reconnects", source, outages)
                .description("Times the watches of the Kubernetes API were lost and had to reconnect")
                .register(registry);
    }

    public void leader(boolean leading) {
        leader.set(leading ? 1 : 0);
    }

    void failed(long nanos) {
        failures.increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
    }


    void built(Translation t, long nanos) {
        built(t, t.problems(), nanos);
    }

    /** A table built from {@code t}, with {@code problems} in force (the translation's and its source's). */
    void built(Translation t, java.util.Collection<Problem> inForce, long nanos) {
        rebuilds.increment();
        duration.record(nanos, TimeUnit.NANOSECONDS);
        lastSuccess.set(System.currentTimeMillis() / 1000);
        table.set(t.table());
        endpoints.set(t.endpoints());
        Map<Problem.Reason, Integer> byReason = new EnumMap<>(Problem.Reason.class);
        for (Problem.Reason reason : Problem.Reason.values()) {
            byReason.put(reason, 0);
        }
        Map<String, Integer> byKey = new TreeMap<>();
        for (Problem p : inForce) {
            byReason.merge(p.reason(), 1, Integer::sum);
            if (p.reason() == Problem.Reason.UnsupportedAnnotation && p.field().startsWith(ANNOTATION_FIELD)) {
                byKey.merge(p.field().substring(ANNOTATION_FIELD.length()), 1, Integer::sum);
            }
        }
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        byReason.forEach((reason, n) -> rows.add(MultiGauge.Row.of(Tags.of("reason", reason.name()), n)));
        problems.register(rows, true);
        List<MultiGauge.Row<?>> keys = new ArrayList<>();
        byKey.forEach((key, n) -> keys.add(MultiGauge.Row.of(Tags.of("key", key), n)));
        unsupportedAnnotations.register(keys, true);
        List<MultiGauge.Row<?>> expiry = new ArrayList<>();
        for (Map.Entry<ObjectRef, TlsCredential> e : t.certificates().entrySet()) {
            expiry.add(MultiGauge.Row.of(Tags.of("namespace", e.getKey().namespace(), "secret", e.getKey().name()),
                    e.getValue().notAfter().getEpochSecond()));
        }
        certificateExpiry.register(expiry, true);
    }
}
