package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * A route that answers every request with a redirect instead of proxying it ({@code permanent-redirect},
 * {@code temporal-redirect}, and the other host of {@code from-to-www-redirect}).
 *
 * @param location the absolute URL of the {@code Location} header, as written; or, with {@code toHost}, a host
 * @param code the status, 300 to 308
 * @param toHost the request's own scheme and URI go with {@code location} as their host
 *     ({@code $scheme://location$request_uri})
 */
public record Redirect(String location, int code, boolean toHost) {
    public Redirect {
        requireNonNull(location, "location");
        if (code < 300 || code > 308) {
            throw new IllegalArgumentException("a redirect status is 300 to 308, not " + code);
        }
    }

    /** A redirect to {@code location}, whatever the request. */
    public Redirect(String location, int code) {
        this(location, code, false);
    }

    /** The {@code Location} for a request with {@code scheme} and {@code uri} (path and query). */
    public String locationFor(String scheme, String uri) {
        return toHost ? scheme + "://" + location + uri : location;
    }
}
