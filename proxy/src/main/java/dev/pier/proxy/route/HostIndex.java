package dev.pier.proxy.route;

import java.util.Map;

/**
 * An immutable open-addressing hash map from lower-case ASCII host names to values, looked up by a region of any
 * {@link CharSequence} with ASCII case folding, so a raw Host header can be used as the key without copying it.
 *
 * @param <V> the value type
 */
final class HostIndex<V> {
    private final String[] keys;
    private final int[] hashes; // compared before a key is dereferenced
    private final Object[] values;
    private final int mask;

    HostIndex(Map<String, V> entries) {
        int capacity = Integer.highestOneBit(Math.max(4, entries.size() * 2 - 1)) << 1;
        keys = new String[capacity];
        hashes = new int[capacity];
        values = new Object[capacity];
        mask = capacity - 1;
        for (Map.Entry<String, V> e : entries.entrySet()) {
            String key = e.getKey();
            for (int i = 0; i < key.length(); i++) {
                char c = key.charAt(i);
                if (c >= 'A' && c <= 'Z') {
                    throw new IllegalArgumentException("host key must be lower case: " + key);
                }
            }
            int hash = hash(key, 0, key.length());
            int slot = hash & mask;
            while (keys[slot] != null) {
                slot = (slot + 1) & mask;
            }
            keys[slot] = key;
            hashes[slot] = hash;
            values[slot] = e.getValue();
        }
    }

    /** The value for {@code host[start, end)} compared case-insensitively (ASCII), or null. Allocates nothing. */
    @SuppressWarnings("unchecked")
    V get(CharSequence host, int start, int end) {
        int hash = hash(host, start, end);
        int slot = hash & mask;
        String key;
        while ((key = keys[slot]) != null) {
            if (hashes[slot] == hash && equalsIgnoreAsciiCase(key, host, start, end)) {
                return (V) values[slot];
            }
            slot = (slot + 1) & mask;
        }
        return null;
    }

    private static int hash(CharSequence s, int start, int end) {
        int h = 0;
        for (int i = start; i < end; i++) {
            h = 31 * h + toLower(s.charAt(i));
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreAsciiCase(String lowerKey, CharSequence s, int start, int end) {
        if (lowerKey.length() != end - start) {
            return false;
        }
        for (int i = 0; i < lowerKey.length(); i++) {
            if (lowerKey.charAt(i) != toLower(s.charAt(start + i))) {
                return false;
            }
        }
        return true;
    }

    private static char toLower(char c) {
        return c >= 'A' && c <= 'Z' ? (char) (c + ('a' - 'A')) : c;
    }
}
