package dev.pier.proxy.route;

import java.util.List;

/**
 * One host's routes compiled for matching, in precedence order, laid out flat: every rule path's characters in one
 * {@code char[]} and their offsets, lengths and types in one {@code int[]}, so a lookup touches three arrays instead of
 * an object graph per rule. Immutable.
 *
 * <p>Prefix rule paths are stored without trailing slashes ({@code /foo/} as {@code /foo}, {@code /} as empty), so an
 * element-wise match is: the request path is as long, the character right after is {@code /} (or the path ends there),
 * and the characters are equal. The two cheap checks come first.
 */
final class PathSet {
    private final char[] chars;
    private final int[] meta; // per rule: [offset, length << 1 | exact]
    private final Route[] routes;

    PathSet(List<PathMatcher> ordered) {
        int total = 0;
        for (PathMatcher m : ordered) {
            total += m.matchPath.length();
        }
        chars = new char[total];
        meta = new int[ordered.size() * 2];
        routes = new Route[ordered.size()];
        int at = 0;
        for (int i = 0; i < ordered.size(); i++) {
            PathMatcher m = ordered.get(i);
            String p = m.matchPath;
            p.getChars(0, p.length(), chars, at);
            meta[2 * i] = at;
            meta[2 * i + 1] = p.length() << 1 | (m.exact ? 1 : 0);
            routes[i] = m.route;
            at += p.length();
        }
    }

    /** The first route, in precedence order, whose path matches {@code uri[0, pathEnd)}; null when none does. */
    Route match(String uri, int pathEnd) {
        for (int i = 0; i < routes.length; i++) {
            int lenAndType = meta[2 * i + 1];
            int len = lenAndType >>> 1;
            if ((lenAndType & 1) != 0) {
                if (pathEnd != len) {
                    continue;
                }
            } else if (pathEnd < len || (pathEnd != len && uri.charAt(len) != '/')) {
                continue;
            }
            int offset = meta[2 * i];
            int j = 0;
            while (j < len && uri.charAt(j) == chars[offset + j]) {
                j++;
            }
            if (j == len) {
                return routes[i];
            }
        }
        return null;
    }
}
