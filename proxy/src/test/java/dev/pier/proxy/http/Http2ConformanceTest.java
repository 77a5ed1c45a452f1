package dev.pier.proxy.http;

import static dev.pier.testing.RawHttp2.DATA;
import static dev.pier.testing.RawHttp2.END_HEADERS;
import static dev.pier.testing.RawHttp2.FLOW_CONTROL_ERROR;
import static dev.pier.testing.RawHttp2.FRAME_SIZE_ERROR;
import static dev.pier.testing.RawHttp2.HEADERS;
import static dev.pier.testing.RawHttp2.PRIORITY;
import static dev.pier.testing.RawHttp2.PROTOCOL_ERROR;
import static dev.pier.testing.RawHttp2.STREAM_CLOSED;
import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.RecordingProxyTestBase;
import dev.pier.testing.RawHttp2;
import dev.pier.testing.RawHttp2.Outcome;
import dev.pier.testing.RecordingUpstream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * HTTP/2 over real TLS connections, frame by frame, organised by the sections of RFC 9113 whose error handling they
 * pin down: the error code of each stream and connection error, that a stream error leaves the connection serving,
 * and that nothing of a malformed request reaches the upstream (a raw recording backend).
 */
class Http2ConformanceTest extends RecordingProxyTestBase {
    private static final int WAIT = 3_000;
    private RawHttp2 connect() throws Exception {
        return new RawHttp2(proxy.httpsPort());
    }

    private static void assertReset(Outcome o, int code) {
        assertThat(o).as("outcome").isNotNull();
        assertThat(o.kind()).as("outcome of stream " + o.stream()).isEqualTo(Outcome.RESET);
        assertThat(o.errorCode()).as("RST_STREAM error code").isEqualTo(code);
    }

    private static void assertGoAway(Outcome o, int code) {
        assertThat(o).as("outcome").isNotNull();
        assertThat(o.kind()).isEqualTo(Outcome.GOAWAY);
        assertThat(o.errorCode()).as("GOAWAY error code").isEqualTo(code);
    }

    /**
     * A frame after the client ended its stream is STREAM_CLOSED: a stream error while Pier still answers it, or,
     * when the response was already complete and Pier forgot the stream, a connection error.
     */
    private static void assertStreamClosed(RawHttp2 c, int stream) throws Exception {
        Outcome o = c.outcome(stream, WAIT);
        if (o.kind().equals(Outcome.RESPONSE)) {
            assertGoAway(c.outcome(stream, WAIT), STREAM_CLOSED);
        } else {
            assertReset(o, STREAM_CLOSED);
        }
    }

    /** Opens a POST to {@code /} on {@code stream}, its body still to come. */
    private static void openPost(RawHttp2 c, int stream, String... extra) throws Exception {
        String[] pairs = new String[8 + extra.length];
        System.arraycopy(new String[] {":method", "POST", ":scheme", "https", ":authority", "example.com", ":path",
                "/"}, 0, pairs, 0, 8);
        System.arraycopy(extra, 0, pairs, 8, extra.length);
        c.headers(stream, false, pairs);
    }

    /** After a stream error the connection still serves: a new request on {@code stream} gets its 200. */
    private void assertStillServes(RawHttp2 c, int stream) throws Exception {
        c.get(stream, "example.com", "/after");
        Outcome o = c.outcome(stream, WAIT);
        assertThat(o.kind()).isEqualTo(Outcome.RESPONSE);
        assertThat(o.status()).isEqualTo(200);
        assertThat(o.body()).isEqualTo("ok");
    }

    @Test
    void aWellFormedRequestIsProxied() throws Exception {
        try (RawHttp2 c = connect()) {
            assertStillServes(c, 1);
        }
        assertThat(upstream.completeRequests()).isEqualTo(1);
        assertThat(upstream.received()).startsWith("GET /after HTTP/1.1\r\n").contains("host: example.com");
    }

    @Nested
    class StreamStates_5_1 {
        @Test
        void dataOnAHalfClosedRemoteStreamIsStreamClosed() throws Exception {
            try (RawHttp2 c = connect()) {
                c.frame(HEADERS, END_HEADERS | RawHttp2.END_STREAM, 1,
                        RawHttp2.block(":method", "POST", ":scheme", "https", ":authority", "example.com",
                                ":path", "/slow"));
                c.data(1, false, "late");
                assertStreamClosed(c, 1);
            }
        }

        @Test
        void headersOnAHalfClosedRemoteStreamIsStreamClosed() throws Exception {
            try (RawHttp2 c = connect()) {
                c.frame(HEADERS, END_HEADERS | RawHttp2.END_STREAM, 1,
                        RawHttp2.block(":method", "GET", ":scheme", "https", ":authority", "example.com", ":path",
                                "/"));
                c.headers(1, true, "x-more", "1");
                assertStreamClosed(c, 1);
            }
        }

        @Test
        void headersOnAClosedStreamIsAConnectionError() throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(1, "example.com", "/");
                assertThat(c.outcome(1, WAIT).kind()).isEqualTo(Outcome.RESPONSE);
                c.get(1, "example.com", "/again");
                assertGoAway(c.outcome(1, WAIT), STREAM_CLOSED);
            }
            assertThat(upstream.completeRequests()).isEqualTo(1);
        }
    }

    @Nested
    class StreamIdentifiers_5_1_1 {
        @Test
        void aSmallerStreamIdIsAConnectionProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(5, "example.com", "/five");
                assertThat(c.outcome(5, WAIT).kind()).isEqualTo(Outcome.RESPONSE);
                c.get(3, "example.com", "/three");
                assertGoAway(c.outcome(3, WAIT), PROTOCOL_ERROR);
            }
            assertThat(upstream.received()).doesNotContain("/three");
        }

        @Test
        void anEvenStreamIdIsAConnectionProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(2, "example.com", "/even");
                assertGoAway(c.outcome(2, WAIT), PROTOCOL_ERROR);
            }
            assertThat(upstream.received()).isEmpty();
        }
    }

    @Nested
    class ErrorHandling_5_4 {
        @Test
        void aMalformedRequestFollowedByDataIsAStreamErrorOnly() throws Exception {
            try (RawHttp2 c = connect()) {
                c.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "example.com",
                        ":path", "/a b");
                c.data(1, false, "body");
                c.data(1, true, "more");
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
            assertThat(upstream.received()).doesNotContain("/a b").doesNotContain("body");
        }

        @Test
        void protocolErrorsAreCountedByKind() throws Exception {
            double stream = clientErrors("h2_stream");
            double connection = clientErrors("h2_connection");
            try (RawHttp2 c = connect()) {
                c.headers(1, true, ":method", "GET", ":scheme", "https", ":authority", "example.com");
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                c.get(2, "example.com", "/even");
                assertGoAway(c.outcome(2, WAIT), PROTOCOL_ERROR);
            }
            assertThat(clientErrors("h2_stream")).isEqualTo(stream + 1);
            assertThat(clientErrors("h2_connection")).isEqualTo(connection + 1);
        }
    }

    @Nested
    class FrameDefinitions_6 {
        @Test
        void priorityOfTheWrongLengthIsAStreamFrameSizeError() throws Exception {
            try (RawHttp2 c = connect()) {
                openPost(c, 1);
                c.frame(PRIORITY, 0, 1, new byte[4]);
                assertReset(c.outcome(1, WAIT), FRAME_SIZE_ERROR);
                assertStillServes(c, 3);
            }
        }

        @Test
        void aWindowUpdateOfZeroOnAStreamIsAStreamProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                openPost(c, 1);
                c.windowUpdate(1, 0);
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
        }

        @Test
        void aStreamWindowAbove2To31IsAFlowControlError() throws Exception {
            try (RawHttp2 c = connect()) {
                openPost(c, 1);
                c.windowUpdate(1, Integer.MAX_VALUE);
                c.windowUpdate(1, Integer.MAX_VALUE);
                assertReset(c.outcome(1, WAIT), FLOW_CONTROL_ERROR);
                assertStillServes(c, 3);
            }
        }

        @Test
        void dataOnStreamZeroIsAConnectionProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                c.frame(DATA, 0, 0, "x".getBytes());
                assertGoAway(c.outcome(0, WAIT), PROTOCOL_ERROR);
            }
        }
    }

    @Nested
    class MessageExchange_8_1 {
        @Test
        void aSecondHeadersWithoutEndStreamIsAStreamProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                openPost(c, 1);
                c.headers(1, false, "x-trailer", "1");
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
        }

        @Test
        void aPseudoHeaderInTrailersIsAStreamProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                c.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "example.com",
                        ":path", "/", "content-type", "text/plain");
                c.data(1, false, "abc");
                c.headers(1, true, ":method", "GET");
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
            assertThat(upstream.connections().get(0).completeRequests()).isZero(); // the POST never completed
        }

        @ParameterizedTest(name = "content-length {0} with 3 bytes of DATA")
        @ValueSource(strings = {"2", "10"})
        void aContentLengthThatDisagreesWithTheDataIsAStreamProtocolError(String length) throws Exception {
            try (RawHttp2 c = connect()) {
                c.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "example.com",
                        ":path", "/upload", "content-length", length);
                c.data(1, true, "abc");
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
            // Pier streams bodies, so the head may have gone up; the request never completes there, and the
            // connection that carried part of it is closed, never reused.
            RecordingUpstream.Connection first = upstream.connections().get(0);
            if (first.received().contains("/upload")) {
                assertThat(first.completeRequests()).isZero();
                assertThat(first.closedByPeer()).isTrue();
                assertThat(upstream.connections()).hasSize(2);
            }
        }

        @Test
        void requestTrailersAreForwarded() throws Exception {
            try (RawHttp2 c = connect()) {
                c.headers(1, false, ":method", "POST", ":scheme", "https", ":authority", "example.com",
                        ":path", "/t");
                c.data(1, false, "abc");
                c.headers(1, true, "x-checksum", "42");
                assertThat(c.outcome(1, WAIT).status()).isEqualTo(200);
            }
            assertThat(upstream.received()).contains("transfer-encoding: chunked").contains("3\r\nabc\r\n")
                    .contains("x-checksum: 42");
        }
    }

    @Nested
    class Headers_8_2_and_8_3 {
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {":method", ":scheme", ":path"})
        void aRequestWithoutARequiredPseudoHeaderIsAStreamProtocolError(String missing) throws Exception {
            String[] all = {":method", "GET", ":scheme", "https", ":authority", "example.com", ":path", "/"};
            String[] pairs = new String[6];
            int j = 0;
            for (int i = 0; i < all.length; i += 2) {
                if (!all[i].equals(missing)) {
                    pairs[j++] = all[i];
                    pairs[j++] = all[i + 1];
                }
            }
            try (RawHttp2 c = connect()) {
                c.headers(1, true, pairs);
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
            assertThat(upstream.completeRequests()).isEqualTo(1); // the second request only
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"/a b", "/a\tb", "/a\u0001b", "relative", "", "/a\u007fb"})
        void aBadPathIsAStreamProtocolError(String path) throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(1, "example.com", path);
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
            assertThat(upstream.completeRequests()).isEqualTo(1);
        }

        @Test
        void aMethodThatIsNotATokenIsAStreamProtocolError() throws Exception {
            try (RawHttp2 c = connect()) {
                c.headers(1, true, ":method", "GE T", ":scheme", "https", ":authority", "example.com", ":path", "/");
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
        }

        @ParameterizedTest(name = "value {0}")
        @ValueSource(strings = {"a\r\nx-injected: 1", "a\nb", "a\u0000b"})
        void aHeaderValueWithCrLfOrNulNeverReachesTheUpstream(String value) throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(1, "example.com", "/", "x-evil", value);
                Outcome o = c.outcome(1, WAIT);
                assertThat(o.kind()).isIn(Outcome.RESET, Outcome.GOAWAY);
                assertThat(o.errorCode()).isEqualTo(PROTOCOL_ERROR);
            }
            assertThat(upstream.received()).doesNotContain("x-injected").doesNotContain("x-evil");
        }

        @ParameterizedTest(name = "{0}: {1}")
        @CsvSource({
                "X-Upper, 1",              // field names are lower case in HTTP/2 (8.2.1)
                "upgrade, h2c",            // connection-specific fields are malformed (8.2.2)
                "host, evil.example",      // a host that disagrees with :authority (8.3.1)
        })
        void aBadFieldIsAStreamProtocolErrorAndNeverReachesTheUpstream(String name, String value)
                throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(1, "example.com", "/", name, value);
                assertReset(c.outcome(1, WAIT), PROTOCOL_ERROR);
                assertStillServes(c, 3);
            }
            assertThat(upstream.received()).doesNotContainIgnoringCase(name + ": " + value);
        }

        @Test
        void anAuthorityThatIsNotAHostIsRefusedWith400() throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(1, "user@example.com", "/");
                Outcome o = c.outcome(1, WAIT);
                assertThat(o.kind()).isEqualTo(Outcome.RESPONSE);
                assertThat(o.status()).isEqualTo(400);
            }
            assertThat(upstream.received()).isEmpty();
        }

        @Test
        void cookieCrumbsAreJoinedForTheHttp11Upstream() throws Exception {
            try (RawHttp2 c = connect()) {
                c.get(1, "example.com", "/", "cookie", "a=1", "cookie", "b=2");
                assertThat(c.outcome(1, WAIT).status()).isEqualTo(200);
            }
            assertThat(upstream.received()).contains("cookie: a=1; b=2\r\n");
        }
    }

    @Test
    void twentyThousandMalformedRequestsLeaveDirectMemoryWhereItWas() throws Exception {
        try (RawHttp2 warm = connect()) {
            sendBad(warm, 200); // the allocator's arenas and the TLS buffers exist before the baseline
        }
        long before = directMemory();
        int sent = 0;
        while (sent < 20_000) {
            try (RawHttp2 c = connect()) {
                sent += sendBad(c, 100); // below the 200 resets that end a connection (the next test)
            }
        }
        long after = directMemory();
        assertThat(after - before).as("direct memory growth after %d bad requests", sent)
                .isLessThan(1024 * 1024);
    }

    @Test
    void aClientThatMakesPierResetTwoHundredStreamsIsDisconnected() throws Exception {
        try (RawHttp2 c = connect()) {
            sendBad(c, 201); // Netty's defence against "MadeYouReset" (CVE-2025-55163): over 200 resets in 30 s
            c.get(403, "example.com", "/a b");
            assertGoAway(c.outcome(403, WAIT), 0xb); // ENHANCE_YOUR_CALM
        }
    }

    @Test
    void aClientThatResetsTwoHundredOfItsOwnStreamsIsDisconnected() throws Exception {
        try (RawHttp2 c = connect()) { // "Rapid Reset" (CVE-2023-44487)
            int stream = 1;
            for (int i = 0; i < 201; i++, stream += 2) {
                c.headers(stream, false, ":method", "POST", ":scheme", "https", ":authority", "example.com",
                        ":path", "/");
                c.frame(RawHttp2.RST_STREAM, 0, stream, new byte[] {0, 0, 0, 8});
            }
            assertGoAway(c.outcome(stream, WAIT), 0xb); // ENHANCE_YOUR_CALM
        }
    }

    /**
     * Sends {@code n} requests with a space in :path (alternating with no :path) on new streams, in batches of 50
     * (fewer than the streams a client may have open), and checks that each is reset with PROTOCOL_ERROR.
     */
    private static int sendBad(RawHttp2 c, int n) throws Exception {
        int stream = 1;
        for (int done = 0; done < n; ) {
            int batch = Math.min(50, n - done);
            for (int i = 0; i < batch; i++, stream += 2) {
                if ((done + i) % 2 == 0) {
                    c.get(stream, "example.com", "/a b");
                } else {
                    c.headers(stream, true, ":method", "GET", ":scheme", "https", ":authority", "example.com");
                }
            }
            for (int i = 0; i < batch; i++) {
                RawHttp2.Frame f = c.next(WAIT);
                assertThat(f).as("answer %d of %d", done + i + 1, n).isNotNull();
                assertThat(f.type()).as("%s", f).isEqualTo(RawHttp2.RST_STREAM);
                assertThat(f.errorCode()).as("%s", f).isEqualTo(PROTOCOL_ERROR);
            }
            done += batch;
        }
        return n;
    }

    private static long directMemory() throws Exception {
        long used = 0;
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        for (java.lang.management.BufferPoolMXBean pool
                : java.lang.management.ManagementFactory.getPlatformMXBeans(
                        java.lang.management.BufferPoolMXBean.class)) {
            if (pool.getName().equals("direct")) {
                used += pool.getMemoryUsed();
            }
        }
        return used + io.netty.util.internal.PlatformDependent.usedDirectMemory();
    }
}
