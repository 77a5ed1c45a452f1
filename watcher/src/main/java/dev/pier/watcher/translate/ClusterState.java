package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The objects a translation reads, from any source (manifest files, informer caches): immutable lists of Ingresses,
 * IngressClasses and Secrets, and the Services with their endpoints in a {@link ServiceIndex}, which a cluster source
 * keeps current as events arrive. The objects themselves must not be modified by anyone once here: a change is a new
 * object.
 */
public record ClusterState(List<Ingress> ingresses, List<IngressClass> ingressClasses, List<Secret> secrets,
                           ServiceIndex services) {
    public ClusterState {
        ingresses = List.copyOf(ingresses);
        ingressClasses = List.copyOf(ingressClasses);
        secrets = List.copyOf(secrets);
        java.util.Objects.requireNonNull(services, "services");
    }

    public static final ClusterState EMPTY = of(List.of());

    /** Sorts mixed objects by kind; other kinds (Deployments, ConfigMaps...) are ignored. */
    public static ClusterState of(Collection<? extends HasMetadata> objects) {
        List<Ingress> ingresses = new ArrayList<>();
        List<IngressClass> classes = new ArrayList<>();
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        List<Endpoints> endpoints = new ArrayList<>();
        List<Secret> secrets = new ArrayList<>();
        for (HasMetadata o : objects) {
            switch (o) {
                case Ingress i -> ingresses.add(i);
                case IngressClass c -> classes.add(c);
                case Service s -> services.add(s);
                case EndpointSlice e -> slices.add(e);
                case Endpoints e -> endpoints.add(e);
                case Secret s -> secrets.add(s);
                default -> { }
            }
        }
        return new ClusterState(ingresses, classes, secrets, ServiceIndex.of(services, slices, endpoints));
    }
}
