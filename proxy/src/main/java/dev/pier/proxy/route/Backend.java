package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * Where a route sends its requests: a Service port, as a stable reference. Its endpoints are not here: they live in
 * the {@link EndpointTable}, published on its own, so an endpoint change never touches a route.
 *
 * @param namespace the Service's namespace
 * @param service the Service's name
 * @param port the Service port as the Ingress wrote it: a number or a port name
 * @param clusterIp reached through the Service's cluster IP ({@code service-upstream}) rather than its endpoints
 * @param refusal why this backend is never served (503), whatever the cluster holds: an unsupported backend kind, an
 *     access guard Pier cannot enforce; null for a backend served by its endpoints. Such a backend has no entry in
 *     the endpoint table.
 */
public record Backend(String namespace, String service, String port, boolean clusterIp, String refusal) {
    public Backend {
        requireNonNull(namespace, "namespace");
        requireNonNull(service, "service");
        requireNonNull(port, "port");
    }

    /** A Service port served by its ready endpoints. */
    public Backend(String namespace, String service, String port) {
        this(namespace, service, port, false, null);
    }

    /** A backend that always answers 503, for {@code why}. */
    public static Backend refused(String namespace, String service, String port, String why) {
        return new Backend(namespace, service, port, false, requireNonNull(why, "why"));
    }

    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port;
    }
}
