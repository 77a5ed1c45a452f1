package dev.pier.watcher.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The rebuild loop's timing on a clock the test controls ({@link ManualScheduler}): every build time is exact, and a
 * loaded machine cannot make a test fail. One test runs the loop on its real thread.
 */
class RebuildLoopTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private final ManualScheduler clock = new ManualScheduler();
    private final List<Long> builds = new ArrayList<>();

    private RebuildLoop loop(long holdoffMillis, long maxDelayMillis) {
        return new RebuildLoop(() -> builds.add(clock.now / MS), Duration.ofMillis(holdoffMillis),
                Duration.ofMillis(maxDelayMillis), clock);
    }

    @Test
    void aLoneSignalBuildsAtOnce() {
        RebuildLoop loop = loop(1000, 5000);
        clock.advance(10_000); // long quiet
        loop.signal();
        clock.advance(0);
        assertThat(builds).containsExactly(10_000L); // not after the hold-off
    }

    @Test
    void aBurstOfSignalsGivesOneBuildAtItsStartAndOneWhenItSettles() {
        RebuildLoop loop = loop(100, 5000);
        for (int i = 0; i < 10_000; i++) {
            loop.signal();
        }
        clock.advance(10_000);
        assertThat(builds).containsExactly(0L, 100L);
    }

    @Test
    void theBuildAfterTheFirstWaitsForTheBurstToSettle() {
        RebuildLoop loop = loop(80, 5000);
        for (int i = 0; i < 5; i++) { // a signal every 40 ms for 200 ms: each pushes the second build back
            loop.signal();
            clock.advance(40);
        }
        clock.advance(1_000);
        assertThat(builds).containsExactly(0L, 160L + 80L); // the first at once; the second 80 ms after the last signal
    }

    @Test
    void aSteadyStreamOfSignalsCannotStarveBuilds() {
        RebuildLoop loop = loop(50, 150);
        for (int t = 0; t < 1000; t += 10) { // never 50 ms of quiet
            loop.signal();
            clock.advance(10);
        }
        // One at once; the next burst starts 10 ms later and builds at its 150 ms cap; every later burst starts with
        // the signal of the very moment of the last build, and builds 150 ms after it.
        assertThat(builds).containsExactly(0L, 160L, 310L, 460L, 610L, 760L, 910L);
    }

    @Test
    void aSignalDuringABuildCausesExactlyOneMore() {
        AtomicInteger count = new AtomicInteger();
        RebuildLoop[] loop = new RebuildLoop[1];
        loop[0] = new RebuildLoop(() -> {
            builds.add(clock.now / MS);
            if (count.incrementAndGet() == 1) {
                for (int i = 0; i < 100; i++) {
                    loop[0].signal(); // queued behind the running build
                }
            }
        }, Duration.ofMillis(20), Duration.ofMillis(100), clock);
        loop[0].signal();
        clock.advance(1_000);
        assertThat(builds).containsExactly(0L, 20L);
    }

    @Test
    void aFailingBuildDoesNotStopTheLoop() {
        AtomicInteger count = new AtomicInteger();
        RebuildLoop loop = new RebuildLoop(() -> {
            if (count.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        }, Duration.ofMillis(10), Duration.ofMillis(50), clock);
        loop.signal();
        clock.advance(100);
        loop.signal();
        clock.advance(100);
        assertThat(count).hasValue(2);
    }

    @Test
    void onItsOwnThreadItBuildsAfterASignal() throws Exception {
        AtomicInteger count = new AtomicInteger();
        List<String> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (RebuildLoop loop = new RebuildLoop(() -> {
            threads.add(Thread.currentThread().getName());
            count.incrementAndGet();
        }, Duration.ofMillis(10), Duration.ofMillis(50))) {
            loop.buildNow();
            loop.signal();
            await().atMost(Duration.ofSeconds(5)).until(() -> count.get() == 2);
        }
        assertThat(threads).containsOnly("pier-rebuild");
    }

    /**
     * The loop's thread as a queue of tasks in time order, run by {@link #advance}: a single thread whose clock moves
     * only when the test says so. Builds take no time.
     */
    static final class ManualScheduler implements RebuildLoop.Scheduler {
        private record Task(long at, long seq, Runnable run, CompletableFuture<Void> future) {}

        long now;
        private long seq;
        private final PriorityQueue<Task> tasks = new PriorityQueue<>((a, b) -> a.at != b.at
                ? Long.compare(a.at, b.at) : Long.compare(a.seq, b.seq));

        /** Moves the clock {@code millis} ahead, running every task due on the way, each at its own time. */
        void advance(long millis) {
            long target = now + millis * MS;
            Task t;
            while ((t = tasks.peek()) != null && t.at <= target) {
                tasks.poll();
                now = t.at;
                if (!t.future.isCancelled()) {
                    t.run.run();
                    t.future.complete(null);
                }
            }
            now = target;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void execute(Runnable task) {
            schedule(task, 0);
        }

        @Override
        public Future<?> schedule(Runnable task, long delayNanos) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            tasks.add(new Task(now + delayNanos, seq++, task, f));
            return f;
        }

        @Override
        public void runAndWait(Runnable task) {
            task.run();
        }

        @Override
        public void shutdown() {
            tasks.clear();
        }
    }
}
