package dev.pier.watcher.source;

import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.Translation;

/**
 * Where a configuration source (the cluster's informers, a manifest directory) hands each snapshot of objects: it
 * translates and publishes them, and says what came of it. Sources know this and nothing of what is behind it.
 */
@FunctionalInterface
public interface ConfigSink {
    /** Translates {@code state} and puts the result in force; runs on the source's one rebuild thread. */
    Translation apply(ClusterState state);
}
