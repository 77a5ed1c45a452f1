package dev.pier.proxy.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The meters of one route target (Ingress and Service, and host when enabled), resolved when the table is built so
 * that recording a request is an array read and an atomic add: nothing is allocated once a (method, status class)
 * pair has been seen. The meters themselves are registered at the target's first request. Thread-safe.
 */
public final class RouteMeters {
    /** Methods with a label of their own; every other method counts as {@code OTHER}. */
    static final String[] METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "OTHER"};
    private static final String[] STATUS_CLASSES = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10)};

    private final MeterRegistry registry;
    private final Tags tags;
    /** The meters every request of this target touches, registered at its first request. */
    private volatile Core core;
    /** Routes of the table in force that record here; publishing thread only ({@link ProxyMetrics}). */
    int users;

    /**
     * Meters for a target. Nothing is registered until the target sees its first request: a configuration of 10,000
     * Ingresses of which a few get traffic costs a few sets of meters, not 10,000.
     */
    RouteMeters(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
    }

    /** The meters registered for this target, registering them on first use. */
    private Core core() {
        Core c = core;
        if (c == null) {
            // Two threads may both get here; Micrometer hands both the same meters, so either result is right.
            c = new Core(registry, tags);
            core = c;
        }
        return c;
    }

    private static final class Core {
        final AtomicReferenceArray<Counter> requests = new AtomicReferenceArray<>(METHODS.length * 5);
        final AtomicReferenceArray<Timer> durations = new AtomicReferenceArray<>(METHODS.length * 5);
        final Counter requestBytes;
        final Counter responseBytes;
        final Timer upstreamConnect;
        final Timer upstreamResponse;
        final Counter retries;
        final Counter timeouts;
        final Counter noEndpoints;

        Core(MeterRegistry registry, Tags tags) {
            this.requestBytes = Counter.builder("pier.request.size").baseUnit("bytes").tags(tags)
                    .description("Request body bytes received from clients").register(registry);
            this.responseBytes = Counter.builder("pier.response.size").baseUnit("bytes").tags(tags)
                    .description("Response body bytes sent to clients").register(registry);
            this.upstreamConnect = Timer.builder("pier.upstream.connect.duration").tags(tags)
                    .description("Time to open a connection to an endpoint (pooled connections are not counted)")
                    .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            this.upstreamResponse = Timer.builder("pier.upstream.response.duration").tags(tags)
                    .description("Time from the request head sent upstream to the response head received")
                    .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            this.retries = Counter.builder("pier.upstream.retries").tags(tags)
                    .description("Requests sent again: to another endpoint after a failed connect, or on a fresh "
                            + "connection after a stale pooled one").register(registry);
            this.timeouts = Counter.builder("pier.upstream.timeouts").tags(tags)
                    .description("Connect or response timeouts (each becomes a 504 unless a response had started)")
                    .register(registry);
            this.noEndpoints = Counter.builder("pier.upstream.no.endpoints").tags(tags)
                    .description("Requests answered 503 because the Service had no ready endpoint")
                    .register(registry);
        }

        void remove(MeterRegistry registry) {
            for (int i = 0; i < requests.length(); i++) {
                if (requests.get(i) != null) {
                    registry.remove(requests.get(i));
                }
                if (durations.get(i) != null) {
                    registry.remove(durations.get(i));
                }
            }
            registry.remove(requestBytes);
            registry.remove(responseBytes);
            registry.remove(upstreamConnect);
            registry.remove(upstreamResponse);
            registry.remove(retries);
            registry.remove(timeouts);
            registry.remove(noEndpoints);
        }
    }

    /** The labels of this target. */
    Tags tags() {
        return tags;
    }

    /** Index of a method in {@link #METHODS}. */
    public static int methodIndex(String method) {
        return switch (method) {
            case "GET" -> 0;
            case "HEAD" -> 1;
            case "POST" -> 2;
            case "PUT" -> 3;
            case "DELETE" -> 4;
            case "PATCH" -> 5;
            case "OPTIONS" -> 6;
            default -> 7;
        };
    }

    /** A finished request: its method index, status and duration, and the body bytes each way. */
    public void request(int method, int status, long durationNanos, long bytesIn, long bytesOut) {
        int cls = Math.min(Math.max(status / 100, 1), 5) - 1;
        int slot = method * 5 + cls;
        Core core = core();
        Counter c = core.requests.get(slot);
        Timer t = core.durations.get(slot);
        if (c == null || t == null) {
            Tags all = tags.and("method", METHODS[method], "status", STATUS_CLASSES[cls]);
            c = Counter.builder("pier.requests").tags(all).description("Requests answered").register(registry);
            t = Timer.builder("pier.request.duration").tags(all)
                    .description("Time from the request head received to the last response byte written")
                    .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
            core.requests.set(slot, c);
            core.durations.set(slot, t);
        }
        c.increment();
        t.record(durationNanos, TimeUnit.NANOSECONDS);
        if (bytesIn > 0) {
            core.requestBytes.increment(bytesIn);
        }
        if (bytesOut > 0) {
            core.responseBytes.increment(bytesOut);
        }
    }

    public void upstreamConnect(long nanos) {
        core().upstreamConnect.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void upstreamResponse(long nanos) {
        core().upstreamResponse.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void retry() {
        core().retries.increment();
    }

    public void timeout() {
        core().timeouts.increment();
    }

    public void noEndpoints() {
        core().noEndpoints.increment();
    }

    /** Removes every meter of this target from the registry (its route is gone). */
    void remove() {
        Core c = core;
        if (c != null) {
            c.remove(registry);
        }
    }
}
