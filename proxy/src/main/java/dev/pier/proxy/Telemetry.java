package dev.pier.proxy;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.log.AccessLog;
import dev.pier.proxy.metrics.ProxyMetrics;

/**
 * Where the proxy reports what it does: metrics, and the access log when one is kept.
 *
 * @param metrics request and connection metrics
 * @param accessLog one line per request; null for none
 */
public record Telemetry(ProxyMetrics metrics, AccessLog accessLog) {
    public Telemetry {
        requireNonNull(metrics, "metrics");
    }

    /** Metrics nobody reads, no access log (tests, tools). */
    public static Telemetry none() {
        return new Telemetry(ProxyMetrics.discarding(), null);
    }
}
