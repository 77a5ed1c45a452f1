package dev.pier.bench;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.EndpointSet;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route lookup: one {@link RouteTable#match} per operation (and, in {@code matchAndEndpoints}, the route's endpoints
 * from the {@link EndpointTable}, as the proxy picks them) for a request drawn from a fixed set, over tables of
 * {@code hosts} hosts with 10 paths each (5 Prefix, 5 Exact, some nested). Host headers come with mixed case and a
 * port, as clients send them. Every lookup is checked, so a broken matcher cannot look fast.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RouteLookupBenchmark {
    private static final String[] PATHS = {"/", "/api", "/api/v1", "/static", "/images/large", "/login", "/logout",
        "/health", "/api/v2/items", "/docs"};

    @Param({"10", "1000", "10000"})
    int hosts;

    private RouteTable table;
    private EndpointTable endpoints;
    private String[] hostHeaders;
    private String[] uris;
    private int[] pathEnds;
    private String[] expectedPaths;
    private int next;

    @Setup
    public void setup() {
        RouteTable.Builder b = RouteTable.builder();
        Source source = new Source("default", "bench");
        Map<Backend, EndpointSet> entries = new HashMap<>();
        for (int h = 0; h < hosts; h++) {
            Backend backend = new Backend("default", "svc-" + h, "80"); // a Service per host
            entries.put(backend, EndpointSet.of(List.of(new Endpoint("10.0." + (h >> 8) + "." + (h & 255), 8080))));
            for (int p = 0; p < PATHS.length; p++) {
                PathType type = p % 2 == 0 ? PathType.PREFIX : PathType.EXACT;
                b.add(new Route("host-" + h + ".example.com", PATHS[p], type, backend, source));
            }
        }
        table = b.build();
        endpoints = EndpointTable.of(entries);
        int n = 4096;
        hostHeaders = new String[n];
        uris = new String[n];
        pathEnds = new int[n];
        expectedPaths = new String[n];
        SplittableRandom random = new SplittableRandom(7);
        String[] requests = {"/api/v1/users/42?page=2", "/login", "/static/app.js", "/docs", "/health",
            "/images/large", "/api/v2/items", "/other/page", "/", "/api"};
        String[] expected = {"/api/v1", "/login", "/", "/docs", "/health", "/images/large", "/api/v2/items", "/", "/",
            "/api"};
        for (int i = 0; i < n; i++) {
            int h = random.nextInt(hosts);
            int r = random.nextInt(requests.length);
            hostHeaders[i] = "Host-" + h + ".Example.com:8080";
            uris[i] = requests[r];
            int q = requests[r].indexOf('?');
            pathEnds[i] = q < 0 ? requests[r].length() : q;
            expectedPaths[i] = expected[r];
        }
        for (int i = 0; i < n; i++) {
            Route route = table.match(hostHeaders[i], uris[i], pathEnds[i]);
            String got = route.path();
            if (!got.equals(expectedPaths[i]) || !endpoints.get(route.backend()).available()) {
                throw new IllegalStateException(hostHeaders[i] + uris[i] + " matched " + got + ", expected "
                        + expectedPaths[i]);
            }
        }
    }

    @Benchmark
    public Route match() {
        int i = next++ & (hostHeaders.length - 1);
        return table.match(hostHeaders[i], uris[i], pathEnds[i]);
    }

    /** What the proxy does per request: the route, then its backend's endpoints from the table of their own. */
    @Benchmark
    public EndpointSet matchAndEndpoints() {
        int i = next++ & (hostHeaders.length - 1);
        return endpoints.get(table.match(hostHeaders[i], uris[i], pathEnds[i]).backend());
    }
}
