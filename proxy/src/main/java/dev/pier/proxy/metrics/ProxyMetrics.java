package dev.pier.proxy.metrics;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.VirtualHost;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    private final Counter[] clientErrors;
    private final RouteMeters noRoute;
    private final Map<Tags, RouteMeters> byTarget = new HashMap<>(); // publishing thread only
    private RouteTable last; // the table the meters were last resolved for; publishing thread only
    private volatile IdentityHashMap<Route, RouteMeters> byRoute = new IdentityHashMap<>();

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
        this.clientErrors = new Counter[ClientError.values().length];
        for (ClientError e : ClientError.values()) {
            clientErrors[e.ordinal()] = Counter.builder("pier.client.errors").tag("reason", e.label)
                    .description("Connections and requests ended by a client's protocol error or reset")
                    .register(registry);
        }
    }

    /**
     * Why a client's connection, stream or request was ended for it: the label of
     * {@code pier_client_errors_total{reason}}. Client-caused errors are counted here and logged at debug level in
     * one line, never with a stack trace, so a client cannot flood the log.
     */
    public enum ClientError {
        /** An HTTP/1.x request head Pier could not accept (400, 414, 431, 501, 505). */
        MALFORMED_REQUEST("malformed_request"),
        /** An HTTP/1.1 request body whose chunked framing broke part way (400 and close). */
        MALFORMED_BODY("malformed_body"),
        /** An HTTP/2 stream reset for a protocol error (RST_STREAM with an error code). */
        H2_STREAM("h2_stream"),
        /** An HTTP/2 connection ended for a protocol error (GOAWAY with an error code). */
        H2_CONNECTION("h2_connection"),
        /** A TLS handshake that failed, or bytes that were not TLS on the HTTPS port. */
        TLS("tls"),
        /** The connection was reset or failed under Pier (an I/O error). */
        IO("io");

        private final String label;

        ClientError(String label) {
            this.label = label;
        }
    }

    /** Counts one client error. */
    public void clientError(ClientError error) {
        clientErrors[error.ordinal()].increment();
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
        routes.beforePublish(next -> prepare(next.table()));
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

    /**
     * Resolves the meters of a table about to go live. Only what differs from the last table is looked at: hosts
     * are compared by object (an unchanged host keeps its {@link VirtualHost}), and the route map is copied (an array
     * copy) and patched, so a rebuild after one change costs little more than a walk over the hosts. Meters are
     * removed from the registry once no route uses their target.
     */
    synchronized void prepare(RouteTable table) {
        @SuppressWarnings("unchecked") // clone() of an IdentityHashMap<Route, RouteMeters>: an array copy
        IdentityHashMap<Route, RouteMeters> routes = (IdentityHashMap<Route, RouteMeters>) byRoute.clone();
        List<Route> gone = new ArrayList<>();
        List<VirtualHost> before = last == null ? List.of() : last.hosts();
        List<VirtualHost> after = table.hosts();
        int i = 0;
        int j = 0;
        while (i < before.size() || j < after.size()) {
            int c = i == before.size() ? 1 : j == after.size() ? -1
                    : before.get(i).host().compareTo(after.get(j).host());
            if (c == 0) {
                VirtualHost old = before.get(i++);
                VirtualHost now = after.get(j++);
                if (old != now) {
                    Set<Route> kept = Collections.newSetFromMap(new IdentityHashMap<>());
                    kept.addAll(now.routes());
                    for (Route r : now.routes()) {
                        use(routes, r);
                    }
                    for (Route r : old.routes()) {
                        if (!kept.contains(r)) {
                            gone.add(r);
                        }
                    }
                }
            } else if (c < 0) {
                gone.addAll(before.get(i++).routes());
            } else {
                for (Route r : after.get(j++).routes()) {
                    use(routes, r);
                }
            }
        }
        Route oldDefault = last == null ? null : last.defaultRoute();
        if (oldDefault != table.defaultRoute()) {
            if (!table.defaultRoute().isBuiltInNotFound()) {
                use(routes, table.defaultRoute());
            }
            if (oldDefault != null && !oldDefault.isBuiltInNotFound()) {
                gone.add(oldDefault);
            }
        }
        for (Route r : gone) { // after every use, so a target that moved to another route keeps its meters
            RouteMeters m = routes.remove(r);
            if (m != null && --m.users == 0) {
                m.remove();
                byTarget.remove(m.tags());
            }
        }
        last = table;
        byRoute = routes;
    }

    /** A route of the new table: counted as a user of its target's meters unless it was in the old table too. */
    private void use(Map<Route, RouteMeters> routes, Route r) {
        if (!routes.containsKey(r)) {
            RouteMeters m = target(r);
            m.users++;
            routes.put(r, m);
        }
    }

    private RouteMeters target(Route r) {
        Tags tags = Tags.of("namespace", r.source() == null ? "" : r.source().namespace(),
                "ingress", r.source() == null ? "" : r.source().name(),
                "service", r.backend().namespace() + "/" + r.backend().service());
        if (perHost) {
            tags = tags.and("host", r.host());
        }
        return byTarget.computeIfAbsent(tags, t -> new RouteMeters(registry, t));
    }
}
