package dev.pier.proxy.http;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.route.ActiveRoutes;
import io.netty.channel.EventLoop;
import java.util.Map;

/**
 * What every connection of one proxy shares: the routes in force, the settings, and one upstream pool per event loop.
 * Immutable after construction (the pools are event-loop confined).
 */
final class ProxyContext {
    private final ActiveRoutes routes;
    private final ProxyConfig config;
    private final Map<EventLoop, UpstreamPool> pools;

    ProxyContext(ActiveRoutes routes, ProxyConfig config, Map<EventLoop, UpstreamPool> pools) {
        this.routes = routes;
        this.config = config;
        this.pools = pools;
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
