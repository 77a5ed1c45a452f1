package dev.pier.proxy.route;

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
 * A rule header is {@code length << 1 | exact}. Prefix rule paths are stored without trailing slashes ({@code /foo/}
 * as {@code /foo}, {@code /} as empty), so an element-wise match is: the request path is as long, the character right
 * after is {@code /} or the path ends there, and the characters are equal; the two cheap checks come first. A lookup
 * reads one slot line, one run read front to back, and the matching route.
 */
final class HostIndex {
    static final int MAX_RULES_PER_HOST = (1 << 20) - 1;
    /** Longest rule path that fits a header; no request line Pier accepts is longer. */
    static final int MAX_PATH_LENGTH = Character.MAX_VALUE >> 1;
    private static final int STRIDE = 4;

    private final int[] slots;
    private final char[] data;
    private final Route[] routes;
    private final int mask;

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
            chars += hosts.get(i).length();
            for (Route r : rules.get(i)) {
                chars += 1 + PathMatcher.matchLength(r);
                routeCount++;
            }
        }
        data = new char[chars];
        routes = new Route[routeCount];
        int at = 0;
        int route = 0;
        for (int i = 0; i < hosts.size(); i++) {
            String key = hosts.get(i);
            List<Route> hostRules = rules.get(i);
            check(key, hostRules.size());
            int hash = hash(key, 0, key.length());
            int slot = hash & mask;
            while (slots[slot * STRIDE + 2] != 0) {
                slot = (slot + 1) & mask;
            }
            int base = slot * STRIDE;
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
                data[at++] = (char) (length << 1 | (r.pathType().isExact() ? 1 : 0));
                r.path().getChars(0, length, data, at);
                at += length;
                routes[route++] = r;
            }
        }
    }

    private HostIndex(int[] slots, char[] data, Route[] routes, int mask) {
        this.slots = slots;
        this.data = data;
        this.routes = routes;
        this.mask = mask;
    }

    /**
     * This index with some routes replaced by others of the same host, path and type (a new backend): the hash slots
     * and key data are shared, only the route array is copied.
     */
    HostIndex withRoutes(Map<Route, Route> replacements) {
        Route[] copy = routes.clone();
        int replaced = 0;
        for (int i = 0; i < copy.length && replaced < replacements.size(); i++) {
            Route r = replacements.get(copy[i]);
            if (r != null) {
                copy[i] = r;
                replaced++;
            }
        }
        return new HostIndex(slots, data, copy, mask);
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
            int len = header >>> 1;
            boolean candidate = (header & 1) != 0
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
