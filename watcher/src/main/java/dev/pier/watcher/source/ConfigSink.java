package dev.pier.watcher.source;

import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.Problem;
import dev.pier.watcher.translate.Translation;
import java.util.List;

/**
 * Where a configuration source (the cluster's informers, a manifest directory) hands each snapshot of objects: it
 * translates and publishes them, and says what came of it. Sources know this and nothing of what is behind it.
 */
@FunctionalInterface
public interface ConfigSink {
    /** Translates {@code state} and puts the result in force; runs on the source's one rebuild thread. */
    Translation apply(ClusterState state);

    /**
     * As {@link #apply(ClusterState)}, with the problems the source itself found (a manifest file that does not parse,
     * whose last good objects are in {@code state}): they are reported with the translation's.
     */
    default Translation apply(ClusterState state, List<Problem> sourceProblems) {
        return apply(state);
    }
}
