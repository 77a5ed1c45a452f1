package dev.pier.proxy;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.RouteTable;
import dev.pier.tls.ServerCertificates;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The configuration the proxy serves right now: the routing table and the certificates, swapped together, and the
 * endpoints of the routes' backends, swapped on their own (an endpoint change is one volatile write that no route
 * sees). The control plane publishes with one volatile write each; request threads read with one volatile read each
 * and never lock.
 *
 * <p>Thread-safe. {@link #publish} is meant to be called from one thread (the control plane's rebuild loop).
 */
public final class ActiveRoutes {
    private volatile Published current = new Published(RouteTable.EMPTY, ServerCertificates.NONE, 0, null);
    private volatile EndpointTable endpoints = EndpointTable.EMPTY;
    private final List<Consumer<Published>> preparers = new CopyOnWriteArrayList<>();

    /**
     * Runs {@code preparer} on the publishing thread with every new configuration just before it goes live: for work
     * it needs that must not happen on a request thread (building SSL contexts, resolving meters). It must not throw.
     */
    public void beforePublish(Consumer<Published> preparer) {
        preparers.add(requireNonNull(preparer, "preparer"));
    }

    /** The table in force: {@link RouteTable#EMPTY} until the first {@link #publish}. */
    public RouteTable table() {
        return current.table;
    }

    /** The endpoints in force: {@link EndpointTable#EMPTY} until the first {@link #publish}. */
    public EndpointTable endpoints() {
        return endpoints;
    }

    /** The certificates in force. */
    public ServerCertificates certificates() {
        return current.certificates;
    }

    /** The configuration in force with its generation and time of publication, read together. */
    public Published published() {
        return current;
    }

    /** True once a first configuration has been published. */
    public boolean ready() {
        return current.generation > 0;
    }

    /** {@link #publish(RouteTable, ServerCertificates, EndpointTable)} without certificates of its own. */
    public boolean publish(RouteTable table, EndpointTable endpoints) {
        return publish(table, ServerCertificates.NONE, endpoints);
    }

    /**
     * Makes {@code table}, {@code certificates} and {@code endpoints} the ones in force. The endpoints go first, so
     * new routes find theirs; routes and certificates are swapped unless they equal the current ones (and a
     * configuration was published before).
     *
     * @return true when the routes or certificates were swapped (not for endpoints alone)
     */
    public boolean publish(RouteTable table, ServerCertificates certificates, EndpointTable endpoints) {
        requireNonNull(table, "table");
        requireNonNull(certificates, "certificates");
        this.endpoints = requireNonNull(endpoints, "endpoints");
        Published old = current;
        if (old.generation > 0 && old.table.equals(table) && old.certificates.equals(certificates)) {
            return false;
        }
        Published next = new Published(table, certificates, old.generation + 1, Instant.now());
        for (Consumer<Published> p : preparers) {
            p.accept(next);
        }
        current = next;
        return true;
    }

    /**
     * A published configuration.
     *
     * @param table the routes
     * @param certificates the certificates by server name, and the fallback
     * @param generation 1 for the first published configuration, incremented on every swap; 0 before any
     * @param publishedAt when it was swapped in; null before any
     */
    public record Published(RouteTable table, ServerCertificates certificates, long generation, Instant publishedAt) {}
}
