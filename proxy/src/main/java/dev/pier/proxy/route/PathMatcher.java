package dev.pier.proxy.route;

import java.util.Comparator;

/**
 * A {@link Route} compiled for matching. Immutable.
 *
 * <p>For prefix types the rule path is stored without trailing slashes ({@code /foo/} becomes {@code /foo}, {@code /}
 * becomes the empty string), so a match is one region comparison plus a check that the request path ends or continues
 * with {@code /} right after it: element-wise matching without splitting either path.
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
    private final String matchPath;
    private final boolean exact;

    PathMatcher(Route route) {
        this.route = route;
        this.exact = route.pathType().isExact();
        this.matchPath = exact ? route.path() : stripTrailingSlashes(route.path());
    }

    /** The key two routes of one host conflict on: same type semantics and same effective path. */
    String conflictKey() {
        return (exact ? "E:" : "P:") + matchPath;
    }

    /**
     * Whether the path {@code uri[0, pathEnd)} matches. {@code uri} must be a normalized origin-form request target
     * (it starts with {@code /}); anything from {@code pathEnd} on (the query) is ignored.
     */
    boolean matches(String uri, int pathEnd) {
        int len = matchPath.length();
        if (exact) {
            return pathEnd == len && uri.startsWith(matchPath);
        }
        return pathEnd >= len
                && uri.startsWith(matchPath)
                && (pathEnd == len || uri.charAt(len) == '/');
    }

    static String stripTrailingSlashes(String path) {
        int end = path.length();
        while (end > 0 && path.charAt(end - 1) == '/') {
            end--;
        }
        return path.substring(0, end);
    }
}
