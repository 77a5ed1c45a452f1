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
    public static final Policy NONE = builder().build();

    /** A policy to build, from {@link #NONE}'s values. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this policy's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxBodyBytes = maxBodyBytes;
        b.redirect = redirect;
        b.access = access;
        b.upstreamHost = upstreamHost;
        b.forwardedPrefix = forwardedPrefix;
        b.appRoot = appRoot;
        b.rewriteTarget = rewriteTarget;
        b.upstreamTimeoutNanos = upstreamTimeoutNanos;
        b.cors = cors;
        b.connectTimeoutMillis = connectTimeoutMillis;
        b.locationRewrite = locationRewrite;
        b.upstreamTls = upstreamTls;
        return b;
    }

    /** This policy with another TLS to the upstream. */
    public Policy withUpstreamTls(UpstreamTls tls) {
        return java.util.Objects.equals(tls, upstreamTls) ? this : toBuilder().upstreamTls(tls).build();
    }

    /** This policy with another body limit. */
    public Policy withMaxBodyBytes(long bytes) {
        return bytes == maxBodyBytes ? this : toBuilder().maxBodyBytes(bytes).build();
    }

    /**
     * Collects a policy's parts by name, so that adding a part touches this file alone. Each setter's parameter is
     * the component of the same name. Confined to one thread.
     */
    public static final class Builder {
        private long maxBodyBytes = Route.NO_LIMIT;
        private Redirect redirect;
        private Access access;
        private String upstreamHost;
        private String forwardedPrefix;
        private String appRoot;
        private String rewriteTarget;
        private long upstreamTimeoutNanos;
        private Cors cors;
        private int connectTimeoutMillis;
        private LocationRewrite locationRewrite;
        private UpstreamTls upstreamTls;

        private Builder() {}

        public Builder maxBodyBytes(long v) {
            maxBodyBytes = v;
            return this;
        }

        public Builder redirect(Redirect v) {
            redirect = v;
            return this;
        }

        public Builder access(Access v) {
            access = v;
            return this;
        }

        public Builder upstreamHost(String v) {
            upstreamHost = v;
            return this;
        }

        public Builder forwardedPrefix(String v) {
            forwardedPrefix = v;
            return this;
        }

        public Builder appRoot(String v) {
            appRoot = v;
            return this;
        }

        public Builder rewriteTarget(String v) {
            rewriteTarget = v;
            return this;
        }

        public Builder upstreamTimeoutNanos(long v) {
            upstreamTimeoutNanos = v;
            return this;
        }

        public Builder cors(Cors v) {
            cors = v;
            return this;
        }

        public Builder connectTimeoutMillis(int v) {
            connectTimeoutMillis = v;
            return this;
        }

        public Builder locationRewrite(LocationRewrite v) {
            locationRewrite = v;
            return this;
        }

        public Builder upstreamTls(UpstreamTls v) {
            upstreamTls = v;
            return this;
        }

        public Policy build() {
            return new Policy(maxBodyBytes, redirect, access, upstreamHost, forwardedPrefix, appRoot, rewriteTarget,
                    upstreamTimeoutNanos, cors, connectTimeoutMillis, locationRewrite, upstreamTls);
        }
    }
}
