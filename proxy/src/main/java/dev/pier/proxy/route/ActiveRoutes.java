package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The table the proxy serves right now. The control plane publishes a new table with one volatile write; request
 * threads read it with one volatile read and never lock.
 *
 * <p>Thread-safe. {@link #publish} is meant to be called from one thread (the control plane's rebuild loop).
 */
public final class ActiveRoutes {
    private volatile Published current = new Published(RouteTable.EMPTY, 0, null);
    private final List<Consumer<RouteTable>> preparers = new CopyOnWriteArrayList<>();

    /**
     * Runs {@code preparer} on the publishing thread with every new table just before it goes live: for work a
     * table needs that must not happen on a request thread (building SSL contexts). It must not throw.
     */
    public void beforePublish(Consumer<RouteTable> preparer) {
        preparers.add(requireNonNull(preparer, "preparer"));
    }

    /** The table in force: {@link RouteTable#EMPTY} until the first {@link #publish}. */
    public RouteTable table() {
        return current.table;
    }

    /** The table with its generation and time of publication, read together. */
    public Published published() {
        return current;
    }

    /** True once a first configuration has been published. */
    public boolean ready() {
        return current.generation > 0;
    }

    /**
     * Makes {@code table} the one in force, unless it equals the current one (and one was published before).
     *
     * @return true when the table was swapped
     */
    public boolean publish(RouteTable table) {
        requireNonNull(table, "table");
        Published old = current;
        if (old.generation > 0 && old.table.equals(table)) {
            return false;
        }
        for (Consumer<RouteTable> p : preparers) {
            p.accept(table);
        }
        current = new Published(table, old.generation + 1, Instant.now());
        return true;
    }

    /**
     * A published table.
     *
     * @param table the routes
     * @param generation 1 for the first published table, incremented on every swap; 0 before any
     * @param publishedAt when it was swapped in; null before any
     */
    public record Published(RouteTable table, long generation, Instant publishedAt) {}
}
