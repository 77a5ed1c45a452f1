package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.Telemetry;
import dev.pier.proxy.log.AccessLog;
import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.ActiveRoutes;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import java.util.Map;

/**
 * What every connection of one proxy shares: the routes in force, the settings, and one upstream pool per event loop.
 * Immutable after construction (the pools are event-loop confined).
 */
final class ProxyContext {
    private final ActiveRoutes routes;
    private final ProxyConfig config;
    private final Map<EventLoop, UpstreamPool> pools;
    private final ChannelGroup clients;
    private final ProxyMetrics metrics;
    private final AccessLog accessLog;
    private volatile boolean draining;

    ProxyContext(ActiveRoutes routes, ProxyConfig config, Map<EventLoop, UpstreamPool> pools, ChannelGroup clients,
                 Telemetry telemetry) {
        this.routes = routes;
        this.config = config;
        this.pools = pools;
        this.clients = clients;
        this.metrics = telemetry.metrics();
        this.accessLog = telemetry.accessLog();
    }

    ProxyMetrics metrics() {
        return metrics;
    }

    /** The access log, or null when none is kept. */
    AccessLog accessLog() {
        return accessLog;
    }

    /** Every open client connection (a ChannelGroup removes closed ones itself). */
    ChannelGroup clients() {
        return clients;
    }

    /** True once shutdown began: responses carry Connection: close and connections close after them. */
    boolean draining() {
        return draining;
    }

    void startDraining() {
        draining = true;
    }

    ActiveRoutes routes() {
        return routes;
    }

    ProxyConfig config() {
        return config;
    }

    UpstreamPool pool(EventLoop loop) {
        return pools.get(loop);
    }
}
