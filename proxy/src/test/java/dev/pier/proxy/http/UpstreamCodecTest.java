package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class UpstreamCodecTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new UpstreamCodec(new HttpDecoderConfig()
            .setTrailersFactory(Trailers.FACTORY)));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void knownFieldNamesAreSharedAndSpelledAsSent() {
        String raw = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/plain\r\ncontent-length: 2\r\n"
                + "CONTENT-TYPE: x\r\nX-Custom: a\r\n\r\nhi";
        List<CharSequence> first = names(exchange(HttpMethod.GET, raw).getFirst());
        List<CharSequence> second = names(exchange(HttpMethod.GET, raw).getFirst());

        assertThat(first).extracting(CharSequence::toString)
                .containsExactly("Server", "Content-Type", "content-length", "CONTENT-TYPE", "X-Custom");
        for (int i = 0; i < 3; i++) {
            assertThat(second.get(i)).as(first.get(i).toString()).isSameAs(first.get(i));
        }
        assertThat(second.get(3)).isNotSameAs(first.get(3)); // an unusual spelling is copied, not bent to a constant
        assertThat(second.get(4)).isNotSameAs(first.get(4));
    }

    @Test
    void aForwardedHeadCarriesPiersForwardingFieldsAfterItsOwnAndNoneOfTheClients() {
        DefaultHttpRequest client = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a?b=1");
        client.headers().add("Host", "app.example.com").add("X-Forwarded-For", "6.6.6.6")
                .add("x-real-ip", "6.6.6.6").add("X-Forwarded-Proto", "https").add("X-Forwarded-Host", "evil")
                .add("X-Forwarded-Port", "1").add("Content-Length", "0");
        ForwardedRequest head = ForwardedRequest.of(client, "10.0.0.7", "10.0.0.1, 10.0.0.7", "http",
                "app.example.com", "8080");

        assertThat(encoded(head)).isEqualTo("POST /a?b=1 HTTP/1.1\r\nHost: app.example.com\r\n"
                + "Content-Length: 0\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.7\r\nX-Real-IP: 10.0.0.7\r\n"
                + "X-Forwarded-Proto: http\r\nX-Forwarded-Host: app.example.com\r\nX-Forwarded-Port: 8080\r\n"
                + "X-Request-ID: " + head.requestId() + "\r\n\r\n");
        assertThat(head.requestId().toString()).matches("[0-9a-f]{32}");
        // A retry on another connection writes the same head again, with the same fields.
        assertThat(encoded(head)).contains("X-Request-ID: " + head.requestId() + "\r\n\r\n");
    }

    @Test
    void aClientsRequestIdIsKeptAndNoHostMeansNoForwardedHost() {
        DefaultHttpRequest client = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/");
        client.headers().add("X-Request-ID", "abc-123").add("X-Forwarded-Host", "evil");
        ForwardedRequest head = ForwardedRequest.of(client, "::1", "::1", "https", "", "443");

        assertThat(head.requestId()).hasToString("abc-123");
        assertThat(encoded(head)).isEqualTo("GET / HTTP/1.0\r\nX-Request-ID: abc-123\r\nX-Forwarded-For: ::1\r\n"
                + "X-Real-IP: ::1\r\nX-Forwarded-Proto: https\r\nX-Forwarded-Port: 443\r\n\r\n");
    }

    @Test
    void anyOtherHeadIsEncodedAsItIs() {
        DefaultHttpRequest plain = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        plain.headers().add("X-Forwarded-For", "1.2.3.4");
        assertThat(encoded(plain)).isEqualTo("GET / HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\n");
    }

    private String encoded(HttpRequest head) {
        assertThat(channel.writeOutbound(head)).isTrue();
        channel.writeOutbound(LastHttpContent.EMPTY_LAST_CONTENT); // the end of a bodyless request, as Pier sends it
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
            out.append(b.toString(StandardCharsets.ISO_8859_1));
            b.release();
        }
        return out.toString();
    }

    @Test
    void knownStatusLineWordsAreSharedOthersCopied() {
        HttpDecoderConfig config = new HttpDecoderConfig();
        UpstreamCodec.ResponseDecoder decoder = new UpstreamCodec(config).new ResponseDecoder(config);
        byte[] line = "HTTP/1.1 200 OK HTTP/2.0 299 Fine".getBytes(StandardCharsets.US_ASCII);

        assertThat(decoder.splitFirstWordInitialLine(line, 0, 8)).isEqualTo("HTTP/1.1")
                .isSameAs(decoder.splitFirstWordInitialLine(line.clone(), 0, 8));
        assertThat(decoder.splitSecondWordInitialLine(line, 9, 3)).isEqualTo("200")
                .isSameAs(decoder.splitSecondWordInitialLine(line.clone(), 9, 3));
        assertThat(decoder.splitThirdWordInitialLine(line, 13, 2)).isEqualTo("OK")
                .isSameAs(decoder.splitThirdWordInitialLine(line.clone(), 13, 2));
        // Words no table holds are copied as Netty copies them: equal, not shared.
        assertThat(decoder.splitFirstWordInitialLine(line, 16, 8)).isEqualTo("HTTP/2.0")
                .isNotSameAs(decoder.splitFirstWordInitialLine(line, 16, 8));
        assertThat(decoder.splitThirdWordInitialLine(line, 29, 4)).isEqualTo("Fine")
                .isNotSameAs(decoder.splitThirdWordInitialLine(line, 29, 4));
    }

    @Test
    void statusLineDecodesToNettysConstantsWhenItCan() {
        HttpResponse ok = (HttpResponse) exchange(HttpMethod.GET, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                .getFirst();
        assertThat(ok.protocolVersion()).isSameAs(HttpVersion.HTTP_1_1);
        assertThat(ok.status()).isSameAs(HttpResponseStatus.OK);

        HttpResponse old = (HttpResponse) exchange(HttpMethod.GET,
                "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n").getFirst();
        assertThat(old.protocolVersion()).isSameAs(HttpVersion.HTTP_1_0);
        assertThat(old.status()).isSameAs(HttpResponseStatus.NOT_FOUND);

        HttpResponse odd = (HttpResponse) exchange(HttpMethod.GET, "HTTP/1.1 299 Fine Thanks\r\nContent-Length: 0\r\n\r\n")
                .getFirst();
        assertThat(odd.status().code()).isEqualTo(299);
        assertThat(odd.status().reasonPhrase()).isEqualTo("Fine Thanks");
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsLengthSays() {
        List<Object> head = exchange(HttpMethod.HEAD, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(head).hasSize(2).element(1).isEqualTo(new Content(true, ""));

        // The connection stays in step: the next response, to a GET, has its body.
        List<Object> get = exchange(HttpMethod.GET, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(get).hasSize(2).element(1).isEqualTo(new Content(true, "hello"));
    }

    @Test
    void anInterimResponseDoesNotUseUpTheHeadRequest() {
        List<Object> out = exchange(HttpMethod.HEAD,
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n");
        assertThat(out).hasSize(4); // 100 and its end, 200 and its end: no body awaited after the 200
        assertThat(((HttpResponse) out.get(2)).status().code()).isEqualTo(200);
        assertThat(out.get(3)).isEqualTo(new Content(true, ""));
    }

    @Test
    void knownTokensMatchWholeTokensByteForByte() {
        byte[] line = "xContent-Typey".getBytes(StandardCharsets.US_ASCII);
        assertThat((CharSequence) UpstreamCodec.NAMES.find(line, 1, 12)).hasToString("Content-Type");
        assertThat((CharSequence) UpstreamCodec.NAMES.find(line, 1, 11)).isNull(); // a prefix
        assertThat((CharSequence) UpstreamCodec.NAMES.find(line, 0, 12)).isNull(); // shifted
        assertThat((CharSequence) UpstreamCodec.NAMES.find(line, 1, 13)).isNull(); // longer
        byte[] longer = "X".repeat(100).getBytes(StandardCharsets.US_ASCII);
        assertThat((CharSequence) UpstreamCodec.NAMES.find(longer, 0, 100)).isNull(); // longer than any token
        assertThat(UpstreamCodec.CODES.find("503".getBytes(StandardCharsets.US_ASCII), 0, 3)).isEqualTo("503");
        assertThat(UpstreamCodec.REASONS.find("Bad Gateway".getBytes(StandardCharsets.US_ASCII), 0, 11))
                .isSameAs(HttpResponseStatus.BAD_GATEWAY.reasonPhrase());
    }

    /** A piece of body as decoded: whether it was the last, and its bytes as text. */
    private record Content(boolean last, String text) {}

    /**
     * Sends a request with {@code method}, feeds {@code raw} back, and returns the decoded messages: response heads as
     * they are, body pieces as {@link Content} (their buffers released).
     */
    private List<Object> exchange(HttpMethod method, String raw) {
        channel.writeOutbound(new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, "/"));
        Object sent;
        while ((sent = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(sent);
        }
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
        List<Object> out = new ArrayList<>();
        Object msg;
        while ((msg = channel.readInbound()) != null) {
            assertThat(msg).isNotInstanceOf(ByteBuf.class);
            if (msg instanceof HttpContent c) {
                out.add(new Content(c instanceof LastHttpContent, c.content().toString(StandardCharsets.US_ASCII)));
                c.release();
            } else {
                out.add(msg);
            }
        }
        return out;
    }

    private static List<CharSequence> names(Object response) {
        List<CharSequence> names = new ArrayList<>();
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = ((HttpResponse) response).headers()
                .iteratorCharSequence(); it.hasNext(); ) {
            names.add(it.next().getKey());
        }
        return names;
    }
}
