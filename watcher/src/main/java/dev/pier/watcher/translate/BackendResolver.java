package dev.pier.watcher.translate;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.EndpointSet;
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

/**
 * Resolves a Service port to ready endpoints: Service port by number or name, then the EndpointSlice port of the same
 * name (its number is the Pod's port, which may differ), then the addresses of endpoints whose {@code ready}
 * condition is not false, across all slices of the Service. Falls back to v1 Endpoints when a Service has no slice.
 * Headless Services resolve the same way. Never fails: a Service that cannot be resolved gives a backend with no
 * endpoints (503) and a {@link Problem}. Collects the endpoints of what it resolved ({@link #endpoints}).
 */
final class BackendResolver {
    private final ServiceIndex index;
    private final Set<String> looked;
    private final Map<CompiledIngress.ServiceRef, Resolution> resolved;
    private final Map<Backend, EndpointSet> endpoints;

    /**
     * @param track whether to collect the Services looked up ({@link #lookedUp})
     * @param expected about how many Service ports will be resolved, to size the maps once
     */
    BackendResolver(ServiceIndex index, boolean track, int expected) {
        this.index = index;
        this.looked = track ? HashSet.newHashSet(expected) : null;
        this.resolved = HashMap.newHashMap(expected);
        this.endpoints = HashMap.newHashMap(expected);
    }

    /**
     * A Service port resolved: the backend (the routes' stable reference) and its endpoints, and when it has none the
     * problem to report, with the Service's version it was resolved at ({@link ServiceIndex#version}). Immutable.
     */
    record Resolution(Backend backend, EndpointSet endpoints, Reason reason, String fieldSuffix, String message,
                      long version) {
        /** The problem to report for a reference at {@code field} of {@code owner}, when there is one. */
        void report(ObjectRef owner, String field, List<Problem> problems) {
            if (reason != null) {
                problems.add(problem(owner, field));
            }
        }

        /** The problem of a reference at {@code field} of {@code owner}, or null when it resolved to endpoints. */
        Problem problem(ObjectRef owner, String field) {
            return reason == null ? null
                    : new Problem(owner, field + fieldSuffix, reason, message + "; the route answers 503");
        }
    }

    /**
     * Resolves a reference; the caller reports its problem ({@link Resolution#report}).
     *
     * @param previous what the same reference resolved to in an earlier translation, or null: reused while the
     *     Service's version is unchanged
     */
    Resolution resolve(CompiledIngress.ServiceRef ref, Resolution previous) {
        if (looked != null) {
            looked.add(ref.key());
        }
        long version = index.version(ref.key()); // before the objects: see ServiceIndex
        Resolution r = previous;
        if (r == null || r.version() != version) {
            r = resolved.get(ref);
            if (r == null || r.version() != version) {
                r = resolveNow(ref, version);
                resolved.put(ref, r);
            }
        }
        endpoints.put(r.backend(), r.endpoints());
        return r;
    }

    /** The endpoints of every backend {@link #resolve} returned: entries for the endpoint table. */
    Map<Backend, EndpointSet> endpoints() {
        return endpoints;
    }

    private Resolution resolveNow(CompiledIngress.ServiceRef ref, long version) {
        String namespace = ref.namespace();
        String name = ref.name();
        String portLabel = ref.portLabel();
        Service service = index.service(ref.key());
        if (service == null) {
            String msg = "Service " + namespace + "/" + name + " not found";
            return failed(ref, msg, Reason.ServiceNotFound, ".name", version);
        }
        List<ServicePort> ports = service.getSpec() == null || service.getSpec().getPorts() == null
                ? List.of() : service.getSpec().getPorts();
        ServicePort servicePort = findPort(ports, ref);
        if (servicePort == null) {
            String msg = "Service " + namespace + "/" + name + " has no port " + portLabel;
            return failed(ref, msg, Reason.PortNotFound, ".port", version);
        }
        if ("ExternalName".equals(service.getSpec().getType())) {
            String msg = "Service " + namespace + "/" + name + " is of type ExternalName, which Pier does not serve";
            return failed(ref, msg, Reason.UnsupportedBackend, ".name", version);
        }
        List<Endpoint> ready = new ArrayList<>(4);
        String clusterIp = service.getSpec().getClusterIP();
        if (ref.clusterIp() && clusterIp != null && !"None".equals(clusterIp)) { // service-upstream
            addIfValid(clusterIp, servicePort.getPort() == null ? 0 : servicePort.getPort(), ready);
            if (ready.isEmpty()) {
                String msg = "Service " + namespace + "/" + name + " has no usable cluster IP and port for"
                        + " service-upstream (" + clusterIp + ")";
                return failed(ref, msg, Reason.NoReadyEndpoints, "", version);
            }
            return new Resolution(backend(ref), EndpointSet.of(sortedDistinct(ready)), null, null, null, version);
        }
        List<EndpointSlice> slices = index.slices(ref.key()); // headless with service-upstream: endpoints too
        if (!slices.isEmpty()) {
            for (EndpointSlice slice : slices) {
                addReady(slice, servicePort.getName(), ready);
            }
        } else {
            Endpoints legacy = index.endpoints(ref.key());
            if (legacy != null) {
                addReady(legacy, servicePort.getName(), ready);
            }
        }
        if (ready.isEmpty()) {
            String msg = "Service " + namespace + "/" + name + " port " + portLabel + " has no ready endpoints";
            return failed(ref, msg, Reason.NoReadyEndpoints, "", version);
        }
        return new Resolution(backend(ref), EndpointSet.of(sortedDistinct(ready)), null, null, null, version);
    }

    /** The routes' reference to a Service port: equal for equal references, whatever the endpoints. */
    private static Backend backend(CompiledIngress.ServiceRef ref) {
        return new Backend(ref.namespace(), ref.name(), ref.portLabel(), ref.clusterIp(), null);
    }

    private static Resolution failed(CompiledIngress.ServiceRef ref, String msg, Reason reason, String fieldSuffix,
                                     long version) {
        return new Resolution(backend(ref), EndpointSet.none(msg), reason, fieldSuffix, msg, version);
    }

    /** Every Service {@link #resolve} was asked for, as {@code namespace/name}; only when tracking. */
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

    private static void addReady(EndpointSlice slice, String portName, List<Endpoint> out) {
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

    private static void addReady(Endpoints endpoints, String portName, List<Endpoint> out) {
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
    private static void addIfValid(String address, int port, List<Endpoint> out) {
        if (address != null && port >= 1 && port <= 65535
                && Endpoint.isIpLiteral(address)) {
            out.add(new Endpoint(address, port));
        }
    }

    /** The endpoints sorted, each once (a Pod in two slices, an address listed twice). */
    private static List<Endpoint> sortedDistinct(List<Endpoint> endpoints) {
        endpoints.sort(null);
        int n = 0;
        for (Endpoint e : endpoints) {
            if (n == 0 || !e.equals(endpoints.get(n - 1))) {
                endpoints.set(n++, e);
            }
        }
        return List.copyOf(endpoints.subList(0, n));
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
