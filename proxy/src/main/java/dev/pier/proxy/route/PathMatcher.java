package dev.pier.proxy.route;

import java.util.Comparator;

/**
 * A {@link Route} with the path it matches on: as written for Exact and regular expressions, without trailing slashes
 * for the prefix types. Used to order and de-duplicate a host's routes; {@link HostIndex} does the matching.
 * Immutable.
 */
final class PathMatcher {
    /**
     * Precedence: the longest rule path first; at equal length Exact before Prefix; then by path and type so the order
     * is total and tables built from equal inputs are equal. Regular expressions come after every other rule, longest
     * first, as nginx tries its regex locations (in the order ingress-nginx writes them) after its exact ones.
     */
    static final Comparator<PathMatcher> PRECEDENCE = (a, b) -> {
        int c = Boolean.compare(a.regex, b.regex);
        if (c == 0) {
            c = Integer.compare(b.matchPath.length(), a.matchPath.length());
        }
        if (c == 0) {
            c = Boolean.compare(!a.exact, !b.exact);
        }
        if (c == 0) {
            c = a.route.path().compareTo(b.route.path());
        }
        return c != 0 ? c : a.route.pathType().compareTo(b.route.pathType());
    };

    final Route route;
    final String matchPath;
    final boolean exact;
    final boolean regex;

    PathMatcher(Route route) {
        this.route = route;
        this.exact = route.pathType().isExact();
        this.regex = isRegex(route);
        this.matchPath = regex ? route.path() : route.path().substring(0, matchLength(route));
    }

    /** True when the route matches by its regular expression (an Exact one keeps its exact match). */
    static boolean isRegex(Route route) {
        return route.regex() != null && !route.pathType().isExact();
    }

    /** True when this and {@code other} claim the same requests: same type semantics and same effective path. */
    boolean conflictsWith(PathMatcher other) {
        return exact == other.exact && regex == other.regex && matchPath.equals(other.matchPath);
    }

    /**
     * The length of the path a route matches on, as {@link HostIndex} stores it: without trailing slashes for the
     * prefix types; none for a regular expression, which the route itself matches.
     */
    static int matchLength(Route route) {
        if (isRegex(route)) {
            return 0;
        }
        String path = route.path();
        int end = path.length();
        if (!route.pathType().isExact()) {
            while (end > 0 && path.charAt(end - 1) == '/') {
                end--;
            }
        }
        return end;
    }
}
