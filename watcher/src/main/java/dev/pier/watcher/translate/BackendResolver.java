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
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
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

    BackendResolver(ClusterState state) {
        for (Service s : state.services()) {
            services.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
        }
        for (EndpointSlice es : state.endpointSlices()) {
            Map<String, String> labels = es.getMetadata().getLabels();
            String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
            if (service != null) {
                slicesByService.computeIfAbsent(key(es.getMetadata().getNamespace(), service), k -> new ArrayList<>())
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
     * @param port the Ingress's port reference; null means the Service's first port (for the default backend flag)
     * @param field where the reference sits, for problems
     */
    Backend resolve(String namespace, String name, ServiceBackendPort port, ObjectRef owner, String field,
                    List<Problem> problems) {
        String portLabel = port == null ? "first" : port.getName() != null && !port.getName().isEmpty()
                ? port.getName() : String.valueOf(port.getNumber());
        looked.add(key(namespace, name));
        Service service = services.get(key(namespace, name));
        if (service == null) {
            String msg = "Service " + namespace + "/" + name + " not found";
            problems.add(new Problem(owner, field + ".name", Reason.ServiceNotFound, msg + "; the route answers 503"));
            return new Backend(namespace, name, portLabel, List.of(), msg);
        }
        List<ServicePort> ports = service.getSpec() == null || service.getSpec().getPorts() == null
                ? List.of() : service.getSpec().getPorts();
        ServicePort servicePort = findPort(ports, port);
        if (servicePort == null) {
            String msg = "Service " + namespace + "/" + name + " has no port " + portLabel;
            problems.add(new Problem(owner, field + ".port", Reason.PortNotFound, msg + "; the route answers 503"));
            return new Backend(namespace, name, portLabel, List.of(), msg);
        }
        if ("ExternalName".equals(service.getSpec().getType())) {
            String msg = "Service " + namespace + "/" + name + " is of type ExternalName, which Pier does not serve";
            problems.add(new Problem(owner, field + ".name", Reason.UnsupportedBackend, msg + "; the route answers 503"));
            return new Backend(namespace, name, portLabel, List.of(), msg);
        }
        TreeSet<Endpoint> ready = new TreeSet<>();
        List<EndpointSlice> slices = slicesByService.get(key(namespace, name));
        if (slices != null) {
            for (EndpointSlice slice : slices) {
                addReady(slice, servicePort.getName(), ready);
            }
        } else {
            Endpoints legacy = endpoints.get(key(namespace, name));
            if (legacy != null) {
                addReady(legacy, servicePort.getName(), ready);
            }
        }
        if (ready.isEmpty()) {
            String msg = "Service " + namespace + "/" + name + " port " + portLabel + " has no ready endpoints";
            problems.add(new Problem(owner, field, Reason.NoReadyEndpoints, msg + "; the route answers 503"));
            return new Backend(namespace, name, portLabel, List.of(), msg);
        }
        return new Backend(namespace, name, portLabel, List.copyOf(ready), null);
    }

    /** Every Service {@link #resolve} was asked for, as {@code namespace/name}. */
    Set<String> lookedUp() {
        return looked;
    }

    private static ServicePort findPort(List<ServicePort> ports, ServiceBackendPort ref) {
        if (ref == null) {
            return ports.isEmpty() ? null : ports.get(0);
        }
        for (ServicePort p : ports) {
            if (ref.getName() != null && !ref.getName().isEmpty()) {
                if (ref.getName().equals(p.getName())) {
                    return p;
                }
            } else if (ref.getNumber() != null && ref.getNumber().equals(p.getPort())) {
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
