package dev.pier.proxy.route;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An immutable open-addressing hash index from lower-case ASCII host names to their rules, looked up by a region of
 * any {@link CharSequence} with ASCII case folding, so a raw Host header is the key without being copied.
 *
 * <p>Laid out for few cache misses: each slot is four ints in one {@code int[]} (hash, data offset, key length and
 * rule count, first route), and each host's key and rules are one contiguous run of one {@code char[]}:
 * <pre>
 *   key chars | rule 0 header, rule 0 path chars | rule 1 header, rule 1 path chars | ...
 * </pre>
 * A rule header is {@code length << 2 | regex << 1 | exact}. Prefix rule paths are stored without trailing slashes
 * ({@code /foo/} as {@code /foo}, {@code /} as empty), so an element-wise match is: the request path is as long, the
 * character right after is {@code /} or the path ends there, and the characters are equal; the two cheap checks come
 * first. A lookup reads one slot line, one run read front to back, and the matching route. A regular expression has
 * no chars: its route matches it, in the order of the rules.
 */
final class HostIndex {
    static final int MAX_RULES_PER_HOST = (1 << 20) - 1;
    /** Longest rule path that fits a header; no request line Pier accepts is longer. */
    static final int MAX_PATH_LENGTH = Route.MAX_PATH_LENGTH;
    private static final int EXACT = 1;
    private static final int REGEX = 2;
    private static final int STRIDE = 4;

    private final int[] slots;
    private final char[] data;
    private final Route[] routes;
    private final int mask;
    // Set while the index is built (in a constructor or withHosts), fixed once it is handed out:
    private int size; // keys held
    private int deadChars; // chars of runs no slot points to any more (replaced or removed keys)
    private int deadRoutes;

    /**
     * @param hosts lower-case ASCII keys, at most 255 characters each (the empty key is allowed)
     * @param rules for each key, its rules in precedence order (at least one)
     */
    HostIndex(List<String> hosts, List<List<Route>> rules) {
        int capacity = Integer.highestOneBit(Math.max(4, hosts.size() * 2 - 1)) << 1;
        slots = new int[capacity * STRIDE];
        mask = capacity - 1;
        int chars = 0;
        int routeCount = 0;
        for (int i = 0; i < hosts.size(); i++) {
            chars += runLength(hosts.get(i), rules.get(i));
            routeCount += rules.get(i).size();
        }
        data = new char[chars];
        routes = new Route[routeCount];
        int at = 0;
        int route = 0;
        for (int i = 0; i < hosts.size(); i++) {
            String key = hosts.get(i);
            List<Route> hostRules = rules.get(i);
            put(-1, key, hostRules, at, route);
            at += runLength(key, hostRules);
            route += hostRules.size();
        }
    }

    private HostIndex(int[] slots, char[] data, Route[] routes, int mask) {
        this.slots = slots;
        this.data = data;
        this.routes = routes;
        this.mask = mask;
    }


    /**
     * This index with the rules of some keys replaced, keys added, and keys removed (given no rules), or null when
     * it is better built afresh: it would be more than half full, or more than half of its data would be runs no key
     * uses (so a patched index never takes more than twice the memory of a fresh one). The arrays are copied and the
     * new runs appended; this index is not changed.
     *
     * @param changes key to its rules in precedence order, or to an empty list to remove the key
     */
    HostIndex withHosts(Map<String, List<Route>> changes) {
        int chars = 0;
        int routeCount = 0;
        int added = 0; // at most: some may replace a key
        for (Map.Entry<String, List<Route>> e : changes.entrySet()) {
            if (!e.getValue().isEmpty()) {
                chars += runLength(e.getKey(), e.getValue());
                routeCount += e.getValue().size();
                added++;
            }
        }
        if ((size + added) * 2 > mask + 1) {
            return null;
        }
        HostIndex out = new HostIndex(slots.clone(), Arrays.copyOf(data, data.length + chars),
                Arrays.copyOf(routes, routes.length + routeCount), mask);
        out.size = size;
        out.deadChars = deadChars;
        out.deadRoutes = deadRoutes;
        int at = data.length;
        int route = routes.length;
        for (Map.Entry<String, List<Route>> e : changes.entrySet()) {
            String key = e.getKey();
            int found = out.find(key, 0, key.length());
            if (found >= 0) {
                out.deadChars += out.runLengthAt(found);
                out.deadRoutes += out.slots[found + 2] & MAX_RULES_PER_HOST;
            }
            if (e.getValue().isEmpty()) {
                if (found >= 0) {
                    out.delete(found / STRIDE);
                }
                continue;
            }
            out.put(found, key, e.getValue(), at, route);
            at += runLength(key, e.getValue());
            route += e.getValue().size();
        }
        return out.deadChars * 2 > out.data.length || out.deadRoutes * 2 > out.routes.length ? null : out;
    }

    /** The number of keys. */
    int size() {
        return size;
    }

    /** Chars and routes held, dead runs included: what the index costs in memory beyond its slots. */
    int footprint() {
        return data.length + routes.length;
    }

    /** The chars a key and its rules take in {@link #data}. */
    private static int runLength(String key, List<Route> rules) {
        int chars = key.length();
        for (Route r : rules) {
            chars += 1 + PathMatcher.matchLength(r);
        }
        return chars;
    }

    /** The chars of the run the slot at {@code base} points to. */
    private int runLengthAt(int base) {
        int lengthAndCount = slots[base + 2];
        int at = slots[base + 1] + (lengthAndCount >>> 20);
        for (int i = lengthAndCount & MAX_RULES_PER_HOST; i > 0; i--) {
            at += 1 + (data[at] >>> 2);
        }
        return at - slots[base + 1];
    }

    /**
     * Writes a key's run at {@code at} (its routes at {@code route}) and points a slot to it: the slot at
     * {@code base} when the key has one, else a free slot of its probe sequence.
     */
    private void put(int base, String key, List<Route> hostRules, int at, int route) {
        check(key, hostRules.size());
        int hash = hash(key, 0, key.length());
        if (base < 0) {
            int slot = hash & mask;
            while (slots[slot * STRIDE + 2] != 0) {
                slot = (slot + 1) & mask;
            }
            base = slot * STRIDE;
            size++;
        }
        slots[base] = hash;
        slots[base + 1] = at;
        slots[base + 2] = key.length() << 20 | hostRules.size();
        slots[base + 3] = route;
        key.getChars(0, key.length(), data, at);
        at += key.length();
        for (Route r : hostRules) {
            int length = PathMatcher.matchLength(r); // the path, without trailing slashes for prefix types
            if (length > MAX_PATH_LENGTH) {
                throw new IllegalArgumentException("rule path longer than " + MAX_PATH_LENGTH + ": " + length);
            }
            int kind = (PathMatcher.isRegex(r) ? REGEX : 0) | (r.pathType().isExact() ? EXACT : 0);
            data[at++] = (char) (length << 2 | kind);
            r.path().getChars(0, length, data, at);
            at += length;
            routes[route++] = r;
        }
    }

    /** Empties a slot and moves later slots of the probe run back, so every key stays reachable from its home. */
    private void delete(int slot) {
        int hole = slot;
        Arrays.fill(slots, hole * STRIDE, hole * STRIDE + STRIDE, 0);
        size--;
        int j = hole;
        while (true) {
            j = (j + 1) & mask;
            if (slots[j * STRIDE + 2] == 0) {
                return;
            }
            int home = slots[j * STRIDE] & mask;
            // the entry at j may move to the hole unless its home lies cyclically in (hole, j]
            boolean stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
            if (!stays) {
                System.arraycopy(slots, j * STRIDE, slots, hole * STRIDE, STRIDE);
                Arrays.fill(slots, j * STRIDE, j * STRIDE + STRIDE, 0);
                hole = j;
            }
        }
    }

    private static void check(String key, int ruleCount) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if ((c >= 'A' && c <= 'Z') || c <= ' ' || c > '~') {
                throw new IllegalArgumentException("host key must be lower-case printable ASCII: " + key);
            }
        }
        if (key.length() > 255 || ruleCount < 1 || ruleCount > MAX_RULES_PER_HOST) {
            throw new IllegalArgumentException("host key " + key + " with " + ruleCount + " rules");
        }
    }

    /**
     * The slot of {@code host[start, end)} compared case-insensitively (ASCII), or -1. Allocates nothing. Pass the
     * result to {@link #match}.
     */
    int find(CharSequence host, int start, int end) {
        return find(host, start, end, rawHash(host, start, end));
    }

    /** {@link #find(CharSequence, int, int)} with the caller's {@link #rawHash} of the same region. */
    int find(CharSequence host, int start, int end, int rawHash) {
        int length = end - start;
        int hash = mix(rawHash);
        int slot = hash & mask;
        int lengthAndCount;
        while ((lengthAndCount = slots[slot * STRIDE + 2]) != 0) {
            int base = slot * STRIDE;
            if (slots[base] == hash && lengthAndCount >>> 20 == length && keyEquals(slots[base + 1], host, start, end)) {
                return base;
            }
            slot = (slot + 1) & mask;
        }
        return -1;
    }

    /** The first rule of the host at {@code found} whose path matches {@code uri[0, pathEnd)}, or null. */
    Route match(int found, String uri, int pathEnd) {
        int lengthAndCount = slots[found + 2];
        int at = slots[found + 1] + (lengthAndCount >>> 20);
        int count = lengthAndCount & MAX_RULES_PER_HOST;
        for (int i = 0; i < count; i++) {
            int header = data[at++];
            int len = header >>> 2;
            if ((header & REGEX) != 0) {
                Route r = routes[slots[found + 3] + i];
                if (r.regex().matchesStart(uri, pathEnd)) {
                    return r;
                }
                continue;
            }
            boolean candidate = (header & EXACT) != 0
                    ? pathEnd == len
                    : pathEnd >= len && (pathEnd == len || uri.charAt(len) == '/');
            if (candidate) {
                int j = 0;
                while (j < len && uri.charAt(j) == data[at + j]) {
                    j++;
                }
                if (j == len) {
                    return routes[slots[found + 3] + i];
                }
            }
            at += len;
        }
        return null;
    }

    private boolean keyEquals(int offset, CharSequence s, int start, int end) {
        for (int i = start; i < end; i++) {
            if (data[offset++] != toLower(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static int hash(CharSequence s, int start, int end) {
        return mix(rawHash(s, start, end));
    }

    /** The polynomial hash of the lower-cased region; callers may compute it incrementally, as {@code 31 * h + c}. */
    static int rawHash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + toLower(s.charAt(i));
        }
        return h;
    }

    private static int mix(int h) {
        return h ^ (h >>> 16);
    }

    static char toLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
