package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The immutable routing table: hosts, their paths in precedence order, and the default route.
 *
 * <p>Lookup ({@link #match}) follows {@code networking.k8s.io/v1}: the host is chosen first (exact, else the
 * one-label wildcard, else the rules without host), then the longest matching path of that host wins, Exact before
 * Prefix at equal length; no match goes to {@link #defaultRoute()}. Lookup allocates nothing.
 *
 * <p>Two tables built from equal routes are {@link #equals equal}, so a publisher can skip a swap that changes
 * nothing.
 */
public final class RouteTable {
    /** A table with no routes: everything goes to the built-in 404. */
    public static final RouteTable EMPTY = builder().build();

    private final List<VirtualHost> hosts;
    private final Route defaultRoute;
    private final HostIndex<PathSet> exactHosts;
    private final HostIndex<PathSet> wildcardHosts;
    private final boolean hasWildcards;
    private final PathSet anyHost;

    private RouteTable(List<VirtualHost> hosts, Route defaultRoute) {
        this.hosts = List.copyOf(hosts);
        this.defaultRoute = defaultRoute;
        Map<String, PathSet> exact = new HashMap<>();
        Map<String, PathSet> wildcard = new HashMap<>();
        PathSet any = null;
        for (VirtualHost vh : this.hosts) {
            PathSet matchers = vh.compile();
            if (vh.host().isEmpty()) {
                any = matchers;
            } else if (vh.host().startsWith("*.")) {
                wildcard.put(vh.host().substring(1), matchers); // key ".example.com"
            } else {
                exact.put(vh.host(), matchers);
            }
        }
        this.exactHosts = new HostIndex<>(exact);
        this.wildcardHosts = new HostIndex<>(wildcard);
        this.hasWildcards = !wildcard.isEmpty();
        this.anyHost = any;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The route for a request. Never null: no match gives {@link #defaultRoute()}.
     *
     * @param hostHeader the Host header as received (any case, optional port, optional trailing dot), or null
     * @param uri the normalized request target, starting with {@code /}; the query may follow at {@code pathEnd}
     * @param pathEnd where the path ends in {@code uri} (the index of {@code ?}, or {@code uri.length()})
     */
    public Route match(CharSequence hostHeader, String uri, int pathEnd) {
        PathSet candidates = candidates(hostHeader);
        if (candidates != null) {
            Route r = candidates.match(uri, pathEnd);
            if (r != null) {
                return r;
            }
        }
        return defaultRoute;
    }

    /** Convenience for callers with a bare path (tests, tools): {@code match(host, path, path.length())}. */
    public Route match(CharSequence hostHeader, String path) {
        return match(hostHeader, path, path.length());
    }

    private PathSet candidates(CharSequence host) {
        if (host == null) {
            return anyHost;
        }
        int end = host.length();
        if (end > 0 && host.charAt(0) == '[') { // IPv6 literal, maybe with a port: never a configured host
            return anyHost;
        }
        for (int i = 0; i < end; i++) {
            if (host.charAt(i) == ':') {
                end = i;
                break;
            }
        }
        if (end > 0 && host.charAt(end - 1) == '.') {
            end--;
        }
        PathSet found = exactHosts.get(host, 0, end);
        if (found != null) {
            return found;
        }
        if (hasWildcards) {
            for (int i = 0; i < end; i++) {
                if (host.charAt(i) == '.') {
                    if (i > 0) {
                        found = wildcardHosts.get(host, i, end);
                    }
                    break;
                }
            }
            if (found != null) {
                return found;
            }
        }
        return anyHost;
    }

    /** Hosts sorted by name (the rules without host under the empty name), each with routes in match order. */
    public List<VirtualHost> hosts() {
        return hosts;
    }

    /** Where requests that match no rule go. */
    public Route defaultRoute() {
        return defaultRoute;
    }

    /** The number of routes over all hosts, not counting the default route. */
    public int routeCount() {
        int n = 0;
        for (VirtualHost vh : hosts) {
            n += vh.routes().size();
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteTable t && hosts.equals(t.hosts) && defaultRoute.equals(t.defaultRoute);
    }

    @Override
    public int hashCode() {
        return 31 * hosts.hashCode() + defaultRoute.hashCode();
    }

    @Override
    public String toString() {
        return "RouteTable{hosts=" + hosts.size() + ", routes=" + routeCount() + ", default=" + defaultRoute + "}";
    }

    /** Collects routes; confined to one thread. */
    public static final class Builder {
        private final Map<String, Map<String, PathMatcher>> byHost = new TreeMap<>();
        private Route defaultRoute = Route.NOT_FOUND;

        private Builder() {}

        /**
         * Adds a route unless its host already has one on the same path with the same semantics.
         *
         * @return null when added; otherwise the route already holding that host and path, which keeps it
         */
        public Route add(Route route) {
            requireNonNull(route, "route");
            if (route.backend() == null) {
                throw new IllegalArgumentException("a rule route needs a backend: " + route);
            }
            PathMatcher matcher = new PathMatcher(route);
            Map<String, PathMatcher> paths = byHost.computeIfAbsent(route.host(), h -> new HashMap<>());
            PathMatcher existing = paths.putIfAbsent(matcher.conflictKey(), matcher);
            return existing == null ? null : existing.route;
        }

        /** Sets where unmatched requests go; {@link Route#NOT_FOUND} unless set. */
        public Builder defaultRoute(Route route) {
            this.defaultRoute = requireNonNull(route, "route");
            return this;
        }

        public RouteTable build() {
            List<VirtualHost> hosts = new ArrayList<>(byHost.size());
            for (Map.Entry<String, Map<String, PathMatcher>> e : byHost.entrySet()) {
                List<PathMatcher> matchers = new ArrayList<>(e.getValue().values());
                matchers.sort(PathMatcher.PRECEDENCE);
                hosts.add(new VirtualHost(e.getKey(), matchers.stream().map(m -> m.route).toList()));
            }
            return new RouteTable(hosts, defaultRoute);
        }
    }
}
