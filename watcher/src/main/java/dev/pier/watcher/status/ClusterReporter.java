package dev.pier.watcher.status;

import dev.pier.watcher.translate.ObjectRef;
import dev.pier.watcher.translate.Translation;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports what Pier serves back to the cluster: {@code status.loadBalancer} on Ingresses ({@link StatusPlan}) and
 * Events ({@link EventRecorder}). Only while this replica is the leader. API calls run on the reporter's own thread so
 * they never delay a rebuild; only the newest input is kept, so a burst of rebuilds gives one report.
 */
public final class ClusterReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterReporter.class);

    private record Input(Translation translation, List<Ingress> ingresses) {}

    private final KubernetesClient client;
    private final List<String> publishStatusAddresses;
    private final ObjectRef publishService;
    private final EventRecorder events;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "pier-reporter");
        t.setDaemon(true);
        return t;
    });
    private final AtomicReference<Input> pending = new AtomicReference<>();
    private volatile Input last;
    private volatile boolean leader;
    private boolean warnedNoAddress;

    /**
     * @param publishStatusAddresses addresses to publish; when empty, {@code publishService}'s are used
     * @param publishService the Service whose load-balancer addresses (or ClusterIP) to publish; may be null
     */
    public ClusterReporter(KubernetesClient client, List<String> publishStatusAddresses, ObjectRef publishService,
                           String identity) {
        this.client = client;
        this.publishStatusAddresses = List.copyOf(publishStatusAddresses);
        this.publishService = publishService;
        this.events = new EventRecorder(client, identity);
    }

    /** The newest translation and the Ingresses it came from; reported soon if this replica leads. */
    public void offer(Translation translation, List<Ingress> ingresses) {
        Input input = new Input(translation, List.copyOf(ingresses));
        last = input;
        if (leader && pending.getAndSet(input) == null) {
            executor.execute(this::drain);
        }
    }

    /** Leadership changed; a new leader reports the newest input at once. */
    public void leading(boolean isLeader) {
        leader = isLeader;
        log.info(isLeader ? "leading: writing Ingress status and Events" : "not leading: status is the leader's");
        Input input = last;
        if (isLeader && input != null && pending.getAndSet(input) == null) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        Input input = pending.getAndSet(null);
        if (input == null || !leader) {
            return;
        }
        try {
            writeStatus(input);
            events.record(input.translation(), input.ingresses());
        } catch (RuntimeException e) {
            log.warn("reporting to the API failed: {}", e.toString());
        }
    }

    private void writeStatus(Input input) {
        List<IngressLoadBalancerIngress> desired = addresses();
        if (desired == null) {
            return;
        }
        for (StatusPlan.Update u : StatusPlan.plan(input.ingresses(), new HashSet<>(input.translation().served()),
                desired)) {
            try {
                client.network().v1().ingresses().inNamespace(u.ingress().namespace()).withName(u.ingress().name())
                        .editStatus(i -> new IngressBuilder(i).editOrNewStatus().editOrNewLoadBalancer()
                                .withIngress(u.addresses()).endLoadBalancer().endStatus().build());
            } catch (RuntimeException e) {
                log.warn("could not write the status of Ingress {}/{}: {}", u.ingress().namespace(),
                        u.ingress().name(), e.toString());
            }
        }
    }

    /** What to publish, or null when Pier has nothing to publish (no flag, or the Service is not there yet). */
    private List<IngressLoadBalancerIngress> addresses() {
        if (!publishStatusAddresses.isEmpty()) {
            return StatusPlan.addresses(publishStatusAddresses);
        }
        if (publishService == null) {
            if (!warnedNoAddress) {
                warnedNoAddress = true;
                log.info("neither --publish-status-address nor --publish-service: Ingress status is not written");
            }
            return null;
        }
        Service svc = client.services().inNamespace(publishService.namespace()).withName(publishService.name()).get();
        if (svc == null) {
            log.warn("--publish-service {}/{} not found; Ingress status not written", publishService.namespace(),
                    publishService.name());
            return null;
        }
        List<String> values = new ArrayList<>();
        if (svc.getStatus() != null && svc.getStatus().getLoadBalancer() != null
                && svc.getStatus().getLoadBalancer().getIngress() != null) {
            svc.getStatus().getLoadBalancer().getIngress().forEach(i -> values.add(
                    i.getIp() != null ? i.getIp() : i.getHostname()));
        }
        if (values.isEmpty() && svc.getSpec() != null && svc.getSpec().getClusterIP() != null
                && !"None".equals(svc.getSpec().getClusterIP())) {
            values.add(svc.getSpec().getClusterIP());
        }
        return StatusPlan.addresses(values);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
