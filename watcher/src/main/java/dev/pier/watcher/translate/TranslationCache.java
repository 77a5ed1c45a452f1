package dev.pier.watcher.translate;

import dev.pier.proxy.route.RouteTable;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
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
    /** The last translation's table: the next one starts from its host order and keeps its unchanged hosts. */
    RouteTable table;
    /** Numbers translations, to mark the Ingresses each one takes. */
    long translations;
    /** Whether the Ingresses taken by the translation in progress differ from the last one's. */
    boolean ingressesChanged = true;
    /** The last translation, its inputs (by identity) and where its default route came from. */
    Translation last;
    List<Ingress> lastIngresses;
    List<IngressClass> lastClasses;
    List<Secret> lastSecrets;
    Object defaultOwner;
    /** The last translation's configuration and the Services it referenced. */
    TranslatorConfig config;
    Set<String> referenced;
    /** The last resolution of {@code --default-backend-service}. */
    BackendResolver.Resolution defaultService;
    /** The references to each Service (by {@code namespace/name}) in the last translation; built when first needed. */
    private Map<String, List<Use>> uses;

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

    private static final Comparator<CompiledIngress> OLDEST_FIRST = Comparator.comparing(c -> c.order);

    /** Called at the end of a translation with what it used: keeps that, forgets the rest. */
    void endOfTranslation(Map<Ingress, CompiledIngress> usedIngresses, List<CompiledIngress> taken, RouteTable built,
                          TranslatorConfig translatedWith, Set<String> referencedServices) {
        ingresses = usedIngresses;
        order = taken;
        table = built;
        config = translatedWith;
        referenced = referencedServices;
        credentials.endOfTranslation();
    }

    /** Remembers a full translation and its inputs, for {@link Translator}'s cheap path. */
    void remember(ClusterState state, Translation result, Object defaultFrom) {
        last = result;
        lastIngresses = state.ingresses();
        lastClasses = state.ingressClasses();
        lastSecrets = state.secrets();
        defaultOwner = defaultFrom;
        uses = null;
    }

    /** The references to each Service in the last full translation, by {@code namespace/name}. */
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

    /** For tests: how many Ingresses are remembered. */
    int compiledIngresses() {
        return ingresses.size();
    }
}
