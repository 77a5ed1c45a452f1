package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

/**
 * The endpoints of every backend the routes use: immutable, published apart from the {@link RouteTable} so that an
 * EndpointSlice change replaces an entry here and never a route. The proxy looks a route's backend up at pick time.
 *
 * <p>One open-addressing array, each key beside its value (a lookup reads one slot, usually one cache line, and
 * allocates nothing). An endpoint change copies the array and replaces values in place of rehashing: at 10,000
 * backends that is one array copy.
 *
 * <p>Two tables with equal entries are {@link #equals equal}, so a publisher can skip a swap that changes nothing.
 */
public final class EndpointTable {
    public static final EndpointTable EMPTY = new EndpointTable(new Object[2], 0);

    private final Object[] slots; // key at 2i (a Backend, or null), its EndpointSet at 2i + 1; a power of two of pairs
    private final int size;

    private EndpointTable(Object[] slots, int size) {
        this.slots = slots;
        this.size = size;
    }

    /** A table of these entries. */
    public static EndpointTable of(Map<Backend, EndpointSet> entries) {
        int pairs = Integer.highestOneBit(Math.max(1, entries.size()) * 2 - 1) << 1; // at most half full
        Object[] slots = new Object[pairs * 2];
        for (Map.Entry<Backend, EndpointSet> e : entries.entrySet()) {
            int i = find(slots, requireNonNull(e.getKey(), "backend"));
            slots[i] = e.getKey();
            slots[i + 1] = requireNonNull(e.getValue(), "endpoints");
        }
        return new EndpointTable(slots, entries.size());
    }

    /** The index of {@code key}'s slot in {@code slots}: where it is, or the free slot where it would go. */
    private static int find(Object[] slots, Backend key) {
        int mask = (slots.length >> 1) - 1;
        int h = key.hashCode();
        int i = (h ^ (h >>> 16)) & mask;
        while (true) {
            Object k = slots[i << 1];
            if (k == null || k == key || k.equals(key)) {
                return i << 1;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * The endpoints of {@code backend}: none, with the reason, for a {@linkplain Backend#refusal refused} backend;
     * {@link EndpointSet#UNKNOWN} (none) for one not in the table.
     */
    public EndpointSet get(Backend backend) {
        int i = find(slots, backend);
        if (slots[i] != null) {
            return (EndpointSet) slots[i + 1];
        }
        return backend.refusal() != null ? EndpointSet.none(backend.refusal()) : EndpointSet.UNKNOWN;
    }

    /**
     * This table with {@code changes} put in (replacing entries of the same backends) and the entries of {@code gone}
     * taken out; this when nothing changes. Replacing values copies the array; adding or removing keys builds anew.
     */
    public EndpointTable with(Map<Backend, EndpointSet> changes, Collection<Backend> gone) {
        requireNonNull(changes, "changes");
        requireNonNull(gone, "gone");
        boolean keysChange = false;
        boolean valuesChange = false;
        for (Map.Entry<Backend, EndpointSet> e : changes.entrySet()) {
            int i = find(slots, e.getKey());
            keysChange |= slots[i] == null;
            valuesChange |= slots[i] != null && !e.getValue().equals(slots[i + 1]);
        }
        for (Backend b : gone) {
            keysChange |= !changes.containsKey(b) && slots[find(slots, b)] != null;
        }
        if (keysChange) {
            Map<Backend, EndpointSet> all = toMap();
            all.keySet().removeAll(gone);
            all.putAll(changes);
            return of(all);
        }
        if (!valuesChange) {
            return this;
        }
        Object[] copy = slots.clone();
        for (Map.Entry<Backend, EndpointSet> e : changes.entrySet()) {
            copy[find(copy, e.getKey()) + 1] = e.getValue();
        }
        return new EndpointTable(copy, size);
    }

    /** The entries, in a new map. */
    public Map<Backend, EndpointSet> toMap() {
        Map<Backend, EndpointSet> out = new HashMap<>(size * 2);
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i] != null) {
                out.put((Backend) slots[i], (EndpointSet) slots[i + 1]);
            }
        }
        return out;
    }

    /** Endpoints over all entries (an endpoint of two backends counts twice). */
    public long endpointCount() {
        long n = 0;
        for (int i = 1; i < slots.length; i += 2) {
            if (slots[i] != null) {
                n += ((EndpointSet) slots[i]).endpoints().size();
            }
        }
        return n;
    }

    public int size() {
        return size;
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) {
            return true;
        }
        if (!(o instanceof EndpointTable t) || t.size != size) {
            return false;
        }
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i] != null) {
                int j = find(t.slots, (Backend) slots[i]);
                if (t.slots[j] == null || !slots[i + 1].equals(t.slots[j + 1])) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = 0;
        for (int i = 0; i < slots.length; i += 2) {
            if (slots[i] != null) {
                h += slots[i].hashCode() ^ slots[i + 1].hashCode();
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "EndpointTable" + toMap();
    }
}
