package dev.pier.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RebuildLoopTest {

    @Test
    void aLoneSignalBuildsAtOnce() throws Exception {
        List<Long> buildTimes = new CopyOnWriteArrayList<>();
        try (RebuildLoop loop = new RebuildLoop(() -> buildTimes.add(System.nanoTime()), Duration.ofSeconds(1),
                Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            loop.signal();
            await().atMost(Duration.ofSeconds(2)).until(() -> buildTimes.size() == 1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(buildTimes.get(0) - start)).isLessThan(500); // not the hold-off
        }
    }

    @Test
    void aBurstOfSignalsGivesOneBuildAtItsStartAndOneWhenItSettles() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        try (RebuildLoop loop = new RebuildLoop(builds::incrementAndGet, Duration.ofMillis(100),
                Duration.ofSeconds(5))) {
            for (int i = 0; i < 10_000; i++) {
                loop.signal();
            }
            await().atMost(Duration.ofSeconds(2)).until(() -> builds.get() == 2);
            Thread.sleep(300);
            assertThat(builds.get()).isEqualTo(2);
        }
    }

    @Test
    void theBuildAfterTheFirstWaitsForTheBurstToSettle() throws Exception {
        List<Long> buildTimes = new CopyOnWriteArrayList<>();
        try (RebuildLoop loop = new RebuildLoop(() -> buildTimes.add(System.nanoTime()), Duration.ofMillis(80),
                Duration.ofSeconds(5))) {
            long start = System.nanoTime();
            for (int i = 0; i < 5; i++) { // signals every 40 ms for 200 ms: each pushes the second build back
                loop.signal();
                Thread.sleep(40);
            }
            long lastSignal = System.nanoTime();
            await().atMost(Duration.ofSeconds(2)).until(() -> buildTimes.size() == 2);
            assertThat(TimeUnit.NANOSECONDS.toMillis(buildTimes.get(0) - start)).isLessThan(80); // no hold-off
            assertThat(buildTimes.get(1)).isGreaterThan(lastSignal);
            assertThat(TimeUnit.NANOSECONDS.toMillis(buildTimes.get(1) - start)).isGreaterThanOrEqualTo(200);
        }
    }

    @Test
    void aSteadyStreamOfSignalsCannotStarveBuilds() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        try (RebuildLoop loop = new RebuildLoop(builds::incrementAndGet, Duration.ofMillis(50), Duration.ofMillis(150))) {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1000);
            while (System.nanoTime() < end) { // never 50 ms of quiet
                loop.signal();
                Thread.sleep(10);
            }
            assertThat(builds.get()).isBetween(4, 9); // one at once, then one per 150 ms cap; not one per signal
        }
    }

    @Test
    void aSignalDuringABuildCausesExactlyOneMore() throws Exception {
        CountDownLatch inBuild = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger builds = new AtomicInteger();
        try (RebuildLoop loop = new RebuildLoop(() -> {
            if (builds.incrementAndGet() == 1) {
                inBuild.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, Duration.ofMillis(20), Duration.ofMillis(100))) {
            loop.signal();
            assertThat(inBuild.await(2, TimeUnit.SECONDS)).isTrue();
            for (int i = 0; i < 100; i++) {
                loop.signal(); // queued behind the running build
            }
            release.countDown();
            await().atMost(Duration.ofSeconds(2)).until(() -> builds.get() == 2);
            Thread.sleep(200);
            assertThat(builds.get()).isEqualTo(2);
        }
    }

    @Test
    void aFailingBuildDoesNotStopTheLoop() throws Exception {
        AtomicInteger builds = new AtomicInteger();
        try (RebuildLoop loop = new RebuildLoop(() -> {
            if (builds.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
        }, Duration.ofMillis(10), Duration.ofMillis(50))) {
            loop.signal();
            await().atMost(Duration.ofSeconds(2)).until(() -> builds.get() == 1);
            loop.signal();
            await().atMost(Duration.ofSeconds(2)).until(() -> builds.get() == 2);
        }
    }
}
