package dev.pier.watcher.manifest;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches a directory tree and calls back once per burst of changes (files written, renamed in, deleted; directories
 * added): the callback runs on the watcher's own thread after {@link #QUIET_MILLIS} without further events.
 */
public final class ManifestWatcher implements AutoCloseable {
    static final long QUIET_MILLIS = 100;
    private static final Logger log = LoggerFactory.getLogger(ManifestWatcher.class);

    private final Path root;
    private final Runnable onChange;
    private final WatchService watch;
    private final Thread thread;

    public ManifestWatcher(Path root, Runnable onChange) throws IOException {
        this.root = root;
        this.onChange = onChange;
        this.watch = FileSystems.getDefault().newWatchService();
        registerTree(root);
        this.thread = Thread.ofPlatform().daemon().name("pier-manifests").unstarted(this::run);
    }

    public void start() {
        thread.start();
    }

    private void registerTree(Path dir) throws IOException {
        try (Stream<Path> dirs = Files.walk(dir)) {
            for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
                d.register(watch, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
            }
        }
    }

    private void run() {
        try {
            while (true) {
                WatchKey key = watch.take();
                boolean newDirectory = drain(key);
                WatchKey more;
                while ((more = watch.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)) != null) { // wait for quiet
                    newDirectory |= drain(more);
                }
                if (newDirectory) {
                    registerTree(root); // re-registering a known directory is harmless
                }
                try {
                    onChange.run();
                } catch (RuntimeException e) {
                    log.error("reloading {} failed", root, e);
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        } catch (IOException e) {
            log.error("watching {} failed; changes will not be picked up", root, e);
        }
    }

    private static boolean drain(WatchKey key) {
        boolean newDirectory = false;
        Path dir = (Path) key.watchable();
        for (var event : key.pollEvents()) {
            if (event.kind() == ENTRY_CREATE && event.context() instanceof Path p && Files.isDirectory(dir.resolve(p))) {
                newDirectory = true;
            }
        }
        key.reset();
        return newDirectory;
    }

    @Override
    public void close() throws IOException {
        watch.close();
        thread.interrupt();
    }
}
