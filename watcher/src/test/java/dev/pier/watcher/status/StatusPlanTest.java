package dev.pier.watcher.status;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.watcher.translate.ObjectRef;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StatusPlanTest {
    private static final List<IngressLoadBalancerIngress> OURS = StatusPlan.addresses(List.of("10.0.0.1", "lb.example.com"));

    private static Ingress ingress(String name, List<String> status) {
        IngressBuilder b = new IngressBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata();
        if (!status.isEmpty()) {
            b.withNewStatus().withNewLoadBalancer().withIngress(StatusPlan.addresses(status)).endLoadBalancer()
                    .endStatus();
        }
        return b.build();
    }

    private static ObjectRef ref(String name) {
        return new ObjectRef("Ingress", "default", name);
    }

    @Test
    void parsesIpsAndHostnames() {
        assertThat(OURS).extracting(IngressLoadBalancerIngress::getIp).containsExactly("10.0.0.1", null);
        assertThat(OURS).extracting(IngressLoadBalancerIngress::getHostname).containsExactly(null, "lb.example.com");
        assertThat(StatusPlan.addresses(List.of("fd00::1"))).extracting(IngressLoadBalancerIngress::getIp)
                .containsExactly("fd00::1");
    }

    @Test
    void writesServedIngressesWhoseStatusDiffers() {
        var updates = StatusPlan.plan(List.of(ingress("new", List.of()), ingress("stale", List.of("10.9.9.9")),
                ingress("current", List.of("lb.example.com", "10.0.0.1"))),
                Set.of(ref("new"), ref("stale"), ref("current")), OURS);
        assertThat(updates).extracting(StatusPlan.Update::ingress).containsExactly(ref("new"), ref("stale"));
        assertThat(updates.get(0).addresses()).isEqualTo(OURS);
    }

    @Test
    void clearsOnlyOurOwnStatusFromIngressesNoLongerServed() {
        var updates = StatusPlan.plan(List.of(ingress("was-ours", List.of("10.0.0.1", "lb.example.com")),
                ingress("theirs", List.of("192.0.2.7")), ingress("empty", List.of())), Set.of(), OURS);
        assertThat(updates).containsExactly(new StatusPlan.Update(ref("was-ours"), List.of()));
    }

    @Test
    void nothingToDoWhenEverythingIsCurrent() {
        assertThat(StatusPlan.plan(List.of(ingress("a", List.of("10.0.0.1", "lb.example.com"))), Set.of(ref("a")),
                OURS)).isEmpty();
    }
}
