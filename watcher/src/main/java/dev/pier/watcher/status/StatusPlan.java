package dev.pier.watcher.status;

import dev.pier.watcher.translate.ObjectRef;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Decides which Ingress statuses to write: a pure function of the Ingresses, the ones Pier serves, and the addresses
 * Pier publishes. Served Ingresses whose {@code status.loadBalancer.ingress} differs get the addresses; an Ingress Pier
 * does not serve (another class, or one Pier stopped serving) is cleared only when its status is exactly Pier's
 * addresses, so another controller's status is never touched.
 */
public final class StatusPlan {
    /** One status write: the Ingress and the value its {@code status.loadBalancer.ingress} should get. */
    public record Update(ObjectRef ingress, List<IngressLoadBalancerIngress> addresses) {}

    private StatusPlan() {}

    /** Addresses from text: IP literals become {@code ip}, anything else {@code hostname}. */
    public static List<IngressLoadBalancerIngress> addresses(Collection<String> values) {
        List<IngressLoadBalancerIngress> out = new ArrayList<>();
        for (String v : values) {
            String value = v.trim();
            if (value.isEmpty()) {
                continue;
            }
            boolean ip = value.indexOf(':') >= 0 || value.matches("[0-9.]+");
            out.add(ip ? new IngressLoadBalancerIngressBuilder().withIp(value).build()
                    : new IngressLoadBalancerIngressBuilder().withHostname(value).build());
        }
        out.sort((a, b) -> key(a).compareTo(key(b)));
        return List.copyOf(out);
    }

    public static List<Update> plan(Collection<Ingress> ingresses, Set<ObjectRef> served,
                                    List<IngressLoadBalancerIngress> desired) {
        Set<String> want = keys(desired);
        List<Update> updates = new ArrayList<>();
        for (Ingress ingress : ingresses) {
            ObjectRef ref = ObjectRef.of(ingress);
            Set<String> current = keys(current(ingress));
            if (served.contains(ref)) {
                if (!current.equals(want)) {
                    updates.add(new Update(ref, desired));
                }
            } else if (!current.isEmpty() && current.equals(want)) {
                updates.add(new Update(ref, List.of()));
            }
        }
        return updates;
    }

    static List<IngressLoadBalancerIngress> current(Ingress ingress) {
        if (ingress.getStatus() == null || ingress.getStatus().getLoadBalancer() == null
                || ingress.getStatus().getLoadBalancer().getIngress() == null) {
            return List.of();
        }
        return ingress.getStatus().getLoadBalancer().getIngress();
    }

    private static Set<String> keys(List<IngressLoadBalancerIngress> list) {
        Set<String> out = new HashSet<>();
        for (IngressLoadBalancerIngress i : list) {
            out.add(key(i));
        }
        return out;
    }

    private static String key(IngressLoadBalancerIngress i) {
        return Objects.toString(i.getIp(), "") + "|" + Objects.toString(i.getHostname(), "");
    }
}
