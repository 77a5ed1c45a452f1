package dev.pier.proxy.metrics;

import dev.pier.proxy.route.ActiveRoutes;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.VirtualHost;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The data plane's metrics. Request meters are labelled by Ingress ({@code namespace}, {@code ingress}) and
 * {@code service} (and {@code host}, the rule's host, when enabled), then {@code method} and {@code status} class.
 * They are resolved for every route when a table is published, so a request finds its meters with one identity-map
 * read; meters of targets no route uses any more are removed.
 *
 * <p>Thread-safe: {@link #meters} from any event loop, {@link #prepare} from the publishing thread.
 */
public final class ProxyMetrics {
    /** Labels of requests Pier answered without a route: malformed requests and the built-in 404. */
    static final Tags NO_ROUTE = Tags.of("namespace", "", "ingress", "", "service", "");

    private final MeterRegistry registry;
    private final boolean perHost;
    private final AtomicInteger clientConnections = new AtomicInteger();
    private final AtomicInteger upstreamConnections = new AtomicInteger();
    private final Counter droppedLogLines;
    private final RouteMeters noRoute;
    private final Map<Tags, RouteMeters> byTarget = new HashMap<>(); // publishing thread only
    private volatile Map<Route, RouteMeters> byRoute = new IdentityHashMap<>();

    /** Metrics into {@code registry}; {@code perHost} adds the rule's host as a label. */
    public ProxyMetrics(MeterRegistry registry, boolean perHost) {
        this.registry = registry;
        this.perHost = perHost;
        Gauge.builder("pier.client.connections", clientConnections, AtomicInteger::get)
                .description("Open client connections (HTTP/2 streams not counted)").register(registry);
        Gauge.builder("pier.upstream.connections", upstreamConnections, AtomicInteger::get)
                .description("Open connections to endpoints, busy or pooled").register(registry);
        this.droppedLogLines = Counter.builder("pier.access.log.dropped")
                .description("Access log lines dropped because the writer fell behind").register(registry);
        this.noRoute = new RouteMeters(registry, perHost ? NO_ROUTE.and("host", "") : NO_ROUTE);
    }

    /** Metrics nobody reads (tests, tools). */
    public static ProxyMetrics discarding() {
        return new ProxyMetrics(new SimpleMeterRegistry(), false);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** Resolves meters for every route of the tables {@code routes} publishes, starting with the one in force. */
    public void follow(ActiveRoutes routes) {
        prepare(routes.table());
        routes.beforePublish(this::prepare);
    }

    /** The meters of a route; those of requests without a route for null or the built-in 404. */
    public RouteMeters meters(Route route) {
        RouteMeters m = route == null ? null : byRoute.get(route);
        return m != null ? m : noRoute;
    }

    /** Meters of requests answered before any route was chosen (malformed requests). */
    public RouteMeters noRoute() {
        return noRoute;
    }

    public AtomicInteger clientConnections() {
        return clientConnections;
    }

    public AtomicInteger upstreamConnections() {
        return upstreamConnections;
    }

    public Counter droppedLogLines() {
        return droppedLogLines;
    }

    synchronized void prepare(RouteTable table) {
        Map<Route, RouteMeters> routes = new IdentityHashMap<>();
        Map<Tags, RouteMeters> targets = new HashMap<>();
        for (VirtualHost vh : table.hosts()) {
            for (Route r : vh.routes()) {
                routes.put(r, target(r, targets));
            }
        }
        if (!table.defaultRoute().isBuiltInNotFound()) {
            routes.put(table.defaultRoute(), target(table.defaultRoute(), targets));
        }
        for (Map.Entry<Tags, RouteMeters> e : byTarget.entrySet()) {
            if (!targets.containsKey(e.getKey())) {
                e.getValue().remove();
            }
        }
        byTarget.clear();
        byTarget.putAll(targets);
        byRoute = routes;
    }

    private RouteMeters target(Route r, Map<Tags, RouteMeters> targets) {
        Tags tags = Tags.of("namespace", r.source() == null ? "" : r.source().namespace(),
                "ingress", r.source() == null ? "" : r.source().name(),
                "service", r.backend().namespace() + "/" + r.backend().service());
        if (perHost) {
            tags = tags.and("host", r.host());
        }
        RouteMeters m = targets.get(tags);
        if (m == null) {
            m = byTarget.get(tags);
            if (m == null) {
                m = new RouteMeters(registry, tags);
            }
            targets.put(tags, m);
        }
        return m;
    }
}
