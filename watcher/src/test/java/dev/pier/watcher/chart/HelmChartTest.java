package dev.pier.watcher.chart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** charts/pier linted and rendered by Helm (as a library), the output parsed by fabric8 and checked. */
class HelmChartTest {
    private static final Path CHART = Path.of("..", "charts", "pier");
    private static final KubernetesSerialization YAML = new KubernetesSerialization();

    /** Every rule Pier's requests need, as "apiGroup resource verb", and nothing else. */
    private static final Set<String> CLUSTER_RULES = Set.of(
            "networking.k8s.io ingressclasses get", "networking.k8s.io ingressclasses list",
            "networking.k8s.io ingressclasses watch",
            "networking.k8s.io ingresses get", "networking.k8s.io ingresses list", "networking.k8s.io ingresses watch",
            "networking.k8s.io ingresses/status patch",
            " services get", " services list", " services watch",
            " secrets get", " secrets list", " secrets watch",
            "discovery.k8s.io endpointslices get", "discovery.k8s.io endpointslices list",
            "discovery.k8s.io endpointslices watch",
            " events create");
    private static final Set<String> LEASE_RULES = Set.of(
            "coordination.k8s.io leases get", "coordination.k8s.io leases create", "coordination.k8s.io leases update");

    private static List<HasMetadata> render(Map<String, Object> values) {
        TemplateCommand t = new Helm(CHART).template().withName("pier").withNamespace("ingress")
                .withKubeVersion("1.33.0");
        values.forEach(t::set);
        Object parsed = YAML.unmarshal(t.call());
        List<HasMetadata> out = new ArrayList<>();
        if (parsed instanceof List<?> docs) {
            docs.forEach(d -> out.add((HasMetadata) d));
        } else {
            out.add((HasMetadata) parsed);
        }
        return out;
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    private static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind) {
        List<T> found = all(objects, kind);
        assertThat(found).as(kind.getSimpleName()).hasSize(1);
        return found.getFirst();
    }

    private static Set<String> rules(List<PolicyRule> rules) {
        Set<String> out = new TreeSet<>();
        for (PolicyRule r : rules) {
            for (String g : r.getApiGroups()) {
                for (String res : r.getResources()) {
                    for (String v : r.getVerbs()) {
                        out.add(g + " " + res + " " + v);
                    }
                }
            }
        }
        return out;
    }

    @Test
    void lintsClean() {
        LintResult result = new Helm(CHART).lint().strict().call();
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
    }

    @Test
    void defaultsGiveAWorkingLeastPrivilegeController() {
        List<HasMetadata> objects = render(Map.of());

        Deployment d = one(objects, Deployment.class);
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        PodSpec pod = d.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getArgs()).contains("--ingress-class=pier", "--controller-class=pier.dev/ingress-controller",
                "--publish-service=ingress/pier", "--election-id=pier-leader", "--election-namespace=ingress",
                "--http-port=8080", "--https-port=8443", "--admin-port=10254", "--access-log=true",
                "--shutdown-delay=5s", "--shutdown-grace=25s");
        assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        assertThat(pod.getTerminationGracePeriodSeconds()).isGreaterThan(5 + 25);
        assertThat(c.getResources().getLimits()).containsKey("memory");

        // non-root, read-only, no privilege escalation, no capabilities, RuntimeDefault seccomp
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(65532L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(c.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(c.getVolumeMounts()).extracting(m -> m.getMountPath()).containsExactly("/tmp");

        // the traffic Service: 80 and 443 to the container's http and https; the admin port is not on it
        Service traffic = all(objects, Service.class).stream().filter(s -> s.getMetadata().getName().equals("pier"))
                .findFirst().orElseThrow();
        assertThat(traffic.getSpec().getType()).isEqualTo("LoadBalancer");
        assertThat(traffic.getSpec().getPorts()).extracting(ServicePort::getPort, p -> p.getTargetPort().getStrVal())
                .containsExactly(org.assertj.core.groups.Tuple.tuple(80, "http"),
                        org.assertj.core.groups.Tuple.tuple(443, "https"));
        Service metrics = all(objects, Service.class).stream()
                .filter(s -> s.getMetadata().getName().equals("pier-metrics")).findFirst().orElseThrow();
        assertThat(metrics.getSpec().getType()).isEqualTo("ClusterIP");

        IngressClass ic = one(objects, IngressClass.class);
        assertThat(ic.getMetadata().getName()).isEqualTo("pier");
        assertThat(ic.getSpec().getController()).isEqualTo("pier.dev/ingress-controller");
        assertThat(ic.getMetadata().getAnnotations()).isNullOrEmpty();

        assertThat(rules(one(objects, ClusterRole.class).getRules())).isEqualTo(new TreeSet<>(CLUSTER_RULES));
        Role lease = one(objects, Role.class);
        assertThat(lease.getMetadata().getNamespace()).isEqualTo("ingress");
        assertThat(rules(lease.getRules())).isEqualTo(new TreeSet<>(LEASE_RULES));

        assertThat(one(objects, PodDisruptionBudget.class).getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(all(objects, HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(objects).noneMatch(o -> o.getKind().equals("ServiceMonitor"));
    }

    @Test
    void nonDefaultValuesReachTheObjects() {
        List<HasMetadata> objects = render(Map.ofEntries(
                Map.entry("kind", "DaemonSet"),
                Map.entry("ingressClass.default", "true"),
                Map.entry("service.type", "NodePort"),
                Map.entry("service.externalTrafficPolicy", "Local"),
                Map.entry("service.nodePorts.http", "30080"),
                Map.entry("watchNamespaces[0]", "team-a"),
                Map.entry("watchNamespaces[1]", "team-b"),
                Map.entry("publishStatusAddresses[0]", "lb.example.com"),
                Map.entry("trustedProxies[0]", "10.0.0.0/8"),
                Map.entry("proxyProtocol", "true"),
                Map.entry("accessLog", "false"),
                Map.entry("http2", "false"),
                Map.entry("defaultSslCertificate", "ingress/wildcard"),
                Map.entry("leaderElection.enabled", "false"),
                Map.entry("metrics.serviceMonitor.enabled", "true"),
                Map.entry("dashboard.enabled", "true"),
                Map.entry("extraArgs[0]", "--metrics-per-host"),
                Map.entry("nodeSelector.pool", "edge"),
                Map.entry("tolerations[0].key", "edge"),
                Map.entry("tolerations[0].operator", "Exists"),
                Map.entry("jvmOptions", "-XX:MaxRAMPercentage=60")));

        assertThat(all(objects, Deployment.class)).isEmpty();
        DaemonSet ds = one(objects, DaemonSet.class);
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container c = pod.getContainers().getFirst();
        assertThat(c.getArgs()).contains("--watch-namespace=team-a", "--watch-namespace=team-b",
                "--publish-status-address=lb.example.com", "--trusted-proxies=10.0.0.0/8", "--proxy-protocol",
                "--access-log=false", "--no-http2", "--default-ssl-certificate=ingress/wildcard",
                "--disable-leader-election", "--metrics-per-host")
                .noneMatch(a -> a.startsWith("--publish-service"));
        assertThat(c.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("JDK_JAVA_OPTIONS");
            assertThat(e.getValue()).isEqualTo("-XX:MaxRAMPercentage=60");
        });
        assertThat(pod.getNodeSelector()).containsEntry("pool", "edge");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> assertThat(t.getKey()).isEqualTo("edge"));

        Service traffic = all(objects, Service.class).stream().filter(s -> s.getMetadata().getName().equals("pier"))
                .findFirst().orElseThrow();
        assertThat(traffic.getSpec().getType()).isEqualTo("NodePort");
        assertThat(traffic.getSpec().getExternalTrafficPolicy()).isEqualTo("Local");
        assertThat(traffic.getSpec().getPorts().getFirst().getNodePort()).isEqualTo(30080);
        assertThat(one(objects, IngressClass.class).getMetadata().getAnnotations())
                .containsEntry("ingressclass.kubernetes.io/is-default-class", "true");

        // watched namespaces: the namespaced rights move into a Role per namespace; no Lease Role without election
        assertThat(rules(one(objects, ClusterRole.class).getRules())).containsExactly(
                "networking.k8s.io ingressclasses get", "networking.k8s.io ingressclasses list",
                "networking.k8s.io ingressclasses watch");
        List<Role> roles = all(objects, Role.class);
        assertThat(roles).extracting(r -> r.getMetadata().getNamespace()).containsExactly("team-a", "team-b");
        Set<String> namespaced = new TreeSet<>(CLUSTER_RULES);
        namespaced.removeIf(r -> r.contains("ingressclasses"));
        assertThat(roles).allSatisfy(r -> assertThat(rules(r.getRules())).isEqualTo(namespaced));

        assertThat(objects).anySatisfy(o -> assertThat(o.getKind()).isEqualTo("ServiceMonitor"));
        assertThat(objects).anySatisfy(o -> {
            assertThat(o.getMetadata().getName()).isEqualTo("pier-dashboard");
            assertThat(o.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        });
    }

    @Test
    void autoscalingReplacesTheReplicaCount() {
        List<HasMetadata> objects = render(Map.of("autoscaling.enabled", "true", "autoscaling.maxReplicas", "6"));

        assertThat(one(objects, Deployment.class).getSpec().getReplicas()).isNull();
        HorizontalPodAutoscaler hpa = one(objects, HorizontalPodAutoscaler.class);
        assertThat(hpa.getSpec().getMaxReplicas()).isEqualTo(6);
        assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo("pier");
    }

    @Test
    void theSchemaRejectsBadValues() {
        assertThatThrownBy(() -> render(Map.of("kind", "StatefulSet"))).hasMessageContaining("kind");
        assertThatThrownBy(() -> render(Map.of("tlsEngine", "wolfssl"))).hasMessageContaining("tlsEngine");
        assertThatThrownBy(() -> render(Map.of("replicas", "3"))).hasMessageContaining("replicas");
    }
}
