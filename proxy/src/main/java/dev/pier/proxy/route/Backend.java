package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.Objects;

/**
 * Where a route sends its requests: a Service port, as a stable reference. Its endpoints are not here: they live in
 * the {@link EndpointTable}, published on its own, so an endpoint change never touches a route.
 *
 * <p>A value (equal when every component is equal) and a key the proxy looks up on every request: the hash is computed
 * once, and equality checks identity first (the translation hands the same object to the route and the table), so a
 * lookup reads this object and one slot of the table, not the strings.
 */
public final class Backend {
    private final String namespace;
    private final String service;
    private final String port;
    private final boolean clusterIp;
    private final String refusal;
    private final int hash;

    /**
     * @param namespace the Service's namespace
     * @param service the Service's name
     * @param port the Service port as the Ingress wrote it: a number or a port name
     * @param clusterIp reached through the Service's cluster IP ({@code service-upstream}) rather than its endpoints
     * @param refusal why this backend is never served (503), whatever the cluster holds: an unsupported backend kind,
     *     an access guard Pier cannot enforce; null for a backend served by its endpoints. Such a backend has no
     *     entry in the endpoint table.
     */
    public Backend(String namespace, String service, String port, boolean clusterIp, String refusal) {
        this.namespace = requireNonNull(namespace, "namespace");
        this.service = requireNonNull(service, "service");
        this.port = requireNonNull(port, "port");
        this.clusterIp = clusterIp;
        this.refusal = refusal;
        int h = (namespace.hashCode() * 31 + service.hashCode()) * 31 + port.hashCode();
        this.hash = (h * 31 + Boolean.hashCode(clusterIp)) * 31 + Objects.hashCode(refusal);
    }

    /** A Service port served by its ready endpoints. */
    public Backend(String namespace, String service, String port) {
        this(namespace, service, port, false, null);
    }

    /** A backend that always answers 503, for {@code why}. */
    public static Backend refused(String namespace, String service, String port, String why) {
        return new Backend(namespace, service, port, false, requireNonNull(why, "why"));
    }

    public String namespace() {
        return namespace;
    }

    public String service() {
        return service;
    }

    public String port() {
        return port;
    }

    public boolean clusterIp() {
        return clusterIp;
    }

    public String refusal() {
        return refusal;
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof Backend b && hash == b.hash && clusterIp == b.clusterIp
                && namespace.equals(b.namespace) && service.equals(b.service) && port.equals(b.port)
                && Objects.equals(refusal, b.refusal));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port;
    }
}
