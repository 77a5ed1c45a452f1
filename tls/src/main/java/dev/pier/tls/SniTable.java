package dev.pier.tls;

import static java.util.Objects.requireNonNull;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which certificate (or anything else) answers a TLS server name: exact names first, then the one-label wildcard
 * ({@code *.example.com} covers {@code a.example.com}, not {@code example.com} nor {@code a.b.example.com}), else
 * nothing, and the caller falls back to its default. Immutable; names are compared case-insensitively, a trailing dot
 * is ignored.
 *
 * @param <T> what a name maps to
 */
public final class SniTable<T> {
    private static final SniTable<?> EMPTY = new SniTable<>(Map.of());

    private final Map<String, T> byName; // exact names, and wildcards under "*.suffix"

    private SniTable(Map<String, T> byName) {
        this.byName = byName;
    }

    @SuppressWarnings("unchecked")
    public static <T> SniTable<T> empty() {
        return (SniTable<T>) EMPTY;
    }

    public static <T> Builder<T> builder() {
        return new Builder<>();
    }

    /** The value for a server name (exact, else its wildcard), or null when there is none. */
    public T lookup(String serverName) {
        if (serverName == null || serverName.isEmpty() || byName.isEmpty()) {
            return null;
        }
        String name = normalize(serverName);
        T exact = byName.get(name);
        if (exact != null) {
            return exact;
        }
        int dot = name.indexOf('.');
        return dot > 0 ? byName.get("*" + name.substring(dot)) : null;
    }

    /** The value put for exactly this name ({@code *.suffix} for a wildcard), or null: no wildcard fallback. */
    public T get(String name) {
        return byName.get(normalize(name));
    }

    /** Every value, in no order; no copy. */
    public Collection<T> values() {
        return byName.values();
    }

    /** Every entry, names sorted ({@code *.suffix} for wildcards); a sorted copy, for dumps. */
    public Map<String, T> entries() {
        return Collections.unmodifiableMap(new TreeMap<>(byName));
    }

    public boolean isEmpty() {
        return byName.isEmpty();
    }

    public int size() {
        return byName.size();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SniTable<?> t && byName.equals(t.byName);
    }

    @Override
    public int hashCode() {
        return byName.hashCode();
    }

    @Override
    public String toString() {
        return "SniTable" + entries().keySet();
    }

    static String normalize(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }

    /** Collects entries; the first value put for a name keeps it. Confined to one thread. */
    public static final class Builder<T> {
        private final Map<String, T> byName = new HashMap<>();

        private Builder() {}

        /**
         * Maps an exact name or a {@code *.suffix} wildcard, unless the name already has a value.
         *
         * @return null when added, else the value already holding the name
         */
        public T putIfAbsent(String name, T value) {
            requireNonNull(value, "value");
            return byName.putIfAbsent(normalize(requireNonNull(name, "name")), value);
        }

        public boolean contains(String name) {
            return byName.containsKey(normalize(name));
        }

        public SniTable<T> build() {
            return byName.isEmpty() ? empty() : new SniTable<>(Map.copyOf(byName));
        }
    }
}
