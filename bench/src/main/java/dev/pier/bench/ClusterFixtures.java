package dev.pier.bench;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Synthetic clusters for the benchmarks: N apps, each an Ingress, a Service and an EndpointSlice with 3 Pods. */
final class ClusterFixtures {
    private ClusterFixtures() {}

    static List<HasMetadata> apps(int n, int upstreamPort) {
        List<HasMetadata> out = new ArrayList<>(3 * n);
        for (int i = 0; i < n; i++) {
            String ns = "team-" + (i % 50);
            String name = "app-" + i;
            out.add(new ServiceBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                    .withNewSpec().addNewPort().withName("http").withPort(80).endPort().endSpec().build());
            out.add(slice(ns, name, upstreamPort));
            out.add(ingress(ns, name, name + ".example.com", name));
        }
        return out;
    }

    static HasMetadata slice(String ns, String service, int port) {
        return new EndpointSliceBuilder().withNewMetadata().withNamespace(ns).withName(service + "-x")
                .addToLabels("kubernetes.io/service-name", service).endMetadata().withAddressType("IPv4")
                .addNewPort().withName("http").withPort(port).endPort()
                .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions()
                .endEndpoint()
                .addNewEndpoint().withAddresses("10.1.0.2").withNewConditions().withReady(true).endConditions()
                .endEndpoint()
                .addNewEndpoint().withAddresses("10.1.0.3").withNewConditions().withReady(false).endConditions()
                .endEndpoint()
                .build();
    }

    static HasMetadata ingress(String ns, String name, String host, String service) {
        return new IngressBuilder().withNewMetadata().withNamespace(ns).withName(name)
                .withCreationTimestamp("2026-01-01T00:00:00Z").endMetadata()
                .withNewSpec().withIngressClassName("pier").addNewRule().withHost(host).withNewHttp()
                .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService().withName(service)
                .withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
                .addNewPath().withPath("/api").withPathType("Prefix").withNewBackend().withNewService()
                .withName(service).withNewPort().withName("http").endPort().endService().endBackend().endPath()
                .endHttp().endRule().endSpec().build();
    }

    /** A TLS Secret of realistic size: a 2-certificate chain and a key, about 4 KiB of PEM. */
    static HasMetadata tlsSecret(String ns, String name) {
        byte[] pem = new byte[4096];
        java.util.Arrays.fill(pem, (byte) 'A');
        String b64 = Base64.getEncoder().encodeToString(pem);
        return new SecretBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withType("kubernetes.io/tls").addToData("tls.crt", b64).addToData("tls.key", b64.substring(0, 2200))
                .build();
    }
}
