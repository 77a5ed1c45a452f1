package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;

/**
 * {@code enable-cors} and its {@code cors-*} keys, as ingress-nginx applies them: a request whose {@code Origin} is
 * allowed gets the CORS headers on its response, and a preflight ({@code OPTIONS}) from an allowed origin is answered
 * 204 by Pier without reaching the upstream. With the default origin {@code *}, every request gets
 * {@code Access-Control-Allow-Origin: *} and every {@code OPTIONS} request is a preflight. Immutable.
 *
 * @param anyOrigin {@code *} among the origins
 * @param origins allowed origins, lower case ({@code https://app.example.com}, {@code http://localhost:4200}), or
 *     single-level wildcards ({@code https://*.example.com}, which allows {@code https://a.example.com} only)
 * @param allowMethods {@code Access-Control-Allow-Methods}
 * @param allowHeaders {@code Access-Control-Allow-Headers}
 * @param exposeHeaders {@code Access-Control-Expose-Headers}; null for none
 * @param allowCredentials sends {@code Access-Control-Allow-Credentials: true}
 * @param maxAgeSeconds {@code Access-Control-Max-Age}
 */
public record Cors(boolean anyOrigin, List<String> origins, String allowMethods, String allowHeaders,
                   String exposeHeaders, boolean allowCredentials, long maxAgeSeconds) {
    public Cors {
        origins = List.copyOf(origins);
        requireNonNull(allowMethods, "allowMethods");
        requireNonNull(allowHeaders, "allowHeaders");
    }

    /**
     * What {@code Access-Control-Allow-Origin} says to a request from {@code origin}: {@code *} when any origin is
     * allowed, the origin itself when it is allowed, null when it is not (no CORS headers, no preflight answer).
     */
    public String allowedOrigin(String origin) {
        if (anyOrigin) {
            return "*";
        }
        if (origin == null) {
            return null;
        }
        String o = origin.toLowerCase(Locale.ROOT);
        for (String allowed : origins) {
            if (allowed.equals(o) || matchesWildcard(allowed, o)) {
                return origin;
            }
        }
        return null;
    }

    /** {@code scheme://*.rest} allows {@code scheme://label.rest}: one label of letters, digits and hyphens. */
    private static boolean matchesWildcard(String allowed, String origin) {
        int star = allowed.indexOf("://*.");
        if (star < 0) {
            return false;
        }
        String scheme = allowed.substring(0, star + 3);
        String rest = allowed.substring(star + 4); // ".example.com[:port]"
        if (!origin.startsWith(scheme) || !origin.endsWith(rest)) {
            return false;
        }
        int labelEnd = origin.length() - rest.length();
        if (labelEnd <= scheme.length()) {
            return false;
        }
        for (int i = scheme.length(); i < labelEnd; i++) {
            char c = origin.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
