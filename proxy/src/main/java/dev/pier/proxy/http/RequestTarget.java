package dev.pier.proxy.http;

import dev.pier.proxy.route.PathNormalizer;

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

    /**
     * Parses and normalizes a raw request target; null when it cannot be served (400): a control character, space or
     * DEL anywhere in it, a scheme other than http(s), an authority that is not a valid host (userinfo included), or
     * a path {@link PathNormalizer} refuses.
     */
    public static RequestTarget parse(String raw) {
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return null;
            }
        }
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
            if (!isValidHost(authority)) {
                return null; // userinfo ("user@host") among others: RFC 9112 3.2.2 has no place for it
            }
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

    /**
     * Whether {@code host} is a valid Host field value (RFC 9112 3.2, RFC 3986 3.2.2): an IP literal in brackets, or
     * a reg-name (letters, digits, {@code -._~}, percent-encodings and sub-delimiters), then optionally {@code :} and
     * up to five digits. No path, no userinfo, no whitespace. The empty value is valid (a request without authority).
     */
    public static boolean isValidHost(CharSequence host) {
        int n = host.length();
        int i = 0;
        if (n > 0 && host.charAt(0) == '[') {
            i = 1;
            while (i < n && host.charAt(i) != ']') {
                char c = host.charAt(i);
                if (Character.digit(c, 16) < 0 && c != ':' && c != '.') {
                    return false;
                }
                i++;
            }
            if (i == n || i == 1) {
                return false;
            }
            i++;
        } else {
            while (i < n && host.charAt(i) != ':') {
                char c = host.charAt(i);
                boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                        || "-._~%!$&'()*+,;=".indexOf(c) >= 0;
                if (!ok) {
                    return false;
                }
                i++;
            }
        }
        if (i == n) {
            return true;
        }
        if (host.charAt(i) != ':' || n - i - 1 > 5) {
            return false;
        }
        for (int j = i + 1; j < n; j++) {
            char c = host.charAt(j);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
