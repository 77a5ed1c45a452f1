package dev.pier.watcher;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.TimeUnit;

/**
 * Collections per collector, read when Prometheus scrapes: {@code jvm_gc_collection_seconds_count} and {@code _sum}
 * with a {@code gc} label, the names of Prometheus's own Java client; and the bytes every thread has allocated on the
 * heap, {@code jvm_gc_memory_allocated_bytes_total} (Micrometer's name), from which the load bench reports the bytes
 * allocated per request.
 *
 * <p>Micrometer's {@code JvmGcMetrics} is not used: it listens for a JMX notification after every collection and
 * decodes it on the JVM's notification thread, about 0.8 ms of work per collection (measured at 30,000 req/s, one
 * young collection a second). In a container with one or two CPUs that thread runs on the proxy's core right when
 * the collection has already held up every request in flight, and lengthens the stall. Reading two counters per
 * scrape costs nothing between scrapes.
 */
final class GcMetrics implements MeterBinder {
    @Override
    public void bindTo(MeterRegistry registry) {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            FunctionTimer.builder("jvm.gc.collection", collector, c -> Math.max(0, c.getCollectionCount()),
                            c -> Math.max(0, c.getCollectionTime()), TimeUnit.MILLISECONDS)
                    .tag("gc", collector.getName())
                    .description("Collections by this collector and the time they took (pauses for a stop-the-world "
                            + "collector; whole cycles for a concurrent one)")
                    .register(registry);
        }
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads
                && threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled()) {
            FunctionCounter.builder("jvm.gc.memory.allocated", threads, t -> Math.max(0,
                            t.getTotalThreadAllocatedBytes()))
                    .baseUnit("bytes")
                    .description("Bytes allocated on the heap by all threads, those that ended too, since the JVM "
                            + "started (to the size of a thread's allocation buffer)")
                    .register(registry);
        }
    }
}
