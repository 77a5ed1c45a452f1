package dev.pier.proxy.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import dev.pier.proxy.route.VirtualHost;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Meters follow the published tables: resolved for new routes, kept across tables, registered at the first request,
 * removed with their last route.
 */
class ProxyMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ProxyMetrics metrics = new ProxyMetrics(registry, false);

    @Test
    void metersSurviveATableChangeAndGoWithTheirLastRoute() {
        RouteTable first = table(null, Map.of("a.com", "svc-a", "b.com", "svc-b"));
        metrics.prepare(first);
        Route a = first.match("a.com", "/");
        Route b = first.match("b.com", "/");
        assertThat(registry.find("pier.upstream.retries").counters()).as("nothing before the first request").isEmpty();
        RouteMeters bMeters = metrics.meters(b);
        bMeters.request(0, 200, 1_000, 0, 0);
        metrics.meters(a).request(0, 200, 1_000, 0, 0);

        // b.com gets a new route object for the same Ingress and Service: same meters, count kept
        RouteTable second = table(first, Map.of("a.com", "svc-a", "b.com", "svc-b"), "b.com");
        metrics.prepare(second);
        Route b2 = second.match("b.com", "/");
        assertThat(b2).isNotSameAs(b);
        assertThat(second.match("a.com", "/")).isSameAs(a);
        assertThat(metrics.meters(b2)).isSameAs(bMeters);
        assertThat(metrics.meters(b)).as("b left the table").isSameAs(metrics.noRoute());
        assertThat(registry.get("pier.requests").tag("service", "default/svc-b").counter().count()).isEqualTo(1);

        // b.com gone: its meters leave the registry, a.com's stay
        RouteTable third = table(second, Map.of("a.com", "svc-a"));
        metrics.prepare(third);
        assertThat(metrics.meters(b2)).isSameAs(metrics.noRoute());
        assertThat(registry.find("pier.requests").tag("service", "default/svc-b").counters()).isEmpty();
        assertThat(registry.find("pier.upstream.retries").tag("service", "default/svc-b").counters()).isEmpty();
        assertThat(registry.find("pier.upstream.retries").tag("service", "default/svc-a").counters()).hasSize(1);
        assertThat(metrics.meters(a)).isNotSameAs(metrics.noRoute());
    }

    @Test
    void afterAnySequenceOfTablesEveryRouteHasItsTargetsMetersAndNothingElseIsRegistered() {
        Random random = new Random(3);
        RouteTable table = null;
        for (int step = 0; step < 500; step++) {
            Map<String, String> hosts = new HashMap<>();
            for (int h = 0; h < 12; h++) {
                if (random.nextInt(3) > 0) {
                    hosts.put("h" + h + ".com", "svc-" + random.nextInt(4));
                }
            }
            String renewed = "h" + random.nextInt(12) + ".com";
            table = table(random.nextInt(10) == 0 ? null : table, hosts, renewed);
            metrics.prepare(table);

            Set<String> expected = new HashSet<>();
            for (VirtualHost vh : table.hosts()) {
                for (Route r : vh.routes()) {
                    RouteMeters m = metrics.meters(r);
                    m.request(0, 200, 1_000, 0, 0); // meters are registered at a target's first request
                    assertThat(m).isNotSameAs(metrics.noRoute());
                    assertThat(m.tags().stream().filter(t -> t.getKey().equals("service")).findFirst().orElseThrow()
                            .getValue()).isEqualTo("default/" + hosts.get(vh.host()));
                    expected.add("default/" + hosts.get(vh.host()));
                }
            }
            Set<String> registered = new HashSet<>();
            for (Meter m : registry.find("pier.upstream.retries").meters()) {
                registered.add(m.getId().getTag("service"));
            }
            registered.remove(""); // the no-route meters
            assertThat(registered).as("step %d", step).isEqualTo(expected);
        }
    }

    /**
     * A table with one route per host to its Service (Ingress named after the Service), built from {@code previous}
     * so unchanged hosts keep their objects; hosts in {@code renewed} get new route objects.
     */
    private static RouteTable table(RouteTable previous, Map<String, String> hosts, String... renewed) {
        RouteTable.Builder b = previous == null ? RouteTable.builder() : RouteTable.builder(previous);
        Set<String> fresh = Set.of(renewed);
        for (Map.Entry<String, String> e : hosts.entrySet()) {
            Route old = previous == null ? null : previous.match(e.getKey(), "/");
            boolean reuse = old != null && old.backend() != null && !fresh.contains(e.getKey())
                    && old.backend().service().equals(e.getValue());
            b.add(reuse ? old : new Route(e.getKey(), "/", PathType.PREFIX,
                    new Backend("default", e.getValue(), "80"),
                    new Source("default", e.getValue())));
        }
        return b.build();
    }
}
