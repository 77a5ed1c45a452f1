package dev.pier.watcher.status;

import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import dev.pier.proxy.route.VirtualHost;
import dev.pier.watcher.translate.ObjectRef;
import dev.pier.watcher.translate.Problem;
import dev.pier.watcher.translate.Translation;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells users through Kubernetes Events what Pier did with their Ingresses, so {@code kubectl describe ingress} shows
 * it: a Warning for each problem (reason {@code ServiceNotFound}, {@code PathConflict}...) when it appears, not again
 * while it persists; a Normal {@code Sync} when an Ingress is first served or its routes change.
 *
 * <p>Confined to the reporter thread.
 */
final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

    private final KubernetesClient client;
    private final String identity;
    private Set<Problem> reported = Set.of();
    private final Map<ObjectRef, Set<String>> servedRoutes = new HashMap<>();

    EventRecorder(KubernetesClient client, String identity) {
        this.client = client;
        this.identity = identity;
    }

    void record(Translation t, List<Ingress> ingresses) {
        Map<ObjectRef, Ingress> byRef = new HashMap<>();
        for (Ingress i : ingresses) {
            byRef.put(ObjectRef.of(i), i);
        }
        Set<Problem> now = new HashSet<>();
        for (Problem p : t.problems()) {
            if (!"Ingress".equals(p.object().kind())) {
                continue;
            }
            now.add(p);
            if (!reported.contains(p)) {
                emit(byRef.get(p.object()), "Warning", p.reason().name(), p.field() + ": " + p.message());
            }
        }
        reported = now;

        Map<ObjectRef, Set<String>> routes = routesByIngress(t.table());
        Set<ObjectRef> served = new HashSet<>(t.served());
        servedRoutes.keySet().retainAll(served);
        for (ObjectRef ref : served) {
            Set<String> current = routes.getOrDefault(ref, Set.of());
            Set<String> previous = servedRoutes.put(ref, current);
            if (!current.equals(previous)) {
                emit(byRef.get(ref), "Normal", "Sync", previous == null
                        ? "Scheduled for sync: " + current.size() + " route(s)"
                        : "Routes updated: " + current.size() + " route(s)");
            }
        }
    }

    private static Map<ObjectRef, Set<String>> routesByIngress(RouteTable table) {
        Map<ObjectRef, Set<String>> out = new HashMap<>();
        List<Route> all = new ArrayList<>();
        for (VirtualHost vh : table.hosts()) {
            all.addAll(vh.routes());
        }
        all.add(table.defaultRoute());
        for (Route r : all) {
            Source s = r.source();
            if (s != null) {
                out.computeIfAbsent(new ObjectRef("Ingress", s.namespace(), s.name()), k -> new TreeSet<>())
                        .add(r.host() + r.path() + " " + r.pathType() + " " + r.backend());
            }
        }
        return out;
    }

    private void emit(Ingress ingress, String type, String reason, String message) {
        if (ingress == null) {
            return;
        }
        String ns = ingress.getMetadata().getNamespace();
        String name = ingress.getMetadata().getName();
        String now = Instant.now().toString();
        Event event = new EventBuilder()
                .withNewMetadata().withNamespace(ns)
                .withName(name + "." + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1)).endMetadata()
                .withNewInvolvedObject().withApiVersion("networking.k8s.io/v1").withKind("Ingress")
                .withNamespace(ns).withName(name).withUid(ingress.getMetadata().getUid()).endInvolvedObject()
                .withType(type).withReason(reason).withMessage(message)
                .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
                .withNewSource().withComponent("pier").endSource()
                .withReportingComponent("pier.dev/ingress-controller").withReportingInstance(identity)
                .build();
        try {
            client.v1().events().inNamespace(ns).resource(event).create();
        } catch (RuntimeException e) {
            log.debug("could not record event {} on Ingress {}/{}: {}", reason, ns, name, e.toString());
        }
    }
}
