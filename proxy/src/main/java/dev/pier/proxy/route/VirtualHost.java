package dev.pier.proxy.route;

import java.util.List;

/**
 * All routes of one host, merged across Ingresses, in precedence order. Immutable.
 *
 * @param host the host in lower case: exact, {@code *.suffix}, or empty for the rules without host
 * @param routes in match order: longest path first, Exact before Prefix at equal length
 */
public record VirtualHost(String host, List<Route> routes) {
    public VirtualHost {
        routes = List.copyOf(routes);
    }
}
