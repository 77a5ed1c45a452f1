package dev.pier.watcher.cluster;

import dev.pier.watcher.source.ConfigSink;
import dev.pier.watcher.source.RebuildLoop;
import dev.pier.watcher.source.ValidityTimer;
import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.ServiceIndex;
import dev.pier.watcher.translate.Translation;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: fabric8 shared informers for Ingress, IngressClass, Service, EndpointSlice and Secret (of the TLS
 * and Opaque types), in all namespaces or the watched ones. Informer callbacks only bump the changed Service's
 * version in the {@link ServiceIndex} (for Services and EndpointSlices), decide whether a change can affect routing
 * and, if so, signal the {@link RebuildLoop}; the rebuild translates a snapshot of the informer caches, the same
 * translation as manifest mode, reading Services and their slices from the caches through the index.
 *
 * <p>Changes that cannot affect routing do not rebuild: resyncs (same resourceVersion), status-only Ingress updates
 * (same generation and annotations), Service status updates, and Services, EndpointSlices and Secrets that no taken
 * Ingress references.
 *
 * <p>When the API server is unreachable the informers keep retrying and the last table keeps serving; the outage is
 * logged once when it starts and once when every watch is back.
 */
public final class ClusterSource implements AutoCloseable {
    static final String TLS_SECRET_TYPE = "kubernetes.io/tls";
    /** The Secret types watched: TLS Secrets, and Opaque ones that proxy-ssl-secret may name. */
    static final List<String> SECRET_TYPES = List.of(TLS_SECRET_TYPE, "Opaque");
    private static final String BY_SERVICE = "pier.dev/service";
    private static final Logger log = LoggerFactory.getLogger(ClusterSource.class);

    private final KubernetesClient client;
    private final List<String> namespaces;
    private final ConfigSink apply;
    private final RebuildLoop loop;
    private final List<SharedIndexInformer<Ingress>> ingresses = new ArrayList<>();
    private final List<SharedIndexInformer<IngressClass>> ingressClasses = new ArrayList<>();
    private final List<SharedIndexInformer<Service>> services = new ArrayList<>();
    private final List<SharedIndexInformer<EndpointSlice>> slices = new ArrayList<>();
    private final List<SharedIndexInformer<Secret>> secrets = new ArrayList<>();
    private final List<SharedIndexInformer<?>> all = new ArrayList<>();
    private final AtomicBoolean apiDown = new AtomicBoolean();
    private final AtomicInteger outages = new AtomicInteger();
    private final ScheduledExecutorService health = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pier-api-health");
        t.setDaemon(true);
        return t;
    });
    private final ServiceIndex serviceIndex = new ServiceIndex(new InformerObjects());
    private volatile Set<String> referencedServices = Set.of();
    private volatile Set<String> referencedSecrets = Set.of();
    private final ValidityTimer validity;
    private volatile boolean firstTableBuilt;
    private volatile boolean synced; // no build from partial caches: informers list in parallel

    /**
     * @param namespaces the namespaces to watch; empty for all
     * @param apply translates and publishes a snapshot; called on the rebuild loop's thread
     */
    public ClusterSource(KubernetesClient client, List<String> namespaces, ConfigSink apply,
                         Duration holdoff, Duration maxDelay) {
        this.client = client;
        this.namespaces = List.copyOf(namespaces);
        this.apply = apply;
        this.loop = new RebuildLoop(this::rebuild, holdoff, maxDelay);
        this.validity = new ValidityTimer(loop::signal);
    }

    /** Starts the informers, waits until every one has listed, and builds the first table. */
    public void start(Duration syncTimeout) throws Exception {
        inform(ingresses, ns -> client.network().v1().ingresses().inNamespace(ns),
                client.network().v1().ingresses().inAnyNamespace(), this::ingressChanged, o -> true, null);
        all.add(register(ingressClasses, client.network().v1().ingressClasses().runnableInformer(0),
                (a, b) -> !Objects.equals(a.getSpec(), b.getSpec()) || !Objects.equals(annotations(a), annotations(b)),
                o -> true, null));
        inform(services, ns -> client.services().inNamespace(ns), client.services().inAnyNamespace(),
                (a, b) -> !Objects.equals(a.getSpec(), b.getSpec()), this::referenced,
                o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName());
        inform(slices, ns -> client.discovery().v1().endpointSlices().inNamespace(ns),
                client.discovery().v1().endpointSlices().inAnyNamespace(), (a, b) -> true, this::referencedSlice,
                ServiceIndex::serviceKey);
        for (SharedIndexInformer<EndpointSlice> informer : slices) {
            informer.addIndexers(Map.of(BY_SERVICE, es -> {
                String key = ServiceIndex.serviceKey(es);
                return key == null ? List.of() : List.of(key);
            }));
        }
        // The field selector keeps every other Secret (service-account tokens, Helm releases...) out of the cache on a
        // real API server; the client-side filter does the same where field selectors are not honoured.
        // Two types: kubernetes.io/tls for spec.tls, and Opaque as well for proxy-ssl-secret (a CA bundle made with
        // kubectl create secret generic). ingress-nginx watches every Secret; Pier leaves the other types out.
        for (String type : SECRET_TYPES) {
            inform(secrets, ns -> client.secrets().inNamespace(ns).withField("type", type),
                    client.secrets().inAnyNamespace().withField("type", type),
                    (a, b) -> !Objects.equals(a.getData(), b.getData()) || !Objects.equals(a.getType(), b.getType()),
                    this::referencedSecret, null);
        }

        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<?> informer : all) {
            started.add(informer.start().toCompletableFuture());
        }
        CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
                .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
        synced = true;
        loop.buildNow();
        health.scheduleWithFixedDelay(this::checkWatches, 1, 1, TimeUnit.SECONDS);
        log.info("{} informers synced ({}); first configuration built", all.size(),
                namespaces.isEmpty() ? "all namespaces" : "namespaces " + String.join(", ", namespaces));
    }

    /** True once every informer has listed and the first table was built from them. */
    public boolean ready() {
        if (!firstTableBuilt) {
            return false;
        }
        for (SharedIndexInformer<?> informer : all) {
            if (!informer.hasSynced()) {
                return false;
            }
        }
        return true;
    }

    /** The objects in the informer caches now. */
    public ClusterState snapshot() {
        List<Secret> kept = new ArrayList<>();
        for (Secret s : items(secrets)) {
            if (SECRET_TYPES.contains(s.getType())) {
                kept.add(s);
            }
        }
        return new ClusterState(items(ingresses), items(ingressClasses), kept, serviceIndex);
    }

    private void rebuild() {
        if (!synced) {
            return; // signals from the initial lists: the first build runs once every informer has listed
        }
        Translation t = apply.apply(snapshot());
        referencedServices = t.referencedServices();
        referencedSecrets = t.referencedSecrets();
        validity.rebuildAt(t.nextValidityChange());
        firstTableBuilt = true;
    }

    private <T extends HasMetadata, O extends Informable<T>> void inform(
            List<SharedIndexInformer<T>> target, Function<String, O> inNamespace, Informable<T> anyNamespace,
            Changed<T> changed, Predicate<T> relevant, Function<T, String> service) {
        if (namespaces.isEmpty()) {
            all.add(register(target, anyNamespace.runnableInformer(0), changed, relevant, service));
        } else {
            for (String ns : namespaces) {
                all.add(register(target, inNamespace.apply(ns).runnableInformer(0), changed, relevant, service));
            }
        }
    }

    /**
     * @param service for the kinds the {@link ServiceIndex} reads, the Service an object belongs to (null for none):
     *     its version is bumped on every change that matters, before the rebuild is signalled; null for other kinds
     */
    private <T extends HasMetadata> SharedIndexInformer<T> register(List<SharedIndexInformer<T>> target,
                                                                    SharedIndexInformer<T> informer,
                                                                    Changed<T> changed, Predicate<T> relevant,
                                                                    Function<T, String> service) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                touch(service, obj);
                if (relevant.test(obj)) {
                    loop.signal();
                }
            }

            @Override
            public void onUpdate(T old, T now) {
                if (!Objects.equals(old.getMetadata().getResourceVersion(), now.getMetadata().getResourceVersion())
                        && changed.test(old, now)) {
                    touch(service, old);
                    touch(service, now);
                    if (relevant.test(old) || relevant.test(now)) {
                        loop.signal();
                    }
                }
            }

            @Override
            public void onDelete(T obj, boolean finalStateUnknown) {
                touch(service, obj);
                if (relevant.test(obj)) {
                    loop.signal();
                }
            }
        });
        informer.exceptionHandler((started, error) -> {
            apiLost(error.toString());
            return true; // keep retrying, with fabric8's backoff
        });
        target.add(informer);
        return informer;
    }

    /** Bumps the version of the Service {@code o} belongs to, if any. */
    private <T> void touch(Function<T, String> service, T o) {
        String key = service == null ? null : service.apply(o);
        if (key != null) {
            serviceIndex.changed(key);
        }
    }

    /**
     * The {@link ServiceIndex}'s objects, read from the informer caches themselves: nothing is copied, and a
     * translation reads each Service as the cache holds it when it looks.
     */
    private final class InformerObjects implements ServiceIndex.Source {
        @Override
        public Service service(String key) {
            for (SharedIndexInformer<Service> informer : services) {
                Service s = informer.getStore().getByKey(key);
                if (s != null) {
                    return s;
                }
            }
            return null;
        }

        @Override
        public List<EndpointSlice> slices(String key) {
            if (slices.size() == 1) {
                return slices.get(0).getIndexer().byIndex(BY_SERVICE, key);
            }
            List<EndpointSlice> out = new ArrayList<>();
            for (SharedIndexInformer<EndpointSlice> informer : slices) {
                out.addAll(informer.getIndexer().byIndex(BY_SERVICE, key));
            }
            return out;
        }

        @Override
        public Endpoints endpoints(String key) {
            return null; // EndpointSlices only: every supported Kubernetes version mirrors Endpoints into them
        }
    }

    /** Once a second: an outage starts when any watch is lost and ends when every informer watches again. */
    private void checkWatches() {
        boolean watching = true;
        for (SharedIndexInformer<?> informer : all) {
            watching &= informer.isWatching();
        }
        if (!watching) {
            apiLost("watch lost");
        } else if (apiDown.compareAndSet(true, false)) {
            log.info("Kubernetes API reachable again; every informer is watching");
        }
    }

    private void apiLost(String why) {
        if (apiDown.compareAndSet(false, true)) {
            outages.incrementAndGet();
            log.warn("Kubernetes API unreachable ({}); serving the last configuration while informers reconnect", why);
        }
    }

    /** False during an API outage (the proxy keeps serving the last table). */
    public boolean apiReachable() {
        return !apiDown.get();
    }

    /** API outages seen since start. */
    public int outages() {
        return outages.get();
    }

    private boolean ingressChanged(Ingress a, Ingress b) {
        // status writes (ours included) change the resourceVersion but neither the generation nor the annotations
        return !Objects.equals(a.getMetadata().getGeneration(), b.getMetadata().getGeneration())
                || !Objects.equals(annotations(a), annotations(b))
                || a.getMetadata().getGeneration() == null; // objects without generation (tests): compare nothing
    }

    private boolean referenced(Service s) {
        return referencedServices.contains(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName());
    }

    private boolean referencedSecret(Secret s) {
        return referencedSecrets.contains(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName());
    }

    private boolean referencedSlice(EndpointSlice es) {
        Map<String, String> labels = es.getMetadata().getLabels();
        String service = labels == null ? null : labels.get("kubernetes.io/service-name");
        return service != null && referencedServices.contains(es.getMetadata().getNamespace() + "/" + service);
    }

    private static Map<String, String> annotations(HasMetadata o) {
        return o.getMetadata().getAnnotations() == null ? Map.of() : o.getMetadata().getAnnotations();
    }

    private static <T> List<T> items(List<SharedIndexInformer<T>> informers) {
        if (informers.size() == 1) {
            return informers.get(0).getStore().list();
        }
        List<T> out = new ArrayList<>();
        for (SharedIndexInformer<T> informer : informers) {
            out.addAll(informer.getStore().list());
        }
        return out;
    }

    @Override
    public void close() {
        health.shutdownNow();
        validity.close();
        loop.close();
        List<CompletableFuture<Void>> stopped = new ArrayList<>();
        for (SharedIndexInformer<?> informer : all) {
            informer.stop();
            stopped.add(informer.stopped().toCompletableFuture());
        }
        try { // let the watches close before the client does: a bounded wait
            CompletableFuture.allOf(stopped.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            log.debug("informers still stopping after 5 s: {}", e.toString());
        }
    }

    /** Whether an update can matter, beyond a new resourceVersion. */
    @FunctionalInterface
    private interface Changed<T> {
        boolean test(T old, T now);
    }
}
