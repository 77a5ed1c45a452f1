package dev.pier.watcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GcMetricsTest {
    @Test
    void readsEachCollectorsCountAndTimeWhenAsked() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GcMetrics().bindTo(registry);

        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            assertThat(registry.find("jvm.gc.collection").tag("gc", collector.getName()).functionTimer())
                    .as(collector.getName()).isNotNull();
        }
        double before = collections(registry);
        System.gc(); // a full collection, counted by the old generation's collector
        assertThat(collections(registry)).isGreaterThan(before);
        // The time is the collectors' own, in seconds: at least what they reported a moment before (a full
        // collection has happened, so that is more than nothing).
        long millis = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
        assertThat(millis).isPositive();
        // Whole milliseconds in, seconds out: compared in milliseconds, with room for the conversions' rounding
        // (0.23199999999999998 s against 232 ms failed one run in three when compared in seconds).
        assertThat(seconds(registry) * 1000).isGreaterThanOrEqualTo(millis - 0.5);
    }

    @Test
    void countsTheBytesAllocatedByEveryThreadWhenAsked() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new GcMetrics().bindTo(registry);
        FunctionCounter allocated = registry.find("jvm.gc.memory.allocated").functionCounter();
        assertThat(allocated).isNotNull();

        double before = allocated.count();
        Thread worker = new Thread(() -> {
            for (int i = 0; i < 64; i++) {
                sink = new byte[1 << 20]; // 64 MiB in all, from a thread that ends before the count is read
            }
        });
        worker.start();
        worker.join();
        assertThat(allocated.count() - before).isGreaterThanOrEqualTo(64.0 * (1 << 20));
    }

    private static volatile byte[] sink;

    private static double collections(SimpleMeterRegistry registry) {
        return registry.find("jvm.gc.collection").functionTimers().stream().mapToDouble(FunctionTimer::count).sum();
    }

    private static double seconds(SimpleMeterRegistry registry) {
        return registry.find("jvm.gc.collection").functionTimers().stream()
                .mapToDouble(t -> t.totalTime(TimeUnit.SECONDS)).sum();
    }
}
