package dev.pier.watcher.translate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/** What changed between two lists of Ingresses, and the edit that turns one order into the next. */
final class ListDiff {
    private ListDiff() {}

    /**
     * Compares two lists of distinct objects by identity, expecting them mostly in the same order (sources list their
     * objects in a stable order): adds to {@code gone} the objects of {@code before} not in {@code now}, and to
     * {@code come} those of {@code now} not in {@code before}. Reads only the references, never the objects. Returns
     * false, with the lists incomplete, when more than about {@code limit} objects differ or moved.
     */
    static <T> boolean diff(List<T> before, List<T> now, List<T> gone, List<T> come, int limit) {
        if (before == null) {
            return false;
        }
        List<T> skippedBefore = new ArrayList<>();
        List<T> skippedNow = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < before.size() && j < now.size()) {
            if (before.get(i) == now.get(j)) {
                i++;
                j++;
                continue;
            }
            // Where the lists meet again: after some objects inserted, removed, or replaced.
            int skipBefore = 1;
            int skipNow = 1;
            for (int d = 1; d <= LOOKAHEAD; d++) {
                if (j + d < now.size() && before.get(i) == now.get(j + d)) {
                    skipBefore = 0;
                    skipNow = d;
                    break;
                }
                if (i + d < before.size() && before.get(i + d) == now.get(j)) {
                    skipBefore = d;
                    skipNow = 0;
                    break;
                }
                if (i + d < before.size() && j + d < now.size() && before.get(i + d) == now.get(j + d)) {
                    skipBefore = d;
                    skipNow = d;
                    break;
                }
            }
            skippedBefore.addAll(before.subList(i, i + skipBefore));
            skippedNow.addAll(now.subList(j, j + skipNow));
            i += skipBefore;
            j += skipNow;
            if (skippedBefore.size() > limit || skippedNow.size() > limit) {
                return false;
            }
        }
        if (before.size() - i + skippedBefore.size() > limit || now.size() - j + skippedNow.size() > limit) {
            return false;
        }
        skippedBefore.addAll(before.subList(i, before.size()));
        skippedNow.addAll(now.subList(j, now.size()));
        Set<T> inBefore = Collections.newSetFromMap(new IdentityHashMap<>());
        inBefore.addAll(skippedBefore);
        Set<T> inNow = Collections.newSetFromMap(new IdentityHashMap<>());
        inNow.addAll(skippedNow);
        for (T o : skippedBefore) {
            if (!inNow.contains(o)) {
                gone.add(o);
            }
        }
        for (T o : skippedNow) {
            if (!inBefore.contains(o)) {
                come.add(o);
            }
        }
        return true;
    }

    /** How far {@link #diff} looks ahead for where two lists meet again. */
    private static final int LOOKAHEAD = 8;

    /**
     * Turns the last translation's Ingress order into the next one: positions to drop and positions to insert at,
     * applied alike to the order and to the lists kept aligned with it ({@link Translation#served}).
     *
     * @param cuts indexes of removed Ingresses, ascending
     * @param inserts for each added Ingress (oldest first), the index it goes before, non-decreasing
     */
    record Edit(int[] cuts, int[] inserts) {
        /**
         * The edit that removes {@code removed} from {@code order} and inserts {@code added} (oldest first) where
         * they sort; null when an added Ingress sorts equal to one kept (two objects of one namespace and name).
         */
        static Edit of(List<CompiledIngress> order, List<CompiledIngress> removed, List<CompiledIngress> added) {
            Set<CompiledIngress> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
            dropped.addAll(removed);
            int[] cuts = new int[removed.size()];
            for (int k = 0; k < cuts.length; k++) {
                CompiledIngress c = removed.get(k);
                int at = lowerBound(order, c.order);
                while (order.get(at) != c) { // equal keys only when an updated Ingress's old one sits there too
                    at++;
                }
                cuts[k] = at;
            }
            Arrays.sort(cuts);
            int[] inserts = new int[added.size()];
            for (int k = 0; k < inserts.length; k++) {
                String key = added.get(k).order;
                int at = lowerBound(order, key);
                for (int e = at; e < order.size() && order.get(e).order.equals(key); e++) {
                    if (!dropped.contains(order.get(e))) {
                        return null;
                    }
                }
                inserts[k] = at;
            }
            return new Edit(cuts, inserts);
        }

        private static int lowerBound(List<CompiledIngress> order, String key) {
            int low = 0;
            int high = order.size();
            while (low < high) {
                int mid = (low + high) >>> 1;
                if (order.get(mid).order.compareTo(key) < 0) {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            return low;
        }

        /** {@code base} (aligned with the old order) with the cut elements dropped and {@code inserted} put in. */
        <T> List<T> apply(List<T> base, List<T> inserted) {
            List<T> out = new ArrayList<>(base.size() - cuts.length + inserted.size());
            int p = 0;
            int c = 0;
            int a = 0;
            while (true) {
                int next = Math.min(c < cuts.length ? cuts[c] : base.size(),
                        a < inserts.length ? inserts[a] : base.size());
                out.addAll(base.subList(p, next));
                p = next;
                if (a < inserts.length && inserts[a] == p) {
                    out.add(inserted.get(a++));
                } else if (c < cuts.length && cuts[c] == p) {
                    c++;
                    p++;
                } else {
                    return out;
                }
            }
        }
    }
}
