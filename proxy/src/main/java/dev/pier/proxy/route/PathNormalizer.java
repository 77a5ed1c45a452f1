package dev.pier.proxy.route;

/**
 * Normalizes an origin-form request target before routing, so that what Pier matches is what the upstream receives:
 * percent-encoded unreserved characters are decoded ({@code %41} is {@code A}, {@code %2e} is {@code .}), other
 * percent-encodings get upper-case hex, runs of {@code /} collapse to one, and dot segments are removed (RFC 3986
 * 5.2.4). {@code /public/../admin} therefore routes, and is forwarded, as {@code /admin}. An encoded slash
 * ({@code %2F}) stays encoded and is not a path separator. The query is passed through byte for byte.
 *
 * <p>Stateless and allocation-free for targets that are already normal (the common case).
 */
public final class PathNormalizer {
    private PathNormalizer() {}

    /**
     * Returns the normalized target ({@code target} itself when nothing changes), or null when it cannot be served:
     * it does not start with {@code /}, has a fragment, a bad percent-encoding, or {@code ..} above the root.
     */
    public static String normalize(String target) {
        if (target.isEmpty() || target.charAt(0) != '/') {
            return null;
        }
        int pathEnd = target.indexOf('?');
        if (pathEnd < 0) {
            pathEnd = target.length();
        }
        if (target.indexOf('#') >= 0) {
            return null;
        }
        if (isNormal(target, pathEnd)) {
            return target;
        }
        String path = normalizePath(target.substring(0, pathEnd));
        if (path == null) {
            return null;
        }
        return pathEnd == target.length() ? path : path + target.substring(pathEnd);
    }

    private static boolean isNormal(String s, int end) {
        char prev = 0;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '%' || (prev == '/' && (c == '/' || c == '.'))) {
                return false;
            }
            prev = c;
        }
        return true;
    }

    private static String normalizePath(String path) {
        String decoded = decodeUnreserved(path);
        if (decoded == null) {
            return null;
        }
        return removeDotSegments(decoded);
    }

    private static String decodeUnreserved(String path) {
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 2 >= path.length()) {
                return null;
            }
            int hi = Character.digit(path.charAt(i + 1), 16);
            int lo = Character.digit(path.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                return null;
            }
            char decoded = (char) (hi << 4 | lo);
            if (isUnreserved(decoded)) {
                out.append(decoded);
            } else {
                out.append('%').append(Character.toUpperCase(path.charAt(i + 1)))
                        .append(Character.toUpperCase(path.charAt(i + 2)));
            }
            i += 2;
        }
        return out.toString();
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** Collapses empty segments and resolves {@code .} and {@code ..}; null when {@code ..} climbs above the root. */
    private static String removeDotSegments(String path) {
        String[] segments = path.split("/", -1); // segments[0] is "" (path starts with '/')
        String[] stack = new String[segments.length];
        int depth = 0;
        boolean trailingSlash = false;
        for (int i = 1; i < segments.length; i++) {
            String seg = segments[i];
            boolean last = i == segments.length - 1;
            switch (seg) {
                case "", "." -> trailingSlash = last;
                case ".." -> {
                    if (depth == 0) {
                        return null;
                    }
                    depth--;
                    trailingSlash = last;
                }
                default -> {
                    stack[depth++] = seg;
                    trailingSlash = false;
                }
            }
        }
        StringBuilder out = new StringBuilder(path.length());
        for (int i = 0; i < depth; i++) {
            out.append('/').append(stack[i]);
        }
        if (trailingSlash || depth == 0) {
            out.append('/');
        }
        return out.toString();
    }
}
