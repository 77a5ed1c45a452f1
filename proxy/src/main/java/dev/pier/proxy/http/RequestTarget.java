package dev.pier.proxy.http;

/**
 * A request target made ready for routing: origin-form ({@code /path?query}) or absolute-form
 * ({@code http://host/path?query}, whose authority then replaces the Host header), normalized by
 * {@link PathNormalizer}.
 *
 * @param authority the host of an absolute-form target; null for origin-form
 * @param uri the normalized path with the query as received
 * @param pathEnd where the path ends in {@link #uri} (the index of {@code ?}, or its length)
 */
public record RequestTarget(String authority, String uri, int pathEnd) {

    /** Parses and normalizes a raw request target; null when it cannot be served (400). */
    public static RequestTarget parse(String raw) {
        String authority = null;
        String target = raw;
        if (!raw.isEmpty() && raw.charAt(0) != '/') {
            int schemeEnd = raw.indexOf("://");
            String scheme = schemeEnd > 0 ? raw.substring(0, schemeEnd) : "";
            if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
                return null;
            }
            int start = schemeEnd + 3;
            int end = start;
            while (end < raw.length() && raw.charAt(end) != '/' && raw.charAt(end) != '?') {
                end++;
            }
            if (end == start) {
                return null;
            }
            authority = raw.substring(start, end);
            String rest = raw.substring(end);
            target = rest.startsWith("/") ? rest : "/" + rest;
        }
        String uri = PathNormalizer.normalize(target);
        if (uri == null) {
            return null;
        }
        int q = uri.indexOf('?');
        return new RequestTarget(authority, uri, q < 0 ? uri.length() : q);
    }
}
