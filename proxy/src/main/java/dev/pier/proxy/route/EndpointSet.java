package dev.pier.proxy.route;

import java.util.List;

/**
 * The ready endpoints of one {@link Backend}. An empty list means the backend cannot be served (503); {@link #problem}
 * then says why, for humans reading {@code /routes}.
 *
 * @param endpoints ready endpoints in a deterministic order (sorted); never null
 * @param problem why there are no endpoints, or null when there are
 */
public record EndpointSet(List<Endpoint> endpoints, String problem) {
    /** What a backend the endpoint table does not know has: nothing. */
    public static final EndpointSet UNKNOWN = new EndpointSet(List.of(), "not resolved");

    public EndpointSet {
        endpoints = List.copyOf(endpoints);
    }

    /** Ready endpoints. */
    public static EndpointSet of(List<Endpoint> endpoints) {
        return new EndpointSet(endpoints, null);
    }

    /** No endpoints, because of {@code problem}. */
    public static EndpointSet none(String problem) {
        return new EndpointSet(List.of(), problem);
    }

    /** True when there is at least one endpoint to send traffic to. */
    public boolean available() {
        return !endpoints.isEmpty();
    }
}
