package dev.pier.watcher.translate;

import java.time.Instant;

/**
 * The pure translation from Kubernetes objects to a routing table: objects in, table, endpoints and problems out, no
 * I/O. Equal inputs give equal translations.
 *
 * <p>Ingresses are taken oldest first ({@code creationTimestamp}, then namespace/name): when two claim the same host
 * and path, or both set {@code spec.defaultBackend}, the older keeps it and the newer gets a problem. Paths of
 * different Ingresses for one host merge. A broken rule never removes other rules, and a rule whose Service cannot be
 * resolved stays in the table and answers 503 rather than falling through to a shorter path.
 *
 * <p>A controller that translates again on every change keeps an {@link IncrementalTranslator}, which gives the same
 * result for less work.
 */
public final class Translator {
    private Translator() {}

    /** Translates, judging certificate validity now. */
    public static Translation translate(ClusterState state, TranslatorConfig config) {
        return translate(state, config, Instant.now());
    }

    /** Translates, judging certificate validity at {@code now}. */
    public static Translation translate(ClusterState state, TranslatorConfig config, Instant now) {
        return new IncrementalTranslator().translate(state, config, now);
    }
}
