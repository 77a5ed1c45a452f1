package dev.pier.proxy.route;

/**
 * What a route does beside routing, from its Ingress's annotations: each part parsed and validated once when the
 * Ingress is compiled, applied by a small step on the request path. Immutable; {@link #NONE} for none of it.
 *
 * @param maxBodyBytes {@code proxy-body-size}: larger request bodies get 413; {@link Route#NO_LIMIT} for none
 * @param redirect {@code permanent-redirect}, {@code temporal-redirect}: answered instead of proxied; null for none
 * @param access {@code allowlist-source-range}, {@code denylist-source-range}: who may use it; null for anyone
 * @param upstreamHost {@code upstream-vhost}: the Host the upstream receives; null to keep the client's
 * @param forwardedPrefix {@code x-forwarded-prefix}: sent as X-Forwarded-Prefix; null for none
 * @param appRoot {@code app-root}: a request for {@code /} is redirected here (302); null for none
 * @param rewriteTarget {@code rewrite-target}: the path the upstream receives, {@code $1}... from the route's
 *     {@linkplain Route#regex() expression}; null to keep the client's
 * @param upstreamTimeoutNanos {@code proxy-read-timeout} ({@code proxy-send-timeout} when only it is set): the longest
 *     the upstream may stay silent while a request is in flight, then 504; 0 for {@code --upstream-timeout}
 * @param cors {@code enable-cors} and {@code cors-*}: CORS headers and preflight answers; null for none
 * @param connectTimeoutMillis {@code proxy-connect-timeout}: to open a connection to an endpoint; 0 for
 *     {@code --connect-timeout}
 * @param locationRewrite {@code proxy-redirect-from}/{@code -to}: the upstream's Location as the client sees it;
 *     null to pass it as sent
 * @param upstreamTls {@code backend-protocol: HTTPS}: TLS to the endpoints; null for plain HTTP
 */
public record Policy(long maxBodyBytes, Redirect redirect, Access access, String upstreamHost,
                     String forwardedPrefix, String appRoot, String rewriteTarget, long upstreamTimeoutNanos,
                     Cors cors, int connectTimeoutMillis, LocationRewrite locationRewrite, UpstreamTls upstreamTls) {
    public static final Policy NONE = new Policy(Route.NO_LIMIT, null, null, null, null, null, null, 0, null, 0,
            null, null);

    /** This policy with another TLS to the upstream. */
    public Policy withUpstreamTls(UpstreamTls tls) {
        return java.util.Objects.equals(tls, upstreamTls) ? this
                : new Policy(maxBodyBytes, redirect, access, upstreamHost, forwardedPrefix, appRoot, rewriteTarget,
                        upstreamTimeoutNanos, cors, connectTimeoutMillis, locationRewrite, tls);
    }

    /** This policy with another body limit. */
    public Policy withMaxBodyBytes(long bytes) {
        return bytes == maxBodyBytes ? this
                : new Policy(bytes, redirect, access, upstreamHost, forwardedPrefix, appRoot, rewriteTarget,
                        upstreamTimeoutNanos, cors, connectTimeoutMillis, locationRewrite, upstreamTls);
    }
}
