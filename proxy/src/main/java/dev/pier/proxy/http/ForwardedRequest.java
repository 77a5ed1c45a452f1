package dev.pier.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A client's request head on its way upstream, with what the upstream learns about the client: {@code X-Forwarded-For},
 * {@code X-Real-IP}, {@code X-Forwarded-Proto}, {@code -Host}, {@code -Port} and {@code X-Request-ID}.
 * {@link UpstreamCodec} writes these fields straight after the head's own, so they cost no entry in Netty's header
 * table (six entries, about 190 bytes per request). The client's own copies of them are removed when this is made,
 * except its {@code X-Request-ID}, which is kept as it is; everything else is the client's head, shared, not copied.
 *
 * <p>Never a {@link FullHttpRequest}: the body follows as its own messages. Event-loop confined, like the head.
 */
final class ForwardedRequest implements HttpRequest {
    private static final short COLON_SPACE = (':' << 8) | ' ';
    private static final short CRLF = ('\r' << 8) | '\n';
    private static final AsciiString FORWARDED_FOR = AsciiString.cached("X-Forwarded-For");
    private static final AsciiString REAL_IP = AsciiString.cached("X-Real-IP");
    private static final AsciiString FORWARDED_PROTO = AsciiString.cached("X-Forwarded-Proto");
    private static final AsciiString FORWARDED_HOST = AsciiString.cached("X-Forwarded-Host");
    private static final AsciiString FORWARDED_PORT = AsciiString.cached("X-Forwarded-Port");
    private static final AsciiString REQUEST_ID = AsciiString.cached("X-Request-ID");

    private final HttpRequest head;
    private final String forwardedFor;
    private final String realIp;
    private final String proto;
    private final String host;
    private final String port;
    private CharSequence requestId; // the client's; or Pier's, made from the bits below when first asked for
    private final boolean newRequestId;
    private final long idHi;
    private final long idLo;

    private ForwardedRequest(HttpRequest head, String forwardedFor, String realIp, String proto, String host,
                             String port, CharSequence requestId, boolean newRequestId, long idHi, long idLo) {
        this.head = head;
        this.forwardedFor = forwardedFor;
        this.realIp = realIp;
        this.proto = proto;
        this.host = host;
        this.port = port;
        this.requestId = requestId;
        this.newRequestId = newRequestId;
        this.idHi = idHi;
        this.idLo = idLo;
    }

    /**
     * Takes the client's forwarding fields out of {@code head} (a request id excepted) and returns it with Pier's.
     * Every value has passed the request checks or comes from Pier: none holds CR, LF or NUL.
     *
     * @param realIp X-Real-IP, the client's address
     * @param forwardedFor X-Forwarded-For: a trusted proxy's chain with that proxy appended, else the client
     * @param host X-Forwarded-Host, the host the client asked for; none when null or empty
     * @param port X-Forwarded-Port, the port the client connected to
     */
    static ForwardedRequest of(HttpRequest head, String realIp, String forwardedFor, String proto, String host,
                               String port) {
        if (head instanceof FullHttpRequest) {
            throw new IllegalArgumentException("a head with its body: the body would not be forwarded");
        }
        HttpHeaders headers = head.headers();
        headers.remove(Headers.X_FORWARDED_FOR);
        headers.remove(Headers.X_REAL_IP);
        headers.remove(Headers.X_FORWARDED_PROTO);
        headers.remove(Headers.X_FORWARDED_HOST);
        headers.remove(Headers.X_FORWARDED_PORT);
        CharSequence id = headers.get(Headers.X_REQUEST_ID);
        // A new id is 128 random bits, written as hex straight into the head: no object unless the access log asks.
        ThreadLocalRandom random = id == null ? ThreadLocalRandom.current() : null;
        return new ForwardedRequest(head, forwardedFor, realIp, proto, host == null || host.isEmpty() ? null : host,
                port, id, id == null, random == null ? 0 : random.nextLong(), random == null ? 0 : random.nextLong());
    }

    /** The request id the upstream gets: the client's, or Pier's (32 lower-case hex digits, as nginx's). */
    CharSequence requestId() {
        if (requestId == null) {
            requestId = Headers.requestId(idHi, idLo);
        }
        return requestId;
    }

    /** Writes the forwarding fields, each {@code Name: value} and CRLF, after the head's own fields. */
    void writeFields(ByteBuf buf) {
        field(buf, FORWARDED_FOR, forwardedFor);
        field(buf, REAL_IP, realIp);
        field(buf, FORWARDED_PROTO, proto);
        if (host != null) {
            field(buf, FORWARDED_HOST, host);
        }
        field(buf, FORWARDED_PORT, port);
        if (newRequestId) {
            ByteBufUtil.copy(REQUEST_ID, buf);
            buf.writeShort(COLON_SPACE);
            Headers.writeRequestId(buf, idHi, idLo);
            buf.writeShort(CRLF);
        }
    }

    private static void field(ByteBuf buf, AsciiString name, String value) {
        ByteBufUtil.copy(name, buf);
        buf.writeShort(COLON_SPACE);
        ByteBufUtil.writeAscii(buf, value); // each char's low byte, as Netty's encoder writes header values
        buf.writeShort(CRLF);
    }

    @Override
    public HttpMethod method() {
        return head.method();
    }

    @Override
    @Deprecated
    public HttpMethod getMethod() {
        return head.method();
    }

    @Override
    public HttpRequest setMethod(HttpMethod method) {
        head.setMethod(method);
        return this;
    }

    @Override
    public String uri() {
        return head.uri();
    }

    @Override
    @Deprecated
    public String getUri() {
        return head.uri();
    }

    @Override
    public HttpRequest setUri(String uri) {
        head.setUri(uri);
        return this;
    }

    @Override
    public HttpVersion protocolVersion() {
        return head.protocolVersion();
    }

    @Override
    @Deprecated
    public HttpVersion getProtocolVersion() {
        return head.protocolVersion();
    }

    @Override
    public HttpRequest setProtocolVersion(HttpVersion version) {
        head.setProtocolVersion(version);
        return this;
    }

    @Override
    public HttpHeaders headers() {
        return head.headers();
    }

    @Override
    public DecoderResult decoderResult() {
        return head.decoderResult();
    }

    @Override
    @Deprecated
    public DecoderResult getDecoderResult() {
        return head.decoderResult();
    }

    @Override
    public void setDecoderResult(DecoderResult result) {
        head.setDecoderResult(result);
    }

    @Override
    public String toString() {
        return "ForwardedRequest(" + head.method() + ' ' + head.uri() + ')';
    }
}
