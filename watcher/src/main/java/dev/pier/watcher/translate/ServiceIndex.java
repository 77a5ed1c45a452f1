package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Services with their endpoints, by {@code namespace/name}: each Service's object, its EndpointSlices (those labelled
 * {@code kubernetes.io/service-name} with its name) and its v1 Endpoints, together in one immutable {@link Entry}
 * that is replaced whenever any of them changes. A translation looks a Service up in one step and, by comparing the
 * entry with the one it resolved last time, knows at once whether the Service's backends can have changed.
 *
 * <p>Kept up to date by the cluster source as events arrive (thread-safe: each update replaces one entry
 * atomically), or built once from lists of objects ({@link #of}). A translation sees each Service as of the moment it
 * looks it up, as it would reading informer caches directly.
 */
public final class ServiceIndex {
    /** The label that ties an EndpointSlice to its Service. */
    public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final Comparator<EndpointSlice> BY_NAME = Comparator.comparing(s -> s.getMetadata().getName());

    /**
     * One Service and its endpoints, as they are now. Immutable.
     *
     * @param service the Service, or null when there is none (endpoints may exist before their Service)
     * @param slices its EndpointSlices by name; empty when none
     * @param endpoints its v1 Endpoints, or null; used only when there is no slice
     */
    public record Entry(Service service, List<EndpointSlice> slices, Endpoints endpoints) {
        static final Entry EMPTY = new Entry(null, List.of(), null);

        public Entry {
            slices = List.copyOf(slices);
        }

        boolean isEmpty() {
            return service == null && slices.isEmpty() && endpoints == null;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** An index of these objects. */
    public static ServiceIndex of(List<Service> services, List<EndpointSlice> slices, List<Endpoints> endpoints) {
        ServiceIndex index = new ServiceIndex();
        for (Service s : services) {
            index.putService(s);
        }
        for (EndpointSlice s : slices) {
            index.putSlice(s);
        }
        for (Endpoints e : endpoints) {
            index.putEndpoints(e);
        }
        return index;
    }

    /** The Service {@code namespace/name} and its endpoints; never null. */
    public Entry get(String key) {
        Entry e = entries.get(key);
        return e == null ? Entry.EMPTY : e;
    }

    /** Adds or replaces a Service; putting the object already there changes nothing. */
    public void putService(Service s) {
        update(key(s), e -> e.service() == s ? e : new Entry(s, e.slices(), e.endpoints()));
    }

    public void removeService(Service s) {
        update(key(s), e -> new Entry(null, e.slices(), e.endpoints()));
    }

    /** Adds or replaces a slice (by name); a slice without the service-name label belongs to no Service. */
    public void putSlice(EndpointSlice slice) {
        String key = serviceKey(slice);
        if (key != null) {
            update(key, e -> containsSame(e.slices(), slice) ? e
                    : new Entry(e.service(), withSlice(e.slices(), slice), e.endpoints()));
        }
    }

    public void removeSlice(EndpointSlice slice) {
        String key = serviceKey(slice);
        if (key != null) {
            update(key, e -> new Entry(e.service(), withoutSlice(e.slices(), slice.getMetadata().getName()),
                    e.endpoints()));
        }
    }

    public void putEndpoints(Endpoints endpoints) {
        update(key(endpoints), e -> e.endpoints() == endpoints ? e : new Entry(e.service(), e.slices(), endpoints));
    }

    public void removeEndpoints(Endpoints endpoints) {
        update(key(endpoints), e -> new Entry(e.service(), e.slices(), null));
    }

    /** The {@code namespace/name} of the Service a slice belongs to, or null when it carries no service label. */
    public static String serviceKey(EndpointSlice slice) {
        Map<String, String> labels = slice.getMetadata().getLabels();
        String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
        return service == null ? null : slice.getMetadata().getNamespace() + "/" + service;
    }

    private void update(String key, UnaryOperator<Entry> change) {
        entries.compute(key, (k, old) -> {
            Entry next = change.apply(old == null ? Entry.EMPTY : old);
            return next.isEmpty() ? null : next;
        });
    }

    private static boolean containsSame(List<EndpointSlice> slices, EndpointSlice slice) {
        for (EndpointSlice s : slices) {
            if (s == slice) {
                return true;
            }
        }
        return false;
    }

    private static List<EndpointSlice> withSlice(List<EndpointSlice> slices, EndpointSlice slice) {
        List<EndpointSlice> out = new ArrayList<>(slices.size() + 1);
        for (EndpointSlice s : slices) {
            if (!s.getMetadata().getName().equals(slice.getMetadata().getName())) {
                out.add(s);
            }
        }
        out.add(slice);
        out.sort(BY_NAME);
        return out;
    }

    private static List<EndpointSlice> withoutSlice(List<EndpointSlice> slices, String name) {
        List<EndpointSlice> out = new ArrayList<>(slices.size());
        for (EndpointSlice s : slices) {
            if (!s.getMetadata().getName().equals(name)) {
                out.add(s);
            }
        }
        return out;
    }

    private static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }
}
