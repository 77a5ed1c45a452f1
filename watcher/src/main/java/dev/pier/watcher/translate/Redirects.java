package dev.pier.watcher.translate;

/**
 * An Ingress's HTTP-to-HTTPS redirect policy, from {@code ssl-redirect} and {@code force-ssl-redirect} (read by
 * {@link Annotations}); applied per route as {@code Route.sslRedirect}, a 308 to the same URL on https.
 *
 * @param ifTls redirect hosts that have a TLS section ({@code ssl-redirect}, default true)
 * @param force redirect every host of this Ingress ({@code force-ssl-redirect}, default false: TLS ends in front of
 *     Pier)
 */
record Redirects(boolean ifTls, boolean force) {
    static final Redirects DEFAULT = new Redirects(true, false);
}
