package dev.pier.proxy.log;

import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.Route;
import io.micrometer.core.instrument.Counter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request, as nginx writes its access log with {@code buffer=} and {@code flush=}: each event loop
 * formats its lines straight into a buffer of its own (128 KiB; no String, no object per line), and hands a buffer
 * to the writer thread when it is full, or every {@value #FLUSH_MILLIS} ms when it holds anything. The writer thread
 * writes each buffer with one call and gives it back; it wakes per buffer, not per line, so it takes little from the
 * event loops' cores, and an output that blocks (a full pipe) never blocks an event loop. When every buffer waits to
 * be written, lines are dropped and counted ({@code pier_access_log_dropped_total}) rather than slowing the proxy.
 *
 * <p>A path longer than {@value #MAX_PATH} characters, or another field longer than {@value #MAX_FIELD}, is cut
 * there. {@link #log} is called on event loops only; the rest is thread-safe.
 */
public final class AccessLog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    static final int BUFFER_BYTES = 128 * 1024;
    /** The longest path logged, in characters; longer ones are cut there. */
    static final int MAX_PATH = 4096;
    /** The longest other field logged, in characters. */
    static final int MAX_FIELD = 1024;
    private static final int BUFFERS = 32; // 4 MiB of lines at most waiting for the writer
    static final long FLUSH_MILLIS = 200;

    private final OutputStream out;
    private final Counter dropped;
    private final BlockingQueue<Buffer> toWrite = new ArrayBlockingQueue<>(BUFFERS);
    private final Queue<Buffer> free = new ConcurrentLinkedQueue<>();
    private final AtomicInteger allocated = new AtomicInteger();
    private final Queue<LoopState> loops = new ConcurrentLinkedQueue<>();
    private final FastThreadLocal<LoopState> state = new FastThreadLocal<>();
    private final Thread writer;
    private volatile boolean closed;

    /** Bytes of lines, and how many are used. */
    private static final class Buffer {
        final byte[] bytes;
        int length;

        Buffer(int size) {
            bytes = new byte[size];
        }
    }

    /** The date and time of day of the last second formatted, kept to format them once a second. */
    static final class Clock {
        long second = Long.MIN_VALUE;
        final byte[] text = new byte[19]; // yyyy-MM-ddTHH:mm:ss
    }

    /** What one event loop holds: its buffer and its clock. */
    private final class LoopState {
        Buffer buffer;
        final Clock clock = new Clock();
        final Line line = new Line(null, 0);
        ScheduledFuture<?> flush;

        /** Gives the buffer to the writer, when it holds anything; on its loop (or after the loops stopped). */
        void handOff() {
            Buffer b = buffer;
            if (b != null && b.length > 0) {
                buffer = null;
                if (!toWrite.offer(b)) { // cannot happen: at most BUFFERS exist; kept for safety
                    b.length = 0;
                    free.offer(b);
                }
            }
        }
    }

    /** Writes to {@code out} (stdout in production), counting dropped lines in {@code dropped}. */
    public AccessLog(OutputStream out, Counter dropped) {
        this.out = out;
        this.dropped = dropped;
        this.writer = new Thread(this::run, "pier-access-log");
        writer.setDaemon(true);
        writer.start();
    }

    /**
     * Formats one request's line into the buffer of {@code loop}, the calling thread's event loop. Never blocks.
     *
     * @param startMillis when the request head arrived, in milliseconds since the epoch
     * @param client the client's address (from a trusted proxy's X-Forwarded-For or PROXY header when configured)
     * @param protocol {@code HTTP/1.1}, {@code HTTP/1.0} or {@code HTTP/2}
     * @param durationNanos from the request head to the last response byte written
     * @param upstream the endpoint that answered, or null when Pier answered itself
     * @param upstreamNanos from the request sent upstream to the response head, or -1
     * @param route the route that took the request, or null
     * @param tls the TLS protocol version, or null over plain HTTP
     */
    public void log(EventExecutor loop, long startMillis, String client, String method, String host, String path,
                    String protocol, int status, long bytesIn, long bytesOut, long durationNanos, Endpoint upstream,
                    long upstreamNanos, Route route, CharSequence requestId, String tls) {
        LoopState s = state.get();
        if (s == null) {
            s = new LoopState();
            state.set(s);
            loops.add(s);
            LoopState registered = s;
            s.flush = loop.scheduleAtFixedRate(registered::handOff, FLUSH_MILLIS, FLUSH_MILLIS,
                    TimeUnit.MILLISECONDS);
        }
        // the most this line can take: its fixed part, and each character escaped at 6 bytes at worst
        int worst = 512 + 6 * (Math.min(path == null ? 0 : path.length(), MAX_PATH) + length(client) + length(method)
                + length(host) + length(protocol) + length(requestId) + length(tls) + 5 * MAX_FIELD);
        Buffer b = s.buffer;
        if (b != null && b.bytes.length - b.length < worst) {
            s.handOff();
            b = null;
        }
        if (b == null) {
            b = take();
            if (b == null) {
                dropped.increment();
                return;
            }
            s.buffer = b;
        }
        Line l = s.line.reset(b.bytes, b.length);
        l.raw("{\"time\":\"");
        l.time(s.clock, startMillis);
        l.raw("\",\"client\":").string(client);
        l.raw(",\"method\":").string(method);
        l.raw(",\"host\":").string(host);
        l.raw(",\"path\":").string(path, MAX_PATH);
        l.raw(",\"protocol\":").string(protocol);
        l.raw(",\"status\":").number(status);
        l.raw(",\"bytesIn\":").number(bytesIn);
        l.raw(",\"bytesOut\":").number(bytesOut);
        l.raw(",\"durationMs\":").millis(durationNanos);
        l.raw(",\"upstream\":");
        if (upstream == null) {
            l.raw("null");
        } else {
            l.upstream(upstream);
        }
        l.raw(",\"upstreamMs\":");
        if (upstreamNanos < 0) {
            l.raw("null");
        } else {
            l.millis(upstreamNanos);
        }
        boolean named = route != null && route.source() != null;
        l.raw(",\"namespace\":").string(named ? route.source().namespace() : "");
        l.raw(",\"ingress\":").string(named ? route.source().name() : "");
        l.raw(",\"service\":");
        if (route == null || route.backend() == null) {
            l.string("");
        } else {
            l.serviceName(route.backend().namespace(), route.backend().service());
        }
        l.raw(",\"requestId\":").string(requestId);
        l.raw(",\"tls\":").string(tls);
        l.raw("}\n");
        b.length = l.at;
    }

    private static int length(CharSequence s) {
        return s == null ? 0 : Math.min(s.length(), MAX_FIELD);
    }

    /** A free buffer, a new one while fewer than {@link #BUFFERS} exist, or null when all wait for the writer. */
    private Buffer take() {
        Buffer b = free.poll();
        if (b == null && allocated.getAndIncrement() < BUFFERS) {
            b = new Buffer(BUFFER_BYTES);
        }
        return b;
    }

    /**
     * Writes one line into a buffer that has room for its worst case (checked by {@link #log}): no bounds checks
     * here. The upstream address and the route's names count as {@link #MAX_FIELD} each in that worst case.
     */
    private static final class Line {
        private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        private byte[] b;
        int at;

        Line(byte[] b, int at) {
            reset(b, at);
        }

        /** Writes into {@code b} from {@code at} on: one Line per event loop, reused for each of its lines. */
        Line reset(byte[] b, int at) {
            this.b = b;
            this.at = at;
            return this;
        }

        Line raw(String ascii) {
            for (int i = 0; i < ascii.length(); i++) {
                b[at++] = (byte) ascii.charAt(i);
            }
            return this;
        }

        /** A JSON string, or null; UTF-8, cut at {@link #MAX_FIELD} characters. */
        Line string(CharSequence s) {
            return string(s, MAX_FIELD);
        }

        /** A JSON string, or null; UTF-8, cut at {@code max} characters. */
        Line string(CharSequence s, int max) {
            if (s == null) {
                return raw("null");
            }
            b[at++] = '"';
            chars(s, max);
            b[at++] = '"';
            return this;
        }

        private void chars(CharSequence s) {
            chars(s, MAX_FIELD);
        }

        private void chars(CharSequence s, int max) {
            int n = Math.min(s.length(), max);
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                    b[at++] = (byte) c;
                } else if (c == '"' || c == '\\') {
                    b[at++] = '\\';
                    b[at++] = (byte) c;
                } else if (c < 0x20) {
                    b[at++] = '\\';
                    b[at++] = 'u';
                    b[at++] = '0';
                    b[at++] = '0';
                    b[at++] = HEX[c >> 4];
                    b[at++] = HEX[c & 0xF];
                } else if (c < 0x800) {
                    b[at++] = (byte) (0xC0 | (c >> 6));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    b[at++] = (byte) (0xF0 | (cp >> 18));
                    b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (cp & 0x3F));
                } else if (Character.isSurrogate(c)) {
                    b[at++] = '?'; // half of a pair: not encodable
                } else {
                    b[at++] = (byte) (0xE0 | (c >> 12));
                    b[at++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                    b[at++] = (byte) (0x80 | (c & 0x3F));
                }
            }
        }

        Line number(long v) {
            if (v < 0) {
                b[at++] = '-';
                v = -v;
            }
            int start = at;
            do {
                b[at++] = (byte) ('0' + v % 10);
                v /= 10;
            } while (v > 0);
            for (int i = start, j = at - 1; i < j; i++, j--) {
                byte t = b[i];
                b[i] = b[j];
                b[j] = t;
            }
            return this;
        }

        /** Nanoseconds as milliseconds with three decimals (microseconds). */
        Line millis(long nanos) {
            long micros = Math.max(0, nanos) / 1000;
            number(micros / 1000);
            b[at++] = '.';
            long fraction = micros % 1000;
            b[at++] = (byte) ('0' + fraction / 100);
            b[at++] = (byte) ('0' + fraction / 10 % 10);
            b[at++] = (byte) ('0' + fraction % 10);
            return this;
        }

        /** {@code ip:port}, or {@code [ip]:port} for IPv6, as a JSON string. */
        Line upstream(Endpoint e) {
            b[at++] = '"';
            boolean v6 = e.address().indexOf(':') >= 0;
            if (v6) {
                b[at++] = '[';
            }
            chars(e.address());
            if (v6) {
                b[at++] = ']';
            }
            b[at++] = ':';
            number(e.port());
            b[at++] = '"';
            return this;
        }

        /** {@code namespace/name} as a JSON string. */
        Line serviceName(String namespace, String name) {
            b[at++] = '"';
            chars(namespace);
            b[at++] = '/';
            chars(name);
            b[at++] = '"';
            return this;
        }

        /** ISO-8601 UTC with milliseconds; the date and time of day are formatted once a second. */
        void time(Clock clock, long epochMillis) {
            long second = Math.floorDiv(epochMillis, 1000);
            if (second != clock.second) {
                clock.second = second;
                formatSecond(second, clock.text);
            }
            System.arraycopy(clock.text, 0, b, at, 19);
            at += 19;
            int millis = (int) Math.floorMod(epochMillis, 1000);
            b[at++] = '.';
            b[at++] = (byte) ('0' + millis / 100);
            b[at++] = (byte) ('0' + millis / 10 % 10);
            b[at++] = (byte) ('0' + millis % 10);
            b[at++] = 'Z';
        }

        /** {@code yyyy-MM-ddTHH:mm:ss} of an epoch second (UTC; years 0-9999). */
        static void formatSecond(long epochSecond, byte[] out) {
            long days = Math.floorDiv(epochSecond, 86_400);
            int secs = (int) Math.floorMod(epochSecond, 86_400);
            // days to a civil date (Howard Hinnant's algorithm)
            long z = days + 719_468;
            long era = Math.floorDiv(z, 146_097);
            long doe = z - era * 146_097;
            long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            int day = (int) (doy - (153 * mp + 2) / 5 + 1);
            int month = (int) (mp < 10 ? mp + 3 : mp - 9);
            int year = (int) (yoe + era * 400 + (month <= 2 ? 1 : 0));
            digits(out, 0, year, 4);
            out[4] = '-';
            digits(out, 5, month, 2);
            out[7] = '-';
            digits(out, 8, day, 2);
            out[10] = 'T';
            digits(out, 11, secs / 3600, 2);
            out[13] = ':';
            digits(out, 14, secs / 60 % 60, 2);
            out[16] = ':';
            digits(out, 17, secs % 60, 2);
        }

        private static void digits(byte[] out, int at, int value, int width) {
            for (int i = at + width - 1; i >= at; i--) {
                out[i] = (byte) ('0' + value % 10);
                value /= 10;
            }
        }
    }

    private void run() {
        try {
            while (true) {
                Buffer b = toWrite.poll(50, TimeUnit.MILLISECONDS);
                if (b == null) {
                    if (closed && toWrite.isEmpty()) {
                        out.flush();
                        return;
                    }
                    continue;
                }
                out.write(b.bytes, 0, b.length);
                out.flush();
                b.length = 0;
                free.offer(b);
            }
        } catch (IOException e) {
            log.error("access log writer stopped: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Formats {@code epochMillis} as the log does, with {@code clock}'s cache; for tests. */
    static String formatTime(Clock clock, long epochMillis) {
        byte[] b = new byte[24];
        new Line(b, 0).time(clock, epochMillis);
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** A JSON string as the log writes it; for tests. */
    static String formatString(String s) {
        byte[] b = new byte[16 + 6 * s.length()];
        Line l = new Line(b, 0).string(s, Integer.MAX_VALUE);
        return new String(b, 0, l.at, java.nio.charset.StandardCharsets.UTF_8);
    }

    /**
     * Writes what the event loops hold and what is queued, then stops. Call after the proxy's event loops stopped:
     * their buffers are taken from here.
     */
    @Override
    public void close() {
        for (LoopState s : loops) {
            s.flush.cancel(false);
            s.handOff();
        }
        closed = true;
        try {
            writer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
