package dev.pier.bench;

import com.sun.net.httpserver.HttpServer;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.cluster.ClusterSource;
import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.TranslatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster mode end to end, in one JVM on loopback: fabric8's mock API server (CRUD mode) holding {@code apps} apps
 * (Ingress + Service + EndpointSlice each) and {@code secrets} TLS Secrets, Pier's informers and proxy, and two
 * upstreams. Measures:
 *
 * <ol>
 *   <li>heap after a full GC before Pier starts and after its caches and table are built (the difference is Pier's);</li>
 *   <li>propagation, {@code reps} times each: from the API write of a new Ingress to the proxy answering 200 for its
 *       host, and from an EndpointSlice update to the proxy sending traffic to the new endpoint; with the stages on
 *       the way: the API write returned, the rebuild started (the watch event arrived), the new table published, and
 *       how long the rebuild took.</li>
 * </ol>
 *
 * <p>Usage: {@code java -cp bench/target/benchmarks.jar dev.pier.bench.ClusterBench [apps] [secrets] [reps]}. Every
 * loop is bounded by its count and a per-wait timeout; nothing leaves loopback.
 */
public final class ClusterBench {
    private static final Duration WAIT_LIMIT = Duration.ofSeconds(10);

    public static void main(String[] args) throws Exception {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host"); // before the JDK client loads
        int apps = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int secrets = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 200;

        HttpServer one = upstream("one");
        HttpServer two = upstream("two");
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        try (KubernetesClient client = api.createClient(); HttpClient http = HttpClient.newHttpClient()) {
            long t0 = System.nanoTime();
            List<HasMetadata> objects = new ArrayList<>(ClusterFixtures.apps(apps, one.getAddress().getPort()));
            for (int i = 0; i < secrets; i++) {
                objects.add(ClusterFixtures.tlsSecret("team-" + (i % 50), "tls-" + i));
            }
            createAll(client, objects);
            System.out.printf("loaded %d apps and %d TLS Secrets into the mock API server in %d ms%n", apps, secrets,
                    (System.nanoTime() - t0) / 1_000_000);
            objects = null;
            long before = usedHeapAfterGc();

            ActiveRoutes routes = new ActiveRoutes();
            ConfigApplier applier = new ConfigApplier(routes, TranslatorConfig.defaults());
            long t1 = System.nanoTime();
            AtomicLong rebuildStart = new AtomicLong(); // when the last rebuild began: the event has arrived
            AtomicLong rebuildNanos = new AtomicLong(); // and how long it took, publication included
            dev.pier.watcher.source.ConfigSink timed = state -> {
                long begin = System.nanoTime();
                rebuildStart.set(begin);
                Translation t = applier.apply(state);
                rebuildNanos.set(System.nanoTime() - begin);
                return t;
            };
            try (ClusterSource source = new ClusterSource(client, List.of(), timed, Duration.ofMillis(10),
                    Duration.ofMillis(100));
                 ProxyServer proxy = ProxyServer.start(ProxyConfig.defaults().withPorts(0, 0, 0).withIoThreads(1),
                         routes)) {
                source.start(Duration.ofMinutes(5));
                System.out.printf("informers synced and first table built in %d ms (%d routes)%n",
                        (System.nanoTime() - t1) / 1_000_000, routes.table().routeCount());
                long after = usedHeapAfterGc();
                System.out.printf("heap after full GC: %d MiB before Pier, %d MiB with Pier's caches and table: "
                        + "Pier's share %d MiB%n", before >> 20, after >> 20, (after - before) >> 20);

                URI uri = URI.create("http://127.0.0.1:" + proxy.httpPort() + "/");
                List<Long> ingressMs = new ArrayList<>();
                List<Long> writeMs = new ArrayList<>();
                List<Long> eventMs = new ArrayList<>();
                List<Long> rebuildMs = new ArrayList<>();
                List<Long> publishMs = new ArrayList<>();
                for (int i = 0; i < reps; i++) {
                    String host = "new-" + i + ".example.com";
                    long generation = routes.published().generation();
                    long start = System.nanoTime();
                    client.resource(ClusterFixtures.ingress("team-0", "new-" + i, host, "app-0")).create();
                    writeMs.add((System.nanoTime() - start) / 1_000);
                    awaitNewTable(routes, generation, start);
                    publishMs.add((System.nanoTime() - start) / 1_000);
                    eventMs.add((rebuildStart.get() - start) / 1_000);
                    rebuildMs.add(rebuildNanos.get() / 1_000);
                    waitFor(http, uri, host, "one");
                    ingressMs.add((System.nanoTime() - start) / 1_000);
                }
                report("  API write returned", writeMs);
                report("  rebuild started (event in)", eventMs);
                report("  rebuild took", rebuildMs);
                report("  new table published", publishMs);
                report("new Ingress -> served", ingressMs);

                List<Long> endpointMs = new ArrayList<>();
                List<Long> sliceWriteMs = new ArrayList<>();
                List<Long> sliceEventMs = new ArrayList<>();
                List<Long> sliceRebuildMs = new ArrayList<>();
                List<Long> slicePublishMs = new ArrayList<>();
                // One PUT per update, carrying the resourceVersion as the EndpointSlice controller does (without it
                // the client reads the object first: two requests).
                String version = client.discovery().v1().endpointSlices().inNamespace("team-0").withName("app-0-x")
                        .get().getMetadata().getResourceVersion();
                for (int i = 0; i < reps; i++) {
                    HttpServer target = i % 2 == 0 ? two : one;
                    HasMetadata slice = ClusterFixtures.slice("team-0", "app-0", target.getAddress().getPort());
                    slice.getMetadata().setResourceVersion(version);
                    EndpointTable endpoints = routes.endpoints();
                    long start = System.nanoTime();
                    version = client.resource(slice).update().getMetadata().getResourceVersion();
                    sliceWriteMs.add((System.nanoTime() - start) / 1_000);
                    awaitNewEndpoints(routes, endpoints, start);
                    slicePublishMs.add((System.nanoTime() - start) / 1_000);
                    sliceEventMs.add((rebuildStart.get() - start) / 1_000);
                    sliceRebuildMs.add(rebuildNanos.get() / 1_000);
                    waitFor(http, uri, "app-0.example.com", i % 2 == 0 ? "two" : "one");
                    endpointMs.add((System.nanoTime() - start) / 1_000);
                }
                report("  API write returned", sliceWriteMs);
                report("  rebuild started (event in)", sliceEventMs);
                report("  rebuild took", sliceRebuildMs);
                report("  new endpoints published", slicePublishMs);
                report("EndpointSlice update -> new endpoint", endpointMs);
                long end = usedHeapAfterGc();
                System.out.printf("heap after full GC after the runs: %d MiB, Pier's share %d MiB%n", end >> 20,
                        (end - before) >> 20);
            }
        } finally {
            api.destroy();
            one.stop(0);
            two.stop(0);
        }
    }

    private static HttpServer upstream(String name) throws Exception {
        HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        byte[] body = name.getBytes();
        s.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        s.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "upstream-" + name);
            t.setDaemon(true);
            return t;
        }));
        s.start();
        return s;
    }

    private static void createAll(KubernetesClient client, List<HasMetadata> objects) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (HasMetadata o : objects) {
                done.add(pool.submit(() -> client.resource(o).create()));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Waits, parked in 200 µs steps, for a table newer than {@code generation}: polling the proxy over HTTP in a tight
     * loop would take the 2 cores the rebuild needs. The caller then confirms over HTTP that the proxy serves it.
     */
    private static void awaitNewTable(ActiveRoutes routes, long generation, long start) {
        while (routes.published().generation() == generation && System.nanoTime() - start < WAIT_LIMIT.toNanos()) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /** As {@link #awaitNewTable}, for an endpoint table other than {@code before} (the routes stay as they are). */
    private static void awaitNewEndpoints(ActiveRoutes routes, EndpointTable before, long start) {
        while (routes.endpoints() == before && System.nanoTime() - start < WAIT_LIMIT.toNanos()) {
            java.util.concurrent.locks.LockSupport.parkNanos(200_000);
        }
    }

    /** Polls the proxy until {@code host} is answered by upstream {@code expected}; bounded by {@link #WAIT_LIMIT}. */
    private static void waitFor(HttpClient http, URI uri, String host, String expected) throws Exception {
        long deadline = System.nanoTime() + WAIT_LIMIT.toNanos();
        HttpRequest req = HttpRequest.newBuilder(uri).header("Host", host).build();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() == 200 && r.body().equals(expected)) {
                return;
            }
            Thread.sleep(0, 200_000);
        }
        throw new IllegalStateException(host + " not served by " + expected + " within " + WAIT_LIMIT);
    }

    private static void report(String what, List<Long> micros) {
        List<Long> sorted = new ArrayList<>(micros);
        Collections.sort(sorted);
        System.out.printf("%s, %d runs: median %.1f ms, p99 %.1f ms, max %.1f ms%n", what, sorted.size(),
                sorted.get(sorted.size() / 2) / 1000.0, sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1) / 1000.0,
                sorted.get(sorted.size() - 1) / 1000.0);
    }

    /**
     * Live heap: the heap pools' usage right after a full collection, as the collector reports it. (The heap's
     * current usage read after {@code System.gc()} includes regions G1 has not handed back yet and overstated the
     * live data by up to 50% against {@code jmap -histo:live}.)
     */
    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(200);
        }
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
                used += pool.getCollectionUsage().getUsed();
            }
        }
        return used;
    }
}
