package dev.pier.proxy.log;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import io.micrometer.core.instrument.Counter;
import io.netty.util.internal.PlatformDependent;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request, written by a thread of its own: the event loop only offers an {@link Entry} to a bounded
 * lock-free queue and never waits, nor wakes the writer (a wake-up per request costs a context switch); the writer
 * drains the queue, then sleeps a few milliseconds when it is empty. When the writer falls behind and the queue is
 * full, lines are dropped and counted ({@code pier_access_log_dropped_total}) rather than slowing the proxy.
 *
 * <p>Thread-safe.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final JsonFactory JSON = new JsonFactory();
    private static final int CAPACITY = 64 * 1024;

    private static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Queue<Entry> queue = PlatformDependent.newFixedMpscQueue(CAPACITY);
    private final OutputStream out;
    private final Counter dropped;
    private final Thread writer;
    private volatile boolean closed;

    /**
     * One request, as logged.
     *
     * @param time when the request head arrived
     * @param client the client's address (from a trusted proxy's X-Forwarded-For or PROXY header when configured)
     * @param protocol {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
     * @param durationNanos from the request head to the last response byte written
     * @param upstream the endpoint that answered, {@code ip:port}, or null when Pier answered itself
     * @param upstreamNanos from the request sent upstream to the response head, or -1
     * @param tls the TLS protocol version, or null over plain HTTP
     */
    public record Entry(Instant time, String client, String method, String host, String path, String protocol,
                        int status, long bytesIn, long bytesOut, long durationNanos, String upstream,
                        long upstreamNanos, String namespace, String ingress, String service, String requestId,
                        String tls) {}

    /** Writes to {@code out} (stdout in production), counting dropped lines in {@code dropped}. */
    public AccessLog(OutputStream out, Counter dropped) {
        this.out = new BufferedOutputStream(out, 64 * 1024);
        this.dropped = dropped;
        this.writer = new Thread(this::run, "pier-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues a line; never blocks. */
    public void offer(Entry entry) {
        if (!queue.offer(entry)) {
            dropped.increment();
        }
    }

    private void run() {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.setRootValueSeparator(new SerializedString("")); // each line ends with its own newline
            while (true) {
                boolean stopping = closed;
                Entry e = queue.poll();
                if (e == null) {
                    g.flush();
                    if (stopping) {
                        return;
                    }
                    LockSupport.parkNanos(IDLE_NANOS);
                    continue;
                }
                do {
                    write(g, e);
                    g.writeRaw('\n');
                } while ((e = queue.poll()) != null);
            }
        } catch (IOException e) {
            log.error("access log writer stopped: {}", e.toString());
        }
    }

    private static void write(JsonGenerator g, Entry e) throws IOException {
        g.writeStartObject();
        g.writeStringField("time", e.time().toString());
        g.writeStringField("client", e.client());
        g.writeStringField("method", e.method());
        g.writeStringField("host", e.host());
        g.writeStringField("path", e.path());
        g.writeStringField("protocol", e.protocol());
        g.writeNumberField("status", e.status());
        g.writeNumberField("bytesIn", e.bytesIn());
        g.writeNumberField("bytesOut", e.bytesOut());
        g.writeNumberField("durationMs", e.durationNanos() / 1_000_000.0);
        g.writeStringField("upstream", e.upstream());
        if (e.upstreamNanos() >= 0) {
            g.writeNumberField("upstreamMs", e.upstreamNanos() / 1_000_000.0);
        } else {
            g.writeNullField("upstreamMs");
        }
        g.writeStringField("namespace", e.namespace());
        g.writeStringField("ingress", e.ingress());
        g.writeStringField("service", e.service());
        g.writeStringField("requestId", e.requestId());
        g.writeStringField("tls", e.tls());
        g.writeEndObject();
    }

    /** Writes what is queued, then stops. */
    @Override
    public void close() {
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
