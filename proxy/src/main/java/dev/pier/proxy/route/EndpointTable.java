package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The endpoints of every backend the routes use: immutable, published apart from the {@link RouteTable} so that an
 * EndpointSlice change rebuilds an entry here and never a route. The proxy looks a route's backend up at pick time
 * (one hash lookup, nothing allocated).
 *
 * <p>Two tables with equal entries are {@link #equals equal}, so a publisher can skip a swap that changes nothing.
 */
public final class EndpointTable {
    public static final EndpointTable EMPTY = new EndpointTable(Map.of());

    private final Map<Backend, EndpointSet> entries;

    private EndpointTable(Map<Backend, EndpointSet> entries) {
        this.entries = entries;
    }

    /** A table of these entries. */
    public static EndpointTable of(Map<Backend, EndpointSet> entries) {
        return new EndpointTable(Map.copyOf(entries));
    }

    /**
     * The endpoints of {@code backend}: none, with the reason, for a {@linkplain Backend#refusal refused} backend;
     * {@link EndpointSet#UNKNOWN} (none) for one not in the table.
     */
    public EndpointSet get(Backend backend) {
        EndpointSet s = entries.get(backend);
        return s != null ? s : backend.refusal() != null ? EndpointSet.none(backend.refusal()) : EndpointSet.UNKNOWN;
    }

    /** The endpoints of {@code backend}, or null when the table has no entry for it. */
    public EndpointSet find(Backend backend) {
        return entries.get(backend);
    }

    /**
     * This table with {@code changes} put in (replacing entries of the same backends) and the entries of {@code gone}
     * taken out; this when nothing changes.
     */
    public EndpointTable with(Map<Backend, EndpointSet> changes, Collection<Backend> gone) {
        requireNonNull(changes, "changes");
        requireNonNull(gone, "gone");
        boolean changed = false;
        for (Map.Entry<Backend, EndpointSet> e : changes.entrySet()) {
            changed |= !e.getValue().equals(entries.get(e.getKey()));
        }
        for (Backend b : gone) {
            changed |= entries.containsKey(b) && !changes.containsKey(b);
        }
        if (!changed) {
            return this;
        }
        Map<Backend, EndpointSet> next = new HashMap<>(entries);
        next.keySet().removeAll(gone);
        next.putAll(changes);
        return new EndpointTable(Map.copyOf(next));
    }

    /** Endpoints over all entries (an endpoint of two backends counts twice). */
    public long endpointCount() {
        long n = 0;
        for (EndpointSet s : entries.values()) {
            n += s.endpoints().size();
        }
        return n;
    }

    public int size() {
        return entries.size();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof EndpointTable t && entries.equals(t.entries));
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "EndpointTable" + entries;
    }
}
