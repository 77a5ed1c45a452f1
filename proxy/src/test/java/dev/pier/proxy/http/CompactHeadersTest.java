package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** {@link CompactHeaders} against Netty's {@code DefaultHttpHeaders}: the same operations, the same answers. */
class CompactHeadersTest {
    private static final List<CharSequence> NAMES = List.of("Content-Length", "content-length", "CONTENT-LENGTH",
            "Set-Cookie", "set-cookie", "X-A", "x-a", "Connection", "Date", "Vary", "Transfer-Encoding",
            AsciiString.cached("x-a"), AsciiString.cached("Content-Length"), "X-Content-Length");
    private static final List<Object> VALUES = List.of("1", "42", "a, b", "keep-alive", "close", "Close", "",
            " x ", "Mon, 07 Dec 2026 10:00:00 GMT", "-5", "99999999999", "chunked", "gzip, chunked",
            AsciiString.cached("7"), 12, new java.util.Date(1_700_000_000_000L));
    private static final List<CharSequence> BAD_NAMES = List.of("bad name", "a:b", "", "x\ty", "é");
    private static final List<Object> BAD_VALUES = List.of("a\r\nb", "a\u0000b", "a\nb", "\r");

    @Test
    void randomOperationsGiveTheSameAnswersAsNettysHeaders() {
        Random random = new Random(11);
        for (int run = 0; run < 300; run++) {
            HttpHeaders expected = DefaultHttpHeadersFactory.headersFactory().newHeaders();
            HttpHeaders actual = CompactHeaders.FACTORY.newHeaders();
            for (int step = 0; step < 40; step++) {
                Consumer<HttpHeaders> op = operation(random);
                RuntimeException expectedFailure = apply(op, expected);
                RuntimeException actualFailure = apply(op, actual);
                assertThat(actualFailure == null ? null : actualFailure.getClass()).as("run %d step %d", run, step)
                        .isEqualTo(expectedFailure == null ? null : expectedFailure.getClass());
                assertSame(expected, actual);
            }
        }
    }

    @Test
    void refusesWhatNettysHeadersRefuse() {
        HttpHeaders h = CompactHeaders.FACTORY.newHeaders();
        for (Object bad : BAD_VALUES) {
            assertThatThrownBy(() -> h.add("X-A", bad)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> h.set("X-A", bad)).isInstanceOf(IllegalArgumentException.class);
        }
        for (CharSequence bad : BAD_NAMES) {
            assertThatThrownBy(() -> h.add(bad, "1")).isInstanceOf(IllegalArgumentException.class);
        }
        assertThat(h.isEmpty()).isTrue();
    }

    @Test
    void copiesAreIndependent() {
        HttpHeaders h = CompactHeaders.FACTORY.newHeaders().add("A", "1").add("B", "2");
        HttpHeaders copy = h.copy();
        h.set("A", "3");
        copy.remove("B");
        assertThat(h.get("A")).isEqualTo("3");
        assertThat(h.get("B")).isEqualTo("2");
        assertThat(copy.get("A")).isEqualTo("1");
        assertThat(copy.contains("B")).isFalse();
    }

    private static RuntimeException apply(Consumer<HttpHeaders> op, HttpHeaders h) {
        try {
            op.accept(h);
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static Consumer<HttpHeaders> operation(Random r) {
        CharSequence name = r.nextInt(20) == 0 ? pick(r, BAD_NAMES) : pick(r, NAMES);
        Object value = r.nextInt(20) == 0 ? pick(r, BAD_VALUES) : pick(r, VALUES);
        List<Object> values = List.of(pick(r, VALUES), pick(r, VALUES));
        int number = r.nextInt(2000) - 1000;
        return switch (r.nextInt(11)) {
            case 0, 1, 2 -> h -> h.add(name, value);
            case 3 -> h -> h.add(name.toString(), value);
            case 4 -> h -> h.set(name, value);
            case 5 -> h -> h.remove(name);
            case 6 -> h -> h.add(name, values);
            case 7 -> h -> h.set(name, values);
            case 8 -> h -> h.addInt(name, number);
            case 9 -> h -> h.setInt(name, number);
            default -> number % 8 == 0 ? HttpHeaders::clear : h -> h.remove(name.toString());
        };
    }

    private static <T> T pick(Random r, List<T> from) {
        return from.get(r.nextInt(from.size()));
    }

    private static void assertSame(HttpHeaders expected, HttpHeaders actual) {
        assertThat(actual.size()).isEqualTo(expected.size());
        assertThat(actual.isEmpty()).isEqualTo(expected.isEmpty());
        assertThat(pairs(actual.iteratorCharSequence())).isEqualTo(pairs(expected.iteratorCharSequence()));
        assertThat(strings(actual.entries())).isEqualTo(strings(expected.entries()));
        assertThat(new HashSet<>(actual.names())).isEqualTo(new HashSet<>(expected.names()));
        for (CharSequence name : NAMES) {
            String n = name.toString();
            assertThat(actual.get(name)).as(n).isEqualTo(expected.get(name));
            assertThat(actual.get(n)).as(n).isEqualTo(expected.get(n));
            assertThat(actual.getAll(name)).as(n).isEqualTo(expected.getAll(name));
            assertThat(actual.contains(name)).as(n).isEqualTo(expected.contains(name));
            assertThat(outcome(() -> actual.getInt(name))).as(n).isEqualTo(outcome(() -> expected.getInt(name)));
            assertThat(outcome(() -> actual.getInt(name, -1))).as(n)
                    .isEqualTo(outcome(() -> expected.getInt(name, -1)));
            assertThat(outcome(() -> actual.getShort(name))).as(n).isEqualTo(outcome(() -> expected.getShort(name)));
            assertThat(outcome(() -> actual.getTimeMillis(name))).as(n)
                    .isEqualTo(outcome(() -> expected.getTimeMillis(name)));
            List<String> a = new ArrayList<>();
            actual.valueCharSequenceIterator(name).forEachRemaining(v -> a.add(v.toString()));
            List<String> e = new ArrayList<>();
            expected.valueCharSequenceIterator(name).forEachRemaining(v -> e.add(v.toString()));
            assertThat(a).as(n).isEqualTo(e);
            for (String v : List.of("close", "Close", "chunked", "1", "a")) {
                assertThat(actual.contains(n, v, true)).as(n + " " + v).isEqualTo(expected.contains(n, v, true));
                assertThat(actual.contains(n, v, false)).as(n + " " + v).isEqualTo(expected.contains(n, v, false));
                assertThat(actual.containsValue(name, v, true)).as(n + " " + v)
                        .isEqualTo(expected.containsValue(name, v, true));
            }
        }
    }

    /** What a read answered, or the class of what it threw (Netty throws for a field that is not a date). */
    private static Object outcome(Callable<Object> read) {
        try {
            return read.call();
        } catch (Exception e) {
            return e.getClass();
        }
    }

    private static List<String> pairs(Iterator<Map.Entry<CharSequence, CharSequence>> it) {
        List<String> out = new ArrayList<>();
        it.forEachRemaining(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }

    private static List<String> strings(List<Map.Entry<String, String>> entries) {
        List<String> out = new ArrayList<>();
        entries.forEach(e -> out.add(e.getKey() + ": " + e.getValue()));
        return out;
    }
}
