package dev.pier.proxy.route;

import java.util.Comparator;

/**
 * A {@link Route} with the path it matches on: as written for Exact, without trailing slashes for the prefix types.
 * Used to order and de-duplicate a host's routes; {@link HostIndex} does the matching. Immutable.
 */
final class PathMatcher {
    /**
     * Precedence: the longest rule path first; at equal length Exact before Prefix; then by path and type so the order
     * is total and tables built from equal inputs are equal.
     */
    static final Comparator<PathMatcher> PRECEDENCE = Comparator
            .comparingInt((PathMatcher m) -> m.matchPath.length()).reversed()
            .thenComparing(m -> !m.exact)
            .thenComparing(m -> m.route.path())
            .thenComparing(m -> m.route.pathType());

    final Route route;
    final String matchPath;
    final boolean exact;

    PathMatcher(Route route) {
        this.route = route;
        this.exact = route.pathType().isExact();
        this.matchPath = exact ? route.path() : stripTrailingSlashes(route.path());
    }

    /** The key two routes of one host conflict on: same type semantics and same effective path. */
    String conflictKey() {
        return (exact ? "E:" : "P:") + matchPath;
    }

    static String stripTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }
}
