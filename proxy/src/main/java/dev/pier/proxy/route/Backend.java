package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A Service port resolved to its ready endpoints. An empty endpoint list means the route exists but cannot be served
 * (503); {@link #problem()} then says why, for humans reading {@code /routes}.
 *
 * @param namespace the Service's namespace
 * @param service the Service's name
 * @param port the Service port as the Ingress wrote it: a number or a port name
 * @param endpoints ready endpoints in a deterministic order (sorted); never null
 * @param problem why there are no endpoints, or null when the backend is healthy
 */
public record Backend(String namespace, String service, String port, List<Endpoint> endpoints, String problem) {
    public Backend {
        requireNonNull(namespace, "namespace");
        requireNonNull(service, "service");
        requireNonNull(port, "port");
        endpoints = List.copyOf(endpoints);
    }

    /** True when there is at least one endpoint to send traffic to. */
    public boolean available() {
        return !endpoints.isEmpty();
    }

    @Override
    public String toString() {
        return namespace + "/" + service + ":" + port;
    }
}
