package dev.pier.watcher.translate;

import dev.pier.proxy.route.Backend;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What one translation can hand the next so that a rebuild costs in proportion to what changed, not to the size of
 * the cluster: each Ingress compiled ({@link CompiledIngress}, by object identity), each Service port resolved to its
 * endpoints (while the Service and its endpoints are unchanged), and each Secret parsed (by content).
 *
 * <p>A memo: a translation with a cache gives a result equal to one without, and the cache only ever holds what the
 * last translation used. Identity is the right key because every source replaces an object when it changes
 * (informers store the new object, manifest reloads parse new ones) and the objects are never modified in place
 * ({@link ClusterState}).
 *
 * <p>Confined to one thread at a time (the rebuild loop's).
 */
public final class TranslationCache {
    final CredentialCache credentials = new CredentialCache();
    Map<Ingress, CompiledIngress> ingresses = new IdentityHashMap<>();
    /** The Ingresses the last translation took, oldest first. */
    List<CompiledIngress> order = List.of();
    /** Those of them with problems, oldest first. */
    List<CompiledIngress> problemOwners = List.of();
    /** Whether two of them sort equal (two objects of one namespace and name): only a full sort orders them. */
    boolean orderHasTies;
    /** Numbers translations, to mark the Ingresses each one takes. */
    long translations;
    /** Whether the Ingresses taken by the translation in progress differ from the last one's. */
    boolean ingressesChanged = true;
    /**
     * The last translation (its table is where the next one starts from), its inputs (by identity) and where its
     * default route came from.
     */
    Translation last;
    List<Ingress> lastIngresses;
    List<IngressClass> lastClasses;
    List<Secret> lastSecrets;
    Object defaultOwner;
    /** The last translation's configuration. */
    TranslatorConfig config;
    /**
     * The Service index of the last translation and its {@link ServiceIndex#latest} mark, read before that translation
     * read any version: the Services changed since are {@code services.changedSince(servicesMark)}.
     */
    ServiceIndex services;
    long servicesMark;
    /** The last resolution of {@code --default-backend-service}. */
    BackendResolver.Resolution defaultService;
    /** The last full translation's TLS pass: which hosts have TLS sections and certificates. */
    TlsResolver tls;
    /**
     * How the last translation's problems are laid out: this many from TLS sections first, then each taken Ingress's
     * {@link CompiledIngress#problems}, then this many of the configuration's ({@code --default-backend-service}).
     */
    int leadingProblems;
    int trailingProblems;
    /** The references to each Service (by {@code namespace/name}) in the last translation; built when first needed. */
    private Map<String, List<Use>> uses;
    /** The taken Ingresses with paths on each host, oldest first; built when first needed. */
    private Map<String, List<CompiledIngress>> byHost;

    /**
     * One reference to a Service: a path or default backend ({@code step}) of a taken Ingress ({@code owner}), or
     * {@code --default-backend-service} ({@code owner} null, {@code step} the configuration). Its resolution lives in
     * the step (or in the cache, for the configuration's), where full translations keep it too.
     */
    record Use(CompiledIngress owner, Object step, CompiledIngress.ServiceRef ref, TranslationCache cache) {
        BackendResolver.Resolution resolution() {
            return switch (step) {
                case CompiledIngress.PathRule p -> p.resolution;
                case CompiledIngress.DefaultBackend d -> d.resolution;
                default -> cache.defaultService;
            };
        }

        void resolved(BackendResolver.Resolution r) {
            switch (step) {
                case CompiledIngress.PathRule p -> p.resolution = r;
                case CompiledIngress.DefaultBackend d -> d.resolution = r;
                default -> cache.defaultService = r;
            }
        }
    }

    /**
     * The Ingresses to translate, compiled (remembered from the last translation, or compiled now), oldest first.
     * The order is built from the last translation's, so the sort is close to one pass.
     */
    List<CompiledIngress> taken(List<Ingress> accepted, Map<Ingress, CompiledIngress> used) {
        long mark = ++translations;
        List<CompiledIngress> fresh = new ArrayList<>();
        for (Ingress ingress : accepted) {
            CompiledIngress c = ingresses.get(ingress);
            if (c == null) {
                c = CompiledIngress.compile(ingress);
                fresh.add(c);
            }
            if (c.taken != mark) {
                c.taken = mark;
                used.put(ingress, c);
            }
        }
        List<CompiledIngress> out = new ArrayList<>(used.size());
        for (CompiledIngress c : order) {
            if (c.taken == mark) {
                out.add(c);
            }
        }
        ingressesChanged = !fresh.isEmpty() || out.size() != order.size();
        out.addAll(fresh);
        out.sort(OLDEST_FIRST);
        return out;
    }

    static final Comparator<CompiledIngress> OLDEST_FIRST = Comparator.comparing(c -> c.order);

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

    /**
     * The Ingresses with problems after a patch, oldest first: those of the last translation but {@code removed} and
     * {@code replayed}, and the replayed ones that have problems now.
     */
    List<CompiledIngress> problemOwners(List<CompiledIngress> removed, Set<CompiledIngress> replayed) {
        Set<CompiledIngress> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
        dropped.addAll(removed);
        dropped.addAll(replayed);
        List<CompiledIngress> out = new ArrayList<>(problemOwners.size() + 2);
        for (CompiledIngress c : problemOwners) {
            if (!dropped.contains(c)) {
                out.add(c);
            }
        }
        for (CompiledIngress c : replayed) {
            if (!c.problems.isEmpty()) {
                out.add(c);
            }
        }
        out.sort(OLDEST_FIRST); // exact: keys are distinct (orderHasTies is false on this path)
        return out;
    }

    /** Called at the end of a full translation with what it used: keeps that, forgets the rest. */
    void endOfTranslation(Map<Ingress, CompiledIngress> usedIngresses, List<CompiledIngress> taken,
                          TranslatorConfig translatedWith, TlsResolver tlsPass) {
        ingresses = usedIngresses;
        order = taken;
        config = translatedWith;
        tls = tlsPass;
        byHost = null;
        problemOwners = new ArrayList<>();
        orderHasTies = false;
        for (int i = 0; i < taken.size(); i++) {
            CompiledIngress c = taken.get(i);
            if (!c.problems.isEmpty()) {
                problemOwners.add(c);
            }
            orderHasTies |= i > 0 && taken.get(i - 1).order.equals(c.order);
        }
        credentials.endOfTranslation();
    }

    /** Remembers a full translation and its inputs, for {@link Translator}'s cheap paths. */
    void remember(ClusterState state, Translation result, Object defaultFrom, int leading, int trailing) {
        last = result;
        lastIngresses = state.ingresses();
        lastClasses = state.ingressClasses();
        lastSecrets = state.secrets();
        defaultOwner = defaultFrom;
        leadingProblems = leading;
        trailingProblems = trailing;
        uses = null;
    }

    /**
     * Adds the hosts {@code removed} and {@code added} have paths on to {@code hosts}, and moves the Ingresses into
     * and out of {@link #ingressesOn} accordingly.
     */
    void hostsChanged(List<CompiledIngress> removed, List<CompiledIngress> added, Set<String> hosts) {
        Map<String, List<CompiledIngress>> index = byHost();
        for (CompiledIngress c : removed) {
            for (String host : pathHosts(c)) {
                hosts.add(host);
                List<CompiledIngress> on = index.get(host);
                on.remove(c); // by identity: CompiledIngress keeps Object's equals
                if (on.isEmpty()) {
                    index.remove(host);
                }
            }
        }
        for (CompiledIngress c : added) {
            for (String host : pathHosts(c)) {
                hosts.add(host);
                List<CompiledIngress> on = index.computeIfAbsent(host, h -> new ArrayList<>(1));
                int at = on.size();
                while (at > 0 && OLDEST_FIRST.compare(on.get(at - 1), c) > 0) {
                    at--;
                }
                on.add(at, c);
            }
        }
    }

    /** The taken Ingresses with paths on {@code host}, oldest first. */
    List<CompiledIngress> ingressesOn(String host) {
        return byHost().getOrDefault(host, List.of());
    }

    private Map<String, List<CompiledIngress>> byHost() {
        if (byHost == null) {
            byHost = new HashMap<>();
            for (CompiledIngress c : order) {
                for (String host : pathHosts(c)) {
                    byHost.computeIfAbsent(host, h -> new ArrayList<>(1)).add(c);
                }
            }
        }
        return byHost;
    }

    /** The distinct hosts of an Ingress's valid paths. */
    private static Set<String> pathHosts(CompiledIngress c) {
        Set<String> hosts = null;
        for (CompiledIngress.Step step : c.steps) {
            if (step instanceof CompiledIngress.PathRule p) {
                if (hosts == null) {
                    hosts = new HashSet<>(2);
                }
                hosts.add(p.host);
            }
        }
        return hosts == null ? Set.of() : hosts;
    }

    /**
     * Moves the references of {@code removed} and {@code added} (replayed, so resolved) out of and into
     * {@link #uses}. Returns whether the set of Services referenced changed.
     */
    boolean usesChanged(List<CompiledIngress> removed, List<CompiledIngress> added) {
        Map<String, List<Use>> all = uses();
        Set<String> emptied = new HashSet<>();
        Set<String> created = new HashSet<>();
        for (CompiledIngress c : removed) {
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p && p.target instanceof CompiledIngress.ServiceRef ref) {
                    List<Use> list = all.get(ref.key());
                    if (list != null && list.removeIf(u -> u.step() == p) && list.isEmpty()) {
                        all.remove(ref.key());
                        emptied.add(ref.key());
                    }
                }
            }
        }
        for (CompiledIngress c : added) {
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p && p.target instanceof CompiledIngress.ServiceRef ref) {
                    List<Use> list = all.get(ref.key());
                    if (list == null) {
                        all.put(ref.key(), list = new ArrayList<>(1));
                        if (!emptied.remove(ref.key())) { // an Ingress replaced by one using the same Service: no change
                            created.add(ref.key());
                        }
                    }
                    list.add(new Use(c, p, ref, this));
                }
            }
        }
        return !emptied.isEmpty() || !created.isEmpty();
    }

    /**
     * The backends the paths of {@code removed} referenced that no reference left in {@link #uses} (updated by
     * {@link #usesChanged}) has: their endpoint entries go.
     */
    Set<Backend> unused(List<CompiledIngress> removed) {
        Set<Backend> out = new HashSet<>();
        for (CompiledIngress c : removed) {
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p && p.resolution != null) {
                    out.add(p.resolution.backend());
                }
            }
        }
        out.removeIf(b -> {
            for (Use u : uses().getOrDefault(b.namespace() + "/" + b.service(), List.of())) {
                if (u.resolution() != null && u.resolution().backend().equals(b)) {
                    return true; // still referenced
                }
            }
            return false;
        });
        return out;
    }

    /** Remembers a translation {@link Translator}'s Ingress-only path made by patching the last one. */
    void patched(ClusterState state, List<CompiledIngress> removed, List<CompiledIngress> added,
                 List<CompiledIngress> newOrder, List<CompiledIngress> owners, Translation result) {
        problemOwners = owners;
        for (CompiledIngress c : removed) {
            ingresses.remove(c.ingress);
        }
        for (CompiledIngress c : added) {
            ingresses.put(c.ingress, c);
        }
        order = newOrder;
        last = result;
        lastIngresses = state.ingresses();
        ingressesOnly++;
    }

    /**
     * The references to look at for Services that may have changed: those of {@code changedServices}, or all of them
     * when that is null (not known).
     */
    Iterable<Map.Entry<String, List<Use>>> usesToCheck(Set<String> changedServices) {
        Map<String, List<Use>> all = uses();
        if (changedServices == null) {
            return all.entrySet();
        }
        List<Map.Entry<String, List<Use>>> out = new ArrayList<>();
        for (String key : changedServices) {
            List<Use> list = all.get(key);
            if (list != null) {
                out.add(Map.entry(key, list));
            }
        }
        return out;
    }

    /** The references to each Service in the last translation, by {@code namespace/name}. */
    Map<String, List<Use>> uses() {
        if (uses == null) {
            uses = new HashMap<>();
            for (CompiledIngress c : order) {
                for (CompiledIngress.Step step : c.steps) {
                    CompiledIngress.Target target = switch (step) {
                        case CompiledIngress.PathRule p -> p.resolution == null ? null : p.target;
                        case CompiledIngress.DefaultBackend d -> d.resolution == null ? null : d.target;
                        case CompiledIngress.Fixed f -> null;
                    };
                    if (target instanceof CompiledIngress.ServiceRef ref) {
                        uses.computeIfAbsent(ref.key(), k -> new ArrayList<>(1)).add(new Use(c, step, ref, this));
                    }
                }
            }
            if (defaultOwner instanceof TranslatorConfig flags && defaultService != null) {
                ObjectRef svc = flags.defaultBackendService();
                uses.computeIfAbsent(svc.namespace() + "/" + svc.name(), k -> new ArrayList<>(1))
                        .add(new Use(null, flags, CompiledIngress.ServiceRef.of(svc.namespace(), svc.name(), null,
                                null), this));
            }
        }
        return uses;
    }

    /** For tests: how many translations took the cheap path (only Services changed). */
    int servicesOnly;

    /** For tests: how many translations patched the last one for a few changed Ingresses. */
    int ingressesOnly;

    /** For tests: how many Ingresses are remembered. */
    int compiledIngresses() {
        return ingresses.size();
    }
}
