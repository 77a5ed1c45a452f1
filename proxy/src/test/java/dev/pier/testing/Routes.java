package dev.pier.testing;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.EndpointSet;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import dev.pier.proxy.route.VirtualHost;
import dev.pier.tls.ServerCertificates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Small builders for routes in proxy tests. A test backend's port label lists its loopback ports ({@code 8081+8082}),
 * so the endpoint table of a route table follows from the routes alone ({@link #endpoints}).
 */
public final class Routes {
    private Routes() {}

    /** A backend whose endpoints are loopback ports; none for a backend with no ready endpoints. */
    public static Backend backend(String service, int... ports) {
        String label = ports.length == 0 ? "80" : String.join("+", Arrays.stream(ports).mapToObj(Integer::toString)
                .toList());
        return new Backend("default", service, label);
    }

    /** The endpoints of {@link #backend}s: the loopback ports their labels list. */
    public static EndpointTable endpoints(RouteTable table) {
        Map<Backend, EndpointSet> entries = new HashMap<>();
        List<Route> routes = new ArrayList<>();
        for (VirtualHost vh : table.hosts()) {
            routes.addAll(vh.routes());
        }
        routes.add(table.defaultRoute());
        for (Route r : routes) {
            Backend b = r.backend();
            if (b == null || b.refusal() != null) {
                continue;
            }
            List<Endpoint> eps = b.port().equals("80") ? List.of() : Arrays.stream(b.port().split("\\+"))
                    .map(p -> new Endpoint("127.0.0.1", Integer.parseInt(p))).toList();
            entries.put(b, eps.isEmpty() ? EndpointSet.none("no ready endpoints") : EndpointSet.of(eps));
        }
        return EndpointTable.of(entries);
    }

    /** Publishes {@code table} with its backends' endpoints ({@link #endpoints}). */
    public static boolean publish(ActiveRoutes active, RouteTable table) {
        return active.publish(table, ServerCertificates.NONE, endpoints(table));
    }

    /** Publishes {@code table} and {@code certificates} with the backends' endpoints ({@link #endpoints}). */
    public static boolean publish(ActiveRoutes active, RouteTable table, ServerCertificates certificates) {
        return active.publish(table, certificates, endpoints(table));
    }

    public static Route prefix(String host, String path, Backend backend) {
        return new Route(host, path, PathType.PREFIX, backend, new Source("default", "test"));
    }

    public static Route exact(String host, String path, Backend backend) {
        return new Route(host, path, PathType.EXACT, backend, new Source("default", "test"));
    }
}
