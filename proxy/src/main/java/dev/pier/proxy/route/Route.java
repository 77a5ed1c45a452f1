package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * One Ingress path: requests for {@link #host()} whose path matches {@link #path()} under {@link #pathType()} go to
 * {@link #backend()}.
 *
 * @param host the rule's host in lower case: exact ({@code foo.example.com}), a one-label wildcard
 *     ({@code *.example.com}), or empty for a rule without host
 * @param path the path as the Ingress wrote it (starts with {@code /})
 * @param pathType how {@link #path()} matches
 * @param backend where matching requests go; null only for the built-in default backend, which answers 404
 * @param source the Ingress the route came from; null for routes that come from Pier's own configuration
 * @param sslRedirect plain-HTTP requests get a 308 to the same URL on https
 * @param hsts responses over HTTPS carry Strict-Transport-Security (the host has a certificate of its own)
 * @param policy what the route does beside routing (body limit, redirect, access lists, upstream Host...)
 * @param regex the path as a regular expression, on a host where an Ingress sets {@code use-regex} or
 *     {@code rewrite-target} (ingress-nginx makes every non-Exact path of such a host one), which a non-Exact
 *     route matches by and a {@code rewrite-target} takes its groups from; null to match {@link #path()} by
 *     {@link #pathType()}
 */
public record Route(String host, String path, PathType pathType, Backend backend, Source source,
                    boolean sslRedirect, boolean hsts, Policy policy, PathRegex regex) {
    /** The longest rule path a table holds (a rule header's 14 bits); no request line Pier accepts is longer. */
    public static final int MAX_PATH_LENGTH = Character.MAX_VALUE >> 2;

    /** {@link Policy#maxBodyBytes} for no limit. */
    public static final long NO_LIMIT = -1;

    public Route {
        requireNonNull(host, "host");
        requireNonNull(path, "path");
        requireNonNull(pathType, "pathType");
        requireNonNull(policy, "policy");
        if (regex != null && !regex.source().equals(path)) {
            throw new IllegalArgumentException("a route's regular expression is its path: " + regex + " for " + path);
        }
    }

    /** A route matched by {@link #pathType()}. */
    public Route(String host, String path, PathType pathType, Backend backend, Source source,
                 boolean sslRedirect, boolean hsts, Policy policy) {
        this(host, path, pathType, backend, source, sslRedirect, hsts, policy, null);
    }

    /** A route with no policy. */
    public Route(String host, String path, PathType pathType, Backend backend, Source source,
                 boolean sslRedirect, boolean hsts) {
        this(host, path, pathType, backend, source, sslRedirect, hsts, Policy.NONE);
    }

    /** A route with no HTTPS behaviour (no redirect, no HSTS) and no policy. */
    public Route(String host, String path, PathType pathType, Backend backend, Source source) {
        this(host, path, pathType, backend, source, false, false, Policy.NONE);
    }

    /** The built-in default backend: no Service behind it, Pier answers 404 itself. */
    public static final Route NOT_FOUND = new Route("", "/", PathType.PREFIX, null, null);

    /** A default backend that forwards unmatched requests to a Service. */
    public static Route defaultBackend(Backend backend, Source source) {
        return defaultBackend(backend, source, Policy.NONE);
    }

    /** A default backend that forwards unmatched requests to a Service, under {@code policy}. */
    public static Route defaultBackend(Backend backend, Source source, Policy policy) {
        return new Route("", "/", PathType.PREFIX, requireNonNull(backend, "backend"), source, false, false, policy);
    }

    /** True for the built-in default backend, which Pier answers itself with a 404. */
    public boolean isBuiltInNotFound() {
        return backend == null;
    }
}
