package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.IdentityHashMap;
import java.util.Map;

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
    /** The last resolution of {@code --default-backend-service}. */
    BackendResolver.Resolution defaultService;

    /** The compiled form of {@code ingress}: remembered from the last translation, or compiled now. */
    CompiledIngress compiled(Ingress ingress, Map<Ingress, CompiledIngress> used) {
        CompiledIngress c = ingresses.get(ingress);
        if (c == null) {
            c = CompiledIngress.compile(ingress);
        }
        used.put(ingress, c);
        return c;
    }

    /** Called at the end of a translation with what it used: keeps that, forgets the rest. */
    void endOfTranslation(Map<Ingress, CompiledIngress> usedIngresses) {
        ingresses = usedIngresses;
        credentials.endOfTranslation();
    }

    /** For tests: how many Ingresses are remembered. */
    int compiledIngresses() {
        return ingresses.size();
    }
}
