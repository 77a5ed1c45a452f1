package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The immutable routing table: hosts, their paths in precedence order, and the default route.
 *
 * <p>Lookup ({@link #match}) follows {@code networking.k8s.io/v1}: the host is chosen first (exact, else the
 * one-label wildcard, else the rules without host), then the longest matching path of that host wins, Exact before
 * Prefix at equal length; no match goes to {@link #defaultRoute()}. Lookup allocates nothing.
 *
 * <p>Two tables built from equal routes are {@link #equals equal}, so a publisher can skip a swap that changes
 * nothing. The certificates are published beside the table ({@code ActiveRoutes}), not in it: the routing model
 * depends on the JDK alone.
 */
public final class RouteTable {
    /** A table with no routes: everything goes to the built-in 404. */
    public static final RouteTable EMPTY = builder().build();

    private final List<VirtualHost> hosts;
    private final Route defaultRoute;
    private final HostIndex exactHosts;
    private final HostIndex wildcardHosts; // keyed ".example.com" for "*.example.com"
    private final boolean hasWildcards;
    private final HostIndex anyHost; // the rules without host, under the empty key; null when there are none
    private final int anyHostSlot;

    private RouteTable(List<VirtualHost> hosts, Route defaultRoute) {
        this.hosts = List.copyOf(hosts);
        this.defaultRoute = defaultRoute;
        List<String> exactKeys = new ArrayList<>(this.hosts.size());
        List<List<Route>> exactRules = new ArrayList<>(this.hosts.size());
        List<String> wildcardKeys = new ArrayList<>();
        List<List<Route>> wildcardRules = new ArrayList<>();
        List<Route> anyRules = null;
        for (VirtualHost vh : this.hosts) { // each host's routes are in precedence order (the builder sorted them)
            String host = vh.host();
            if (host.isEmpty()) {
                anyRules = vh.routes();
            } else if (host.startsWith("*.")) {
                wildcardKeys.add(host.substring(1));
                wildcardRules.add(vh.routes());
            } else {
                exactKeys.add(host);
                exactRules.add(vh.routes());
            }
        }
        this.exactHosts = new HostIndex(exactKeys, exactRules);
        this.wildcardHosts = new HostIndex(wildcardKeys, wildcardRules);
        this.hasWildcards = !wildcardKeys.isEmpty();
        this.anyHost = anyRules == null ? null : new HostIndex(List.of(""), List.of(anyRules));
        this.anyHostSlot = anyHost == null ? -1 : anyHost.find("", 0, 0);
    }

    private RouteTable(List<VirtualHost> hosts, Route defaultRoute, HostIndex exactHosts, HostIndex wildcardHosts,
                       boolean hasWildcards, HostIndex anyHost, int anyHostSlot) {
        this.hosts = hosts;
        this.defaultRoute = defaultRoute;
        this.exactHosts = exactHosts;
        this.wildcardHosts = wildcardHosts;
        this.hasWildcards = hasWildcards;
        this.anyHost = anyHost;
        this.anyHostSlot = anyHostSlot;
    }

    public static Builder builder() {
        return new Builder(null);
    }

    /**
     * A table of {@code hosts}, which are this table's but for the {@code changed} ones (host to its new routes, or
     * to none when gone): the host indexes are patched rather than built again, unless a patch says a fresh build is
     * due ({@link HostIndex#withHosts}).
     */
    private RouteTable patched(List<VirtualHost> hosts, Map<String, List<Route>> changed, Route defaultRoute) {
        Map<String, List<Route>> exact = new HashMap<>();
        Map<String, List<Route>> wildcard = new HashMap<>();
        List<Route> any = null;
        for (Map.Entry<String, List<Route>> e : changed.entrySet()) {
            String host = e.getKey();
            if (host.isEmpty()) {
                any = e.getValue();
            } else if (host.startsWith("*.")) {
                wildcard.put(host.substring(1), e.getValue());
            } else {
                exact.put(host, e.getValue());
            }
        }
        HostIndex exactIndex = exact.isEmpty() ? exactHosts : exactHosts.withHosts(exact);
        HostIndex wildcardIndex = wildcard.isEmpty() ? wildcardHosts : wildcardHosts.withHosts(wildcard);
        if (exactIndex == null || wildcardIndex == null) {
            return new RouteTable(hosts, defaultRoute);
        }
        HostIndex anyIndex = anyHost;
        int anySlot = anyHostSlot;
        if (any != null) {
            anyIndex = any.isEmpty() ? null : new HostIndex(List.of(""), List.of(any));
            anySlot = anyIndex == null ? -1 : anyIndex.find("", 0, 0);
        }
        return new RouteTable(List.copyOf(hosts), defaultRoute, exactIndex,
                wildcardIndex, wildcardIndex.size() > 0, anyIndex, anySlot);
    }

    /**
     * A builder that expects a table much like {@code previous} (the one in force): hosts whose routes come out the
     * same keep their {@link VirtualHost} object, and the hosts are sorted starting from the previous order, which
     * makes a rebuild after a small change cost little more than a pass over the hosts.
     */
    public static Builder builder(RouteTable previous) {
        return new Builder(previous);
    }

    /**
     * The route for a request. Never null: no match gives {@link #defaultRoute()}.
     *
     * @param hostHeader the Host header as received (any case, optional port, optional trailing dot), or null
     * @param uri the normalized request target, starting with {@code /}; the query may follow at {@code pathEnd}
     * @param pathEnd where the path ends in {@code uri} (the index of {@code ?}, or {@code uri.length()})
     */
    public Route match(CharSequence hostHeader, String uri, int pathEnd) {
        Route r = null;
        int found = hostHeader == null ? -1 : findHost(hostHeader);
        if (found >= 0) {
            r = (found & WILDCARD) != 0 ? wildcardHosts.match(found & ~WILDCARD, uri, pathEnd)
                    : exactHosts.match(found, uri, pathEnd);
        } else if (anyHost != null) {
            r = anyHost.match(anyHostSlot, uri, pathEnd);
        }
        return r != null ? r : defaultRoute;
    }

    /** Convenience for callers with a bare path (tests, tools): {@code match(host, path, path.length())}. */
    public Route match(CharSequence hostHeader, String path) {
        return match(hostHeader, path, path.length());
    }

    private static final int WILDCARD = 1 << 30;

    /** The exact host's slot, or the wildcard's slot marked {@link #WILDCARD}, or -1 for the host-less rules. */
    private int findHost(CharSequence host) {
        int length = host.length();
        if (length > 0 && host.charAt(0) == '[') { // IPv6 literal, maybe with a port: never a configured host
            return -1;
        }
        int end = length;
        int hash = 0;
        int hashBeforeLast = 0;
        for (int i = 0; i < length; i++) { // one pass: find the port and hash what comes before it
            char c = host.charAt(i);
            if (c == ':') {
                end = i;
                break;
            }
            hashBeforeLast = hash;
            hash = 31 * hash + HostIndex.toLower(c);
        }
        if (end > 0 && host.charAt(end - 1) == '.') { // a fully qualified name: example.com.
            end--;
            hash = hashBeforeLast;
        }
        int found = exactHosts.find(host, 0, end, hash);
        if (found >= 0 || !hasWildcards) {
            return found;
        }
        for (int i = 0; i < end; i++) {
            if (host.charAt(i) == '.') {
                found = i > 0 ? wildcardHosts.find(host, i, end) : -1;
                return found >= 0 ? found | WILDCARD : -1;
            }
        }
        return -1;
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
        return o instanceof RouteTable t && hosts.size() == t.hosts.size() // first: a host added or gone
                && hosts.equals(t.hosts) && defaultRoute.equals(t.defaultRoute);
    }

    @Override
    public int hashCode() {
        return Objects.hash(hosts, defaultRoute);
    }

    @Override
    public String toString() {
        return "RouteTable{hosts=" + hosts.size() + ", routes=" + routeCount() + ", default=" + defaultRoute + "}";
    }

    /** Collects routes; confined to one thread. */
    public static final class Builder {
        /** A host with more routes than this finds conflicts through a hash map rather than by a scan. */
        private static final int SCAN_LIMIT = 8;

        private final Map<String, HostRoutes> byHost = new HashMap<>();
        private final RouteTable previous;
        private Route defaultRoute = Route.NOT_FOUND;

        private Builder(RouteTable previous) {
            this.previous = previous;
        }

        /** One host's routes while building, in the order added. */
        private static final class HostRoutes {
            final List<PathMatcher> matchers = new ArrayList<>(2);
            VirtualHost previous; // this host in the previous table, if it had it
            Map<String, PathMatcher> byPath; // for hosts with many routes: matchPath -> Exact or prefix holders

            PathMatcher conflict(PathMatcher m) {
                if (byPath == null) {
                    for (PathMatcher other : matchers) {
                        if (m.conflictsWith(other)) {
                            return other;
                        }
                    }
                    if (matchers.size() < SCAN_LIMIT) {
                        return null;
                    }
                    byPath = new HashMap<>();
                    for (PathMatcher other : matchers) {
                        byPath.put(key(other), other);
                    }
                }
                return byPath.get(key(m));
            }

            void add(PathMatcher m) {
                matchers.add(m);
                if (byPath != null) {
                    byPath.put(key(m), m);
                }
            }

            private static String key(PathMatcher m) {
                return (m.regex ? "R:" : m.exact ? "E:" : "P:") + m.matchPath;
            }
        }

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
            HostRoutes host = byHost.computeIfAbsent(route.host(), h -> new HostRoutes());
            PathMatcher existing = host.conflict(matcher);
            if (existing != null) {
                return existing.route;
            }
            host.add(matcher);
            return null;
        }

        /** Whether a route was added for {@code host}. */
        public boolean hasHost(String host) {
            return byHost.containsKey(host);
        }

        /** The routes added for {@code host} so far, in the order added. */
        public List<Route> routesOf(String host) {
            HostRoutes h = byHost.get(host);
            if (h == null) {
                return List.of();
            }
            List<Route> out = new ArrayList<>(h.matchers.size());
            for (PathMatcher m : h.matchers) {
                out.add(m.route);
            }
            return out;
        }

        /** Sets where unmatched requests go; {@link Route#NOT_FOUND} unless set. */
        public Builder defaultRoute(Route route) {
            this.defaultRoute = requireNonNull(route, "route");
            return this;
        }

        public RouteTable build() {
            // The previous table's hosts first, in their (sorted) order, then new ones: nearly sorted input, which
            // the sort below (a merge sort that finds runs) handles in about one pass.
            List<String> names = new ArrayList<>(byHost.size());
            if (previous != null) {
                for (VirtualHost vh : previous.hosts) {
                    HostRoutes h = byHost.get(vh.host());
                    if (h != null) {
                        names.add(vh.host());
                        h.previous = vh;
                    }
                }
            }
            if (names.size() < byHost.size()) {
                for (Map.Entry<String, HostRoutes> e : byHost.entrySet()) {
                    if (e.getValue().previous == null) {
                        names.add(e.getKey());
                    }
                }
            }
            names.sort(null);
            List<VirtualHost> hosts = new ArrayList<>(names.size());
            for (String name : names) {
                HostRoutes h = byHost.get(name);
                List<PathMatcher> matchers = h.matchers;
                if (matchers.size() > 1) {
                    matchers.sort(PathMatcher.PRECEDENCE);
                }
                hosts.add(h.previous != null && sameRoutes(h.previous.routes(), matchers) ? h.previous
                        : new VirtualHost(name, routes(matchers)));
            }
            return new RouteTable(hosts, defaultRoute);
        }

        /**
         * The previous table (the one given to {@link RouteTable#builder(RouteTable)}) with the routes of
         * {@code hosts} replaced by those added to this builder, which must all be of these hosts: a host with none
         * is dropped, a new one takes its place in order, and every other host keeps its object. For a change that
         * touches few hosts; costs a copy of the host list rather than a pass over every host's routes.
         *
         * @throws IllegalStateException when the builder has no previous table
         * @throws IllegalArgumentException when a route was added for a host not in {@code hosts}
         */
        public RouteTable buildReplacing(Set<String> hosts) {
            if (previous == null) {
                throw new IllegalStateException("buildReplacing needs the builder of a previous table");
            }
            for (String host : byHost.keySet()) {
                if (!hosts.contains(host)) {
                    throw new IllegalArgumentException("route for host '" + host + "', which is not replaced");
                }
            }
            List<String> names = new ArrayList<>(hosts);
            names.sort(null);
            List<VirtualHost> before = previous.hosts;
            List<VirtualHost> after = new ArrayList<>(before.size() + names.size());
            Map<String, List<Route>> changed = new HashMap<>(); // host -> its new routes, none when it is gone
            int from = 0; // the previous hosts before this index are copied
            for (String name : names) {
                int at = indexOf(before, name, from);
                int insertAt = at >= 0 ? at : -at - 1;
                after.addAll(before.subList(from, insertAt));
                VirtualHost old = at >= 0 ? before.get(at) : null;
                from = at >= 0 ? at + 1 : insertAt;
                HostRoutes h = byHost.get(name);
                if (h == null) {
                    if (old != null) {
                        changed.put(name, List.of());
                    }
                    continue;
                }
                if (h.matchers.size() > 1) {
                    h.matchers.sort(PathMatcher.PRECEDENCE);
                }
                if (old != null && sameRoutes(old.routes(), h.matchers)) {
                    after.add(old);
                } else {
                    VirtualHost vh = new VirtualHost(name, routes(h.matchers));
                    after.add(vh);
                    changed.put(name, vh.routes());
                }
            }
            after.addAll(before.subList(from, before.size()));
            return previous.patched(after, changed, defaultRoute);
        }

        /** Binary search of a host by name in {@code hosts[from..]}, as {@link java.util.Collections#binarySearch}. */
        private static int indexOf(List<VirtualHost> hosts, String name, int from) {
            int low = from;
            int high = hosts.size() - 1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                int cmp = hosts.get(mid).host().compareTo(name);
                if (cmp < 0) {
                    low = mid + 1;
                } else if (cmp > 0) {
                    high = mid - 1;
                } else {
                    return mid;
                }
            }
            return -(low + 1);
        }

        private static boolean sameRoutes(List<Route> routes, List<PathMatcher> matchers) {
            if (routes.size() != matchers.size()) {
                return false;
            }
            for (int i = 0; i < routes.size(); i++) {
                if (routes.get(i) != matchers.get(i).route) {
                    return false;
                }
            }
            return true;
        }

        private static List<Route> routes(List<PathMatcher> matchers) {
            Route[] routes = new Route[matchers.size()];
            for (int i = 0; i < routes.length; i++) {
                routes[i] = matchers.get(i).route;
            }
            return List.of(routes);
        }
    }
}
