package dev.pier.watcher.manifest;

import dev.pier.watcher.source.ConfigSink;
import dev.pier.watcher.source.ValidityTimer;
import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.ObjectRef;
import dev.pier.watcher.translate.Problem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Manifest mode: serves the objects in a directory and follows its changes. Every reload reads the whole tree,
 * translates, and swaps the table in if it changed; reloads run one at a time on the watcher thread.
 */
public final class ManifestSource implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ManifestSource.class);

    private final ManifestDirectory directory;
    private final ConfigSink sink;
    private final ManifestWatcher watcher;
    private final ValidityTimer validity = new ValidityTimer(this::reload);

    public ManifestSource(Path root, ConfigSink sink) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("--manifests " + root + ": not a directory");
        }
        this.directory = new ManifestDirectory(root);
        this.sink = sink;
        this.watcher = new ManifestWatcher(directory.root(), this::reload);
    }

    /** Loads the directory once (so the first table is in force on return), then follows changes. */
    public void start() {
        reload();
        watcher.start();
        log.info("watching {} for changes", directory.root());
    }

    private synchronized void reload() {
        ManifestDirectory.Snapshot snapshot;
        try {
            snapshot = directory.read();
        } catch (IOException e) {
            log.error("cannot read {}: {}; keeping the configuration in force", directory.root(), e.toString());
            return;
        }
        List<Problem> problems = new ArrayList<>(snapshot.errors().size());
        for (ManifestDirectory.FileError error : snapshot.errors()) {
            problems.add(new Problem(new ObjectRef("File", "manifests", error.file().toString()), "",
                    Problem.Reason.ManifestInvalid, error.message() + "; its last good objects stay in force"));
        }
        // Logged by the sink with the translation's problems: once when it appears, once when it is resolved.
        validity.rebuildAt(sink.apply(ClusterState.of(snapshot.objects()), problems).nextValidityChange());
    }

    @Override
    public void close() throws IOException {
        validity.close();
        watcher.close();
    }
}
