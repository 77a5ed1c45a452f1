package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HeadersTest {

    private static HttpHeaders headers(String... namesAndValues) {
        HttpHeaders h = new DefaultHttpHeaders();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            h.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return h;
    }

    @Test
    void removesEveryHopByHopFieldAndWhatConnectionNames() {
        HttpHeaders h = headers("Connection", "keep-alive", "Keep-Alive", "timeout=5", "TE", "trailers",
                "Trailer", "X-T", "Transfer-Encoding", "chunked", "Upgrade", "h2c", "Proxy-Connection", "close",
                "Proxy-Authenticate", "Basic", "Proxy-Authorization", "Basic eA==", "X-Kept", "1");
        Headers.removeHopByHop(h);
        assertThat(h.names()).containsExactly("X-Kept");
    }

    @Test
    void connectionTokensAreTrimmedCaseInsensitiveAndMayRepeat() {
        HttpHeaders h = headers("Connection", "close ,X-One,\tx-two\t, ,x-five", "Connection", "X-Three",
                "x-one", "a", "X-TWO", "b", "X-Three", "c", "X-Four", "d", "X-Five", "e",
                "Close", "named by an option: removed");
        Headers.removeHopByHop(h);
        assertThat(h.names()).containsExactly("X-Four");
    }

    @Test
    void aConnectionNamingNothingElseRemovesOnlyTheHopByHopFields() {
        HttpHeaders h = headers("Connection", "Upgrade, Keep-Alive", "Host", "example.com");
        Headers.removeHopByHop(h);
        assertThat(h.names()).containsExactly("Host");
    }

    @Test
    void keepUpgradeLeavesAProtocolSwitch() {
        HttpHeaders h = headers("Connection", "Upgrade, X-Gone", "Upgrade", "websocket", "X-Gone", "1");
        Headers.removeHopByHop(h, true);
        assertThat(h.get("connection")).isEqualTo("upgrade");
        assertThat(h.get("upgrade")).isEqualTo("websocket");
        assertThat(h.contains("x-gone")).isFalse();
    }

    @Test
    void repeatedCountsValuesOfOneName() {
        assertThat(Headers.repeated(headers(), "Host")).isFalse();
        assertThat(Headers.repeated(headers("Host", "a"), "host")).isFalse();
        assertThat(Headers.repeated(headers("Host", "a", "X", "1", "HOST", "b"), "Host")).isTrue();
    }

    @Test
    void requestIdsAre32LowerCaseHexDigitsAndDiffer() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            AsciiString id = Headers.newRequestId();
            assertThat(id.toString()).matches("[0-9a-f]{32}");
            seen.add(id.toString());
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void aRequestIdWrittenIntoABufferIsTheSameDigits() {
        Random random = new Random(7);
        for (int i = 0; i < 1000; i++) {
            long hi = i == 0 ? 0 : random.nextLong();
            long lo = i == 0 ? -1 : random.nextLong();
            ByteBuf buf = Unpooled.buffer(32);
            Headers.writeRequestId(buf, hi, lo);
            assertThat(buf.toString(StandardCharsets.US_ASCII))
                    .isEqualTo(Headers.requestId(hi, lo).toString())
                    .isEqualTo(String.format("%016x%016x", hi, lo));
            buf.release();
        }
    }
}
