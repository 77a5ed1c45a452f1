package dev.pier.watcher.translate;

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
public record Translation(RouteTable table, ServerCertificates tls, List<Problem> problems, List<ObjectRef> served,
                          Set<String> referencedServices, Set<String> referencedSecrets,
                          Instant nextValidityChange, Map<ObjectRef, TlsCredential> certificates) {
    public Translation {
        referencedSecrets = Set.copyOf(referencedSecrets);
        certificates = Map.copyOf(certificates);
        problems = List.copyOf(problems);
        served = List.copyOf(served);
        referencedServices = Set.copyOf(referencedServices);
    }
}
