package dev.pier.watcher.source;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a rebuild when a certificate in the configuration becomes valid or expires: a translation depends on the time
 * as well as on the objects, and nothing else would trigger one then. Only the latest request counts.
 *
 * <p>Thread-safe.
 */
public final class ValidityTimer implements AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "pier-certificate-validity");
        t.setDaemon(true);
        return t;
    });
    private final Runnable rebuild;
    private ScheduledFuture<?> pending;

    public ValidityTimer(Runnable rebuild) {
        this.rebuild = rebuild;
    }

    /** Runs the rebuild at {@code when} (replacing any earlier request); null cancels. */
    public synchronized void rebuildAt(Instant when) {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
        if (when != null) {
            long millis = Math.max(0, Duration.between(Instant.now(), when).toMillis());
            pending = timer.schedule(rebuild, millis, TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
