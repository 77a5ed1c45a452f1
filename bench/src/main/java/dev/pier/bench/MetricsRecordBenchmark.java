package dev.pier.bench;

import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.metrics.RouteMeters;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What recording one proxied request in the metrics costs on the event loop: find the route's meters, then count the
 * request and record its duration, bytes and upstream response time, into the Prometheus registry Pier runs with.
 * 1,000 routes; requests spread over them. Run with {@code -prof gc}: the goal is 0 bytes allocated per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class MetricsRecordBenchmark {
    private Route[] routes;
    private ProxyMetrics metrics;
    private int next;

    @Setup
    public void setUp() {
        RouteTable.Builder b = RouteTable.builder();
        routes = new Route[1000];
        for (int i = 0; i < routes.length; i++) {
            Backend backend = new Backend("ns" + (i % 10), "svc" + i, "80");
            routes[i] = new Route("h" + i + ".example.com", "/", PathType.PREFIX, backend,
                    new Source("ns" + (i % 10), "ing" + i));
            b.add(routes[i]);
        }
        ActiveRoutes active = new ActiveRoutes();
        active.publish(b.build(), EndpointTable.EMPTY);
        metrics = new ProxyMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), false);
        metrics.follow(active);
        // the table holds its own Route objects: look them up as the proxy does
        RouteTable table = active.table();
        for (int i = 0; i < routes.length; i++) {
            routes[i] = table.match("h" + i + ".example.com", "/");
        }
    }

    @Benchmark
    public RouteMeters recordRequest() {
        Route r = routes[next];
        next = next + 1 == routes.length ? 0 : next + 1;
        RouteMeters m = metrics.meters(r);
        m.upstreamResponse(850_000);
        m.request(0, 200, 1_250_000, 0, 183);
        return m;
    }
}
