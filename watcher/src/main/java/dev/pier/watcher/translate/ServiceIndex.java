package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Services with their endpoints, by {@code namespace/name}, and a version per Service that changes whenever the
 * Service, one of its EndpointSlices or its Endpoints changes. A translation remembers the version each Service port
 * was resolved at and resolves it again only when the version moved: an unchanged Service costs one lookup.
 *
 * <p>The objects stay where the source keeps them ({@link Source}: the informer caches, or maps built from a list of
 * objects), so nothing is held twice; the index itself holds only versions. A source bumps a Service's version
 * ({@link #changed}) after its objects changed, and a translation reads the version before the objects: what it
 * remembers is never older than the version it remembers it under, and a change that lands during a translation is
 * picked up by the next one.
 */
public final class ServiceIndex {
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final AtomicLong VERSIONS = new AtomicLong();

    /** Where the objects are, by the Service's {@code namespace/name}. Thread-safe. */
    public interface Source {
        /** The Service, or null. */
        Service service(String key);

        /** The EndpointSlices labelled with the Service's name, in its namespace; empty when none. */
        List<EndpointSlice> slices(String key);

        /** The v1 Endpoints of the same name, or null. */
        Endpoints endpoints(String key);
    }

    /** How many recent changes {@link #changedSince} can answer for. */
    static final int LOG_SIZE = 256;

    private final Source source;
    private final long created = VERSIONS.incrementAndGet();
    private final Map<String, Long> versions = new ConcurrentHashMap<>();
    // The last LOG_SIZE changes, oldest overwritten first; guarded by this.
    private final String[] logKeys = new String[LOG_SIZE];
    private final long[] logVersions = new long[LOG_SIZE];
    private long logged;
    private long forgotten; // the version of the newest change the log no longer holds; 0 for none
    private volatile long latest = created;

    public ServiceIndex(Source source) {
        this.source = source;
    }

    /** An index over a copy of these objects, changed only through {@link #put} and {@link #remove}. */
    public static ServiceIndex of(List<Service> services, List<EndpointSlice> slices, List<Endpoints> endpoints) {
        ServiceIndex index = new ServiceIndex(new MapSource());
        for (Service s : services) {
            index.put(s);
        }
        for (EndpointSlice s : slices) {
            index.put(s);
        }
        for (Endpoints e : endpoints) {
            index.put(e);
        }
        return index;
    }

    /**
     * The Service's version: different from every earlier one whenever its objects changed since. Services never
     * changed share the index's creation version, which no other index hands out.
     */
    public long version(String key) {
        Long v = versions.get(key);
        return v != null ? v : created;
    }

    /** The source changed objects of this Service (after the change is visible in the source). */
    public synchronized void changed(String key) {
        long version = VERSIONS.incrementAndGet();
        versions.put(key, version);
        int at = (int) (logged++ % LOG_SIZE);
        if (logKeys[at] != null) {
            forgotten = logVersions[at];
        }
        logKeys[at] = key;
        logVersions[at] = version;
        latest = version;
    }

    /**
     * A mark of the changes so far, for {@link #changedSince}: every later change has a greater version. Read it
     * before the versions it is meant to cover.
     */
    public long latest() {
        return latest;
    }

    /**
     * The Services changed after {@code mark} (a value of {@link #latest} of this index), as {@code namespace/name},
     * or null when the log no longer reaches back that far: then any Service may have changed.
     */
    public synchronized Set<String> changedSince(long mark) {
        if (forgotten > mark) {
            return null;
        }
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < LOG_SIZE; i++) {
            if (logKeys[i] != null && logVersions[i] > mark) {
                keys.add(logKeys[i]);
            }
        }
        return keys;
    }

    public Service service(String key) {
        return source.service(key);
    }

    public List<EndpointSlice> slices(String key) {
        return source.slices(key);
    }

    public Endpoints endpoints(String key) {
        return source.endpoints(key);
    }

    /** Adds or replaces a Service, EndpointSlice or Endpoints of an index made by {@link #of}. */
    public void put(HasMetadata o) {
        String key = maps().put(o);
        if (key != null) {
            changed(key);
        }
    }

    /** Removes a Service, EndpointSlice or Endpoints of an index made by {@link #of}. */
    public void remove(HasMetadata o) {
        String key = maps().remove(o);
        if (key != null) {
            changed(key);
        }
    }

    private MapSource maps() {
        if (source instanceof MapSource m) {
            return m;
        }
        throw new IllegalStateException("this index reads its objects from its source; report changes with changed()");
    }

    /** The {@code namespace/name} of the Service a slice belongs to, or null when it carries no service label. */
    public static String serviceKey(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return service == null ? null : slice.getMetadata().getNamespace() + "/" + service;
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** Objects in maps: for sources that hold plain lists (manifest files, tests). */
    private static final class MapSource implements Source {
        private final Map<String, Service> services = new ConcurrentHashMap<>();
        private final Map<String, Map<String, EndpointSlice>> slices = new ConcurrentHashMap<>();
        private final Map<String, Endpoints> endpoints = new ConcurrentHashMap<>();

        @Override
        public Service service(String key) {
            return services.get(key);
        }

        @Override
        public List<EndpointSlice> slices(String key) {
            Map<String, EndpointSlice> byName = slices.get(key);
            return byName == null ? List.of() : new ArrayList<>(byName.values());
        }

        @Override
        public Endpoints endpoints(String key) {
            return endpoints.get(key);
        }

        /** The key of the Service the object belongs to, or null when it belongs to none. */
        String put(HasMetadata o) {
            switch (o) {
                case Service s -> services.put(key(s), s);
                case EndpointSlice s -> {
                    String key = serviceKey(s);
                    if (key != null) {
                        slices.computeIfAbsent(key, k -> new ConcurrentHashMap<>()).put(s.getMetadata().getName(), s);
                    }
                    return key;
                }
                case Endpoints e -> endpoints.put(key(e), e);
                default -> throw new IllegalArgumentException("not a Service, EndpointSlice or Endpoints: " + o);
            }
            return key(o);
        }

        String remove(HasMetadata o) {
            switch (o) {
                case Service s -> services.remove(key(s));
                case EndpointSlice s -> {
                    String key = serviceKey(s);
                    if (key != null) {
                        slices.computeIfPresent(key, (k, byName) -> {
                            byName.remove(s.getMetadata().getName());
                            return byName.isEmpty() ? null : byName;
                        });
                    }
                    return key;
                }
                case Endpoints e -> endpoints.remove(key(e));
                default -> throw new IllegalArgumentException("not a Service, EndpointSlice or Endpoints: " + o);
            }
            return key(o);
        }
    }
}
