package dev.pier.watcher.translate;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Resolves a Service port to ready endpoints: Service port by number or name, then the EndpointSlice port of the same
 * name (its number is the Pod's port, which may differ), then the addresses of endpoints whose {@code ready}
 * condition is not false, across all slices of the Service. Falls back to v1 Endpoints when a Service has no slice.
 * Headless Services resolve the same way. Never fails: a Service that cannot be resolved gives a backend with no
 * endpoints (503) and a {@link Problem}.
 */
final class BackendResolver {
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Map<String, Service> services = new HashMap<>();
    private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
    private final Map<String, Endpoints> endpoints = new HashMap<>();
    private final Set<String> looked = new HashSet<>();

    private final Map<CompiledIngress.ServiceRef, Resolution> memo;
    private final Map<CompiledIngress.ServiceRef, Resolution> used = new HashMap<>();

    /**
     * @param memo resolutions of the previous translation, reused while the Service and its EndpointSlices (or
     *     Endpoints) are the same objects; not modified
     */
    BackendResolver(ClusterState state, Map<CompiledIngress.ServiceRef, Resolution> memo) {
        this.memo = memo;
        for (Service s : state.services()) {
            services.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
        }
        for (EndpointSlice es : state.endpointSlices()) {
            Map<String, String> labels = es.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService.computeIfAbsent(key(es.getMetadata().getNamespace(), service), k -> new ArrayList<>(1))
                        .add(es);
            }
        }
        for (Endpoints e : state.endpoints()) {
            endpoints.put(key(e.getMetadata().getNamespace(), e.getMetadata().getName()), e);
        }
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /**
     * A Service port resolved: the backend, and when it has no endpoints the problem to report, with the inputs it
     * was resolved from (compared by identity: informer caches and manifest reloads replace an object on change).
     */
    record Resolution(Backend backend, Reason reason, String fieldSuffix, String message, Service service,
                      List<EndpointSlice> slices, Endpoints legacy) {
        boolean resolvedFrom(Service s, List<EndpointSlice> sl, Endpoints e) {
            if (service != s || legacy != e || (slices == null) != (sl == null)) {
                return false;
            }
            if (sl == null) {
                return true;
            }
            if (slices.size() != sl.size()) {
                return false;
            }
            for (int i = 0; i < sl.size(); i++) {
                if (slices.get(i) != sl.get(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * @param field where the reference sits, for problems
     */
    Backend resolve(CompiledIngress.ServiceRef ref, ObjectRef owner, String field, List<Problem> problems) {
        looked.add(ref.key());
        Resolution r = used.get(ref);
        if (r == null) {
            Service service = services.get(ref.key());
            List<EndpointSlice> slices = slicesByService.get(ref.key());
            Endpoints legacy = slices == null ? endpoints.get(ref.key()) : null;
            r = memo.get(ref);
            if (r == null || !r.resolvedFrom(service, slices, legacy)) {
                r = resolveNow(ref, service, slices, legacy);
            }
            used.put(ref, r);
        }
        if (r.reason() != null) {
            problems.add(new Problem(owner, field + r.fieldSuffix(), r.reason(), r.message()
                    + "; the route answers 503"));
        }
        return r.backend();
    }

    /** What this translation resolved: the memo for the next one. */
    Map<CompiledIngress.ServiceRef, Resolution> resolutions() {
        return used;
    }

    private static Resolution resolveNow(CompiledIngress.ServiceRef ref, Service service, List<EndpointSlice> slices,
                                         Endpoints legacy) {
        String namespace = ref.namespace();
        String name = ref.name();
        String portLabel = ref.portLabel();
        if (service == null) {
            String msg = "Service " + namespace + "/" + name + " not found";
            return failed(ref, msg, Reason.ServiceNotFound, ".name", service, slices, legacy);
        }
        List<ServicePort> ports = service.getSpec() == null || service.getSpec().getPorts() == null
                ? List.of() : service.getSpec().getPorts();
        ServicePort servicePort = findPort(ports, ref);
        if (servicePort == null) {
            String msg = "Service " + namespace + "/" + name + " has no port " + portLabel;
            return failed(ref, msg, Reason.PortNotFound, ".port", service, slices, legacy);
        }
        if ("ExternalName".equals(service.getSpec().getType())) {
            String msg = "Service " + namespace + "/" + name + " is of type ExternalName, which Pier does not serve";
            return failed(ref, msg, Reason.UnsupportedBackend, ".name", service, slices, legacy);
        }
        TreeSet<Endpoint> ready = new TreeSet<>();
        if (slices != null) {
            for (EndpointSlice slice : slices) {
                addReady(slice, servicePort.getName(), ready);
            }
        } else if (legacy != null) {
            addReady(legacy, servicePort.getName(), ready);
        }
        if (ready.isEmpty()) {
            String msg = "Service " + namespace + "/" + name + " port " + portLabel + " has no ready endpoints";
            return failed(ref, msg, Reason.NoReadyEndpoints, "", service, slices, legacy);
        }
        return new Resolution(new Backend(namespace, name, portLabel, List.copyOf(ready), null), null, null, null,
                service, slices, legacy);
    }

    private static Resolution failed(CompiledIngress.ServiceRef ref, String msg, Reason reason, String fieldSuffix,
                                     Service service, List<EndpointSlice> slices, Endpoints legacy) {
        return new Resolution(new Backend(ref.namespace(), ref.name(), ref.portLabel(), List.of(), msg), reason,
                fieldSuffix, msg, service, slices, legacy);
    }

    /** Every Service {@link #resolve} was asked for, as {@code namespace/name}. */
    Set<String> lookedUp() {
        return looked;
    }

    private static ServicePort findPort(List<ServicePort> ports, CompiledIngress.ServiceRef ref) {
        if (ref.portName() == null && ref.portNumber() == null) {
            return ports.isEmpty() ? null : ports.get(0);
        }
        for (ServicePort p : ports) {
            if (ref.portName() != null ? ref.portName().equals(p.getName()) : ref.portNumber().equals(p.getPort())) {
                return p;
            }
        }
        return null;
    }

    private static void addReady(EndpointSlice slice, String portName, TreeSet<Endpoint> out) {
        String type = slice.getAddressType();
        if (!"IPv4".equals(type) && !"IPv6".equals(type)) {
            return; // FQDN slices would need DNS on the data path
        }
        Integer port = null;
        if (slice.getPorts() != null) {
            for (var p : slice.getPorts()) {
                if (Objects.equals(emptyToNull(p.getName()), emptyToNull(portName)) && p.getPort() != null) {
                    port = p.getPort();
                    break;
                }
            }
        }
        if (port == null || slice.getEndpoints() == null) {
            return;
        }
        for (var e : slice.getEndpoints()) {
            if (e.getConditions() != null && Boolean.FALSE.equals(e.getConditions().getReady())) {
                continue;
            }
            if (e.getAddresses() != null) {
                for (String address : e.getAddresses()) {
                    addIfValid(address, port, out);
                }
            }
        }
    }

    private static void addReady(Endpoints endpoints, String portName, TreeSet<Endpoint> out) {
        if (endpoints.getSubsets() == null) {
            return;
        }
        for (EndpointSubset subset : endpoints.getSubsets()) {
            Integer port = null;
            if (subset.getPorts() != null) {
                for (EndpointPort p : subset.getPorts()) {
                    if (Objects.equals(emptyToNull(p.getName()), emptyToNull(portName))) {
                        port = p.getPort();
                        break;
                    }
                }
            }
            if (port == null || subset.getAddresses() == null) {
                continue;
            }
            for (EndpointAddress a : subset.getAddresses()) { // notReadyAddresses are left out
                addIfValid(a.getIp(), port, out);
            }
        }
    }

    /**
     * Only IP literals: the data path connects to them directly, and a name here would mean a blocking DNS lookup on
     * an event loop.
     */
    private static void addIfValid(String address, int port, TreeSet<Endpoint> out) {
        if (address != null && port >= 1 && port <= 65535
                && (IPV4.matcher(address).matches() || (address.indexOf(':') >= 0 && IPV6.matcher(address).matches()))) {
            out.add(new Endpoint(address, port));
        }
    }

    private static final java.util.regex.Pattern IPV4 =
            java.util.regex.Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    private static final java.util.regex.Pattern IPV6 = java.util.regex.Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
