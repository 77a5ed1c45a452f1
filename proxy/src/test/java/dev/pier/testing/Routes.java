package dev.pier.testing;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import java.util.Arrays;
import java.util.List;

/** Small builders for routes in proxy tests. */
public final class Routes {
    private Routes() {}

    /** A backend whose endpoints are loopback ports. */
    public static Backend backend(String service, int... ports) {
        List<Endpoint> eps = Arrays.stream(ports).mapToObj(p -> new Endpoint("127.0.0.1", p)).toList();
        return new Backend("default", service, "80", eps, eps.isEmpty() ? "no ready endpoints" : null);
    }

    public static Route prefix(String host, String path, Backend backend) {
        return new Route(host, path, PathType.PREFIX, backend, new Source("default", "test"));
    }

    public static Route exact(String host, String path, Backend backend) {
        return new Route(host, path, PathType.EXACT, backend, new Source("default", "test"));
    }
}
