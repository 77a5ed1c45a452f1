package dev.pier.proxy.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.JsonLines;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.DefaultEventLoop;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The access log's own formatting (no JSON library on the request path) against Java's and Jackson's. */
class AccessLogTest {
    private static final JsonFactory JSON = new JsonFactory();
    private final DefaultEventLoop loop = new DefaultEventLoop();
    private final Counter dropped = new SimpleMeterRegistry().counter("dropped");
    private final Route route = new Route("app.example.com", "/", PathType.PREFIX,
            new Backend("shop", "web", "80"), new Source("shop", "storefront"), false, false, Policy.NONE);

    @AfterEach
    void stop() throws Exception {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void timesAreIsoInstantsWithMilliseconds() {
        DateTimeFormatter expected = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
                .withZone(ZoneOffset.UTC);
        AccessLog.Clock clock = new AccessLog.Clock();
        Random random = new Random(3);
        long t = Instant.parse("1999-12-31T23:59:58.000Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) { // runs through seconds, days, months, leap years and centuries
            t += random.nextInt(i % 2 == 0 ? 700 : 500_000_000);
            assertThat(AccessLog.formatTime(clock, t)).isEqualTo(expected.format(Instant.ofEpochMilli(t)));
        }
        assertThat(AccessLog.formatTime(clock, 0)).isEqualTo("1970-01-01T00:00:00.000Z");
    }

    @Test
    void stringsAreJsonThatParsesBackToThemselves() throws Exception {
        Random random = new Random(5);
        char[] alphabet = {'a', '/', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', '€', '\ud83d',
            '\ude00', '?', ' '};
        for (int i = 0; i < 20_000; i++) {
            StringBuilder s = new StringBuilder();
            for (int n = random.nextInt(12); n > 0; n--) {
                s.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String text = s.toString();
            String expected = text.codePoints().mapToObj(cp -> Character.isSurrogate((char) cp) && cp < 0x10000
                    ? "?" : new String(Character.toChars(cp))).reduce("", String::concat);
            try (JsonParser p = JSON.createParser(AccessLog.formatString(text))) {
                assertThat(p.nextToken()).isEqualTo(JsonToken.VALUE_STRING);
                assertThat(p.getText()).as(text).isEqualTo(expected);
                assertThat(p.nextToken()).isNull();
            }
        }
    }

    @Test
    void aLineHasEveryFieldAndBuffersAreWrittenWithinTheFlushPeriod() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AccessLog log = new AccessLog(out, dropped);
        long start = Instant.parse("2026-12-07T06:59:26.404Z").toEpochMilli();
        loop.submit(() -> log.log(loop, start, "10.0.0.7", "GET", "app.example.com", "/a?b=\"c\"", "HTTP/1.1",
                200, 5, 183, 182_458_950, new Endpoint("fd00::1", 8080), 132_314_285, route, "abc", null)).sync();
        loop.submit(() -> log.log(loop, start + 1, "10.0.0.7", "GET", "other.example.com", "/", "HTTP/2",
                404, 0, 9, 1_000, null, -1, null, null, "TLSv1.3")).sync();
        List<Map<String, Object>> lines = awaitLines(out, 2);
        Map<String, Object> first = lines.get(0);
        assertThat(first).containsExactly(Map.entry("time", "2026-12-07T06:59:26.404Z"),
                Map.entry("client", "10.0.0.7"), Map.entry("method", "GET"), Map.entry("host", "app.example.com"),
                Map.entry("path", "/a?b=\"c\""), Map.entry("protocol", "HTTP/1.1"), Map.entry("status", 200L),
                Map.entry("bytesIn", 5L), Map.entry("bytesOut", 183L), Map.entry("durationMs", 182.458),
                Map.entry("upstream", "[fd00::1]:8080"), Map.entry("upstreamMs", 132.314),
                Map.entry("namespace", "shop"), Map.entry("ingress", "storefront"), Map.entry("service", "shop/web"),
                Map.entry("requestId", "abc"), new java.util.AbstractMap.SimpleEntry<>("tls", null));
        Map<String, Object> second = lines.get(1);
        assertThat(second).containsEntry("upstream", null).containsEntry("upstreamMs", null)
                .containsEntry("ingress", "").containsEntry("service", "").containsEntry("durationMs", 0.001)
                .containsEntry("tls", "TLSv1.3").containsEntry("requestId", null);
        log.close();
    }

    @Test
    void aBlockedOutputDropsAndCountsLinesAndNeverBlocksTheLoopOrSplitsALine() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        OutputStream blocked = new OutputStream() {
            @Override
            public void write(int b) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new IOException(e);
                }
                synchronized (written) {
                    written.write(b, off, len);
                }
            }
        };
        AccessLog log = new AccessLog(blocked, dropped);
        String longPath = "/" + "p".repeat(AccessLog.MAX_PATH + 100);
        int lines = 60_000;
        loop.submit(() -> {
            for (int i = 0; i < lines; i++) {
                log.log(loop, 0, "10.0.0.7", "GET", "app.example.com", i % 100 == 0 ? longPath : "/" + i,
                        "HTTP/1.1", 200, 0, 10, 1_000, new Endpoint("10.1.0.1", 8080), 500, route, null, null);
            }
        }).get(30, TimeUnit.SECONDS); // returns although nothing can be written: the loop never waits
        assertThat(dropped.count()).as("the buffers ran out").isPositive();
        release.countDown();
        log.close(); // the loop's last buffer too
        List<Map<String, Object>> parsed = new ArrayList<>();
        synchronized (written) {
            for (String line : written.toString(StandardCharsets.UTF_8).split("\n")) {
                parsed.add(JsonLines.fields(line)); // every line whole
            }
        }
        assertThat(parsed.size() + (long) dropped.count()).isEqualTo(lines);
        assertThat(parsed).anySatisfy(n -> assertThat((String) n.get("path")).hasSize(AccessLog.MAX_PATH));
    }

    private static List<Map<String, Object>> awaitLines(ByteArrayOutputStream out, int n) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            String text;
            synchronized (out) {
                text = out.toString(StandardCharsets.UTF_8);
            }
            String[] lines = text.isEmpty() ? new String[0] : text.split("\n");
            if (lines.length >= n || System.nanoTime() > deadline) {
                List<Map<String, Object>> parsed = new ArrayList<>();
                for (String line : lines) {
                    parsed.add(JsonLines.fields(line));
                }
                assertThat(parsed).hasSize(n);
                return parsed;
            }
            Thread.sleep(20);
        }
    }
}
