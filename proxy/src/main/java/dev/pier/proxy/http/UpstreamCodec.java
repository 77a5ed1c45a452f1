package dev.pier.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.AsciiString;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The HTTP/1.1 codec of an upstream connection: Netty's {@code HttpClientCodec} as Pier uses it (a response to HEAD
 * has no body, whatever its Content-Length says), with a response decoder that shares constants for the field names
 * and status-line words most upstreams send on every response instead of copying each into new objects: a
 * {@code Content-Type}, {@code HTTP/1.1} or {@code 200 OK} costs no allocation. Everything else decodes as in Netty.
 * A {@link ForwardedRequest}'s forwarding fields are written straight after its own. Pier never sends CONNECT
 * upstream (such a request gets 400 from the client side), so that case of Netty's codec is not carried over.
 *
 * <p>One per connection; event-loop confined.
 */
final class UpstreamCodec extends CombinedChannelDuplexHandler<UpstreamCodec.ResponseDecoder,
        UpstreamCodec.RequestEncoder> {

    /** Response field names in the spelling of most servers (nginx, Go, Java, Node) and in lower case. */
    private static final List<String> FIELD_NAMES = List.of(
            "Server", "Date", "Content-Type", "Content-Length", "Connection", "Keep-Alive", "Transfer-Encoding",
            "Cache-Control", "Last-Modified", "ETag", "Accept-Ranges", "Vary", "Expires", "Location", "Set-Cookie",
            "Content-Encoding", "Pragma", "Age", "Access-Control-Allow-Origin", "X-Content-Type-Options");
    static final KnownTokens<AsciiString> NAMES = new KnownTokens<>(withLowerCase(FIELD_NAMES), AsciiString::cached);
    /** Versions: the very literals Netty's {@code HttpVersion.valueOf} compares by reference first. */
    static final KnownTokens<String> VERSIONS = new KnownTokens<>(List.of("HTTP/1.1", "HTTP/1.0"),
            Function.identity());
    /** Every three-digit status code, as text. */
    static final KnownTokens<String> CODES = new KnownTokens<>(codes(), Function.identity());
    /** The reason phrases of Netty's status constants (which it then hands out instead of a new status). */
    static final KnownTokens<String> REASONS = new KnownTokens<>(reasons(), Function.identity());

    /** Methods of the requests sent whose final responses have not come yet; one at a time in Pier. */
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>(2);

    UpstreamCodec(HttpDecoderConfig config) {
        init(new ResponseDecoder(config), new RequestEncoder());
    }

    /**
     * Notes each request's method for the response decoder, and writes the request target byte for byte as the client
     * sent it. Netty's encoder writes it as UTF-8, but decoders read each byte of a request line or an HPACK string as
     * one char: a raw {@code 0xEE} in a path went up as {@code 0xC3 0xAE} (found by fuzzing). Pier's targets are
     * always origin-form here, already checked for spaces and control characters.
     */
    final class RequestEncoder extends HttpRequestEncoder {
        private static final short CRLF = ('\r' << 8) | '\n';
        private ForwardedRequest forwarded; // the head being encoded, while its fields are written

        @Override
        protected void encode(ChannelHandlerContext ctx, Object msg, List<Object> out) throws Exception {
            if (msg instanceof HttpRequest request) {
                methods.offer(request.method());
                forwarded = msg instanceof ForwardedRequest f ? f : null;
            }
            try {
                super.encode(ctx, msg, out);
            } finally {
                forwarded = null;
            }
        }

        /** The head's own fields, then (once, for a {@link ForwardedRequest}) the forwarding fields. */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            super.encodeHeaders(headers, buf);
            ForwardedRequest f = forwarded;
            if (f != null) {
                forwarded = null; // trailers, should any follow in this call, are not a head
                f.writeFields(buf);
            }
        }

        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) {
            ByteBufUtil.copy(request.method().asciiName(), buf);
            buf.writeByte(' ');
            ByteBufUtil.writeAscii(buf, request.uri()); // each char's low byte: the bytes as received
            buf.writeByte(' ');
            ByteBufUtil.writeAscii(buf, request.protocolVersion().text());
            buf.writeShort(CRLF);
        }
    }

    /** Netty's response decoder with shared constants for known tokens, and no body after HEAD. */
    final class ResponseDecoder extends HttpResponseDecoder {
        ResponseDecoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            if (((HttpResponse) msg).status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(msg); // an interim response: the final one is still to come
            }
            HttpMethod method = methods.poll(); // null for a response nobody asked for: decoded as it says
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected AsciiString splitHeaderName(byte[] sb, int start, int length) {
            AsciiString known = NAMES.find(sb, start, length);
            return known != null ? known : super.splitHeaderName(sb, start, length);
        }

        @Override
        protected String splitFirstWordInitialLine(byte[] sb, int start, int length) {
            String known = VERSIONS.find(sb, start, length);
            return known != null ? known : super.splitFirstWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitSecondWordInitialLine(byte[] sb, int start, int length) {
            String known = CODES.find(sb, start, length);
            return known != null ? known : super.splitSecondWordInitialLine(sb, start, length);
        }

        @Override
        protected String splitThirdWordInitialLine(byte[] sb, int start, int length) {
            String known = REASONS.find(sb, start, length);
            return known != null ? known : super.splitThirdWordInitialLine(sb, start, length);
        }
    }

    private static List<String> withLowerCase(List<String> names) {
        List<String> all = new ArrayList<>(names);
        for (String name : names) {
            all.add(name.toLowerCase(Locale.ROOT));
        }
        return all;
    }

    private static List<String> codes() {
        List<String> codes = new ArrayList<>();
        for (int code = 100; code < 600; code++) {
            codes.add(Integer.toString(code));
        }
        return codes;
    }

    private static List<String> reasons() {
        List<String> reasons = new ArrayList<>();
        for (int code = 100; code < 600; code++) {
            HttpResponseStatus status = HttpResponseStatus.valueOf(code);
            String phrase = status.reasonPhrase();
            // Netty's constants only: for other codes valueOf makes up a phrase that no server sends.
            if (status == HttpResponseStatus.valueOf(code, phrase) && !reasons.contains(phrase)) {
                reasons.add(phrase);
            }
        }
        return reasons;
    }
}
