package dev.pier.watcher.source;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a stream of "something changed" signals into as few rebuilds as keep the proxy current. A signal after a quiet
 * spell (no build for {@code holdoff}, none scheduled) builds at once: a lone change, the common case, waits for
 * nothing. A signal soon after a build schedules one {@code holdoff} later, and further signals push it back by
 * {@code holdoff} again, but never past {@code maxDelay} after the first signal of the burst, so a steady stream of
 * changes cannot starve rebuilds and a burst costs at most one build at its start and one when it settles (as
 * Contour's event handler does). Builds run one at a time on the loop's own thread; a signal during a build causes
 * exactly one more.
 *
 * <p>Thread-safe: {@link #signal} may be called from any thread (informer callbacks); everything else runs on the loop
 * thread. Time and the loop thread come from a {@link Scheduler}, so tests run the loop on a clock they control.
 */
public final class RebuildLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RebuildLoop.class);

    /** The loop's one thread and its clock. */
    interface Scheduler {
        long nanoTime();

        /** Runs {@code task} on the loop thread, after the tasks already queued. */
        void execute(Runnable task);

        /** Runs {@code task} on the loop thread {@code delayNanos} from now; cancellable. */
        Future<?> schedule(Runnable task, long delayNanos);

        /** Runs {@code task} on the loop thread and waits for it. */
        void runAndWait(Runnable task) throws InterruptedException, ExecutionException;

        void shutdown();
    }

    private final Runnable build;
    private final long holdoffNanos;
    private final long maxDelayNanos;
    private final Scheduler scheduler;
    // loop-thread state
    private Future<?> scheduled;
    private long burstStart;
    private long deadline;
    private long lastBuildEnd = Long.MIN_VALUE / 2; // long ago

    /**
     * @param build the rebuild; runs on the loop thread, never concurrently with itself
     */
    public RebuildLoop(Runnable build, Duration holdoff, Duration maxDelay) {
        this(build, holdoff, maxDelay, threadScheduler());
    }

    RebuildLoop(Runnable build, Duration holdoff, Duration maxDelay, Scheduler scheduler) {
        this.build = build;
        this.holdoffNanos = holdoff.toNanos();
        this.maxDelayNanos = maxDelay.toNanos();
        this.scheduler = scheduler;
    }

    /** A daemon thread, {@code pier-rebuild}, and the system's monotonic clock. */
    private static Scheduler threadScheduler() {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pier-rebuild");
            t.setDaemon(true);
            return t;
        });
        return new Scheduler() {
            @Override
            public long nanoTime() {
                return System.nanoTime();
            }

            @Override
            public void execute(Runnable task) {
                executor.execute(task);
            }

            @Override
            public Future<?> schedule(Runnable task, long delayNanos) {
                return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void runAndWait(Runnable task) throws InterruptedException, ExecutionException {
                executor.submit(task).get();
            }

            @Override
            public void shutdown() {
                executor.shutdownNow();
            }
        };
    }

    /** Something that may affect routing changed. Never blocks. */
    public void signal() {
        scheduler.execute(this::onSignal);
    }

    /** Runs a build now (on the loop thread) and waits for it: for the first build at startup. */
    public void buildNow() throws Exception {
        scheduler.runAndWait(this::runBuild);
    }

    private void onSignal() {
        long now = scheduler.nanoTime();
        if (scheduled == null) {
            if (now - lastBuildEnd >= holdoffNanos) {
                runBuild(); // quiet until now: no reason to wait
                return;
            }
            burstStart = now;
        }
        long next = Math.min(now + holdoffNanos, burstStart + maxDelayNanos);
        if (scheduled != null) {
            if (next == deadline) {
                return;
            }
            scheduled.cancel(false);
        }
        deadline = next;
        scheduled = scheduler.schedule(this::fire, Math.max(0, next - now));
    }

    private void fire() {
        scheduled = null;
        runBuild();
    }

    private void runBuild() {
        try {
            build.run();
        } catch (RuntimeException e) {
            log.error("rebuild failed; the configuration in force stays", e);
        } finally {
            lastBuildEnd = scheduler.nanoTime();
        }
    }

    @Override
    public void close() {
        scheduler.shutdown();
    }
}
