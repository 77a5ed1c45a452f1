package dev.pier.watcher.translate;

import dev.pier.proxy.route.EndpointSet;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.tls.ServerCertificates;
import dev.pier.tls.TlsCredential;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The result of a translation.
 *
 * @param table the routes to serve
 * @param endpoints the endpoints of every Service port the routes reference and that resolved (with or without ready
 *     endpoints); published on its own, so an endpoint change leaves {@code table} as it was
 * @param tls the certificates to serve, by server name, and the configured default
 * @param problems what could not be served as written, in a deterministic order
 * @param served the Ingresses Pier took (its class), whether or not all their rules could be served
 * @param referencedServices every Service the table depends on, as {@code namespace/name}, found or not: a change to
 *     any other Service (or its EndpointSlices) cannot change the table
 * @param referencedSecrets every TLS Secret the table depends on, as {@code namespace/name}, found or not
 * @param nextValidityChange when a certificate in the input next becomes valid or expires (translate again then), or
 *     null when none will
 * @param certificates the certificate of each referenced TLS Secret that parsed, valid or not
 */
public record Translation(RouteTable table, EndpointTable endpoints, ServerCertificates tls, List<Problem> problems,
                          List<ObjectRef> served, Set<String> referencedServices, Set<String> referencedSecrets,
                          Instant nextValidityChange, Map<ObjectRef, TlsCredential> certificates) {
    public Translation {
        referencedSecrets = Set.copyOf(referencedSecrets);
        certificates = Map.copyOf(certificates);
        problems = List.copyOf(problems);
        served = List.copyOf(served);
        referencedServices = Set.copyOf(referencedServices);
    }

    /** The endpoints {@code route} goes to, as {@link #endpoints} has them (none for the built-in 404). */
    public EndpointSet endpointsOf(Route route) {
        return route.backend() == null ? EndpointSet.UNKNOWN : endpoints.get(route.backend());
    }
}
