package dev.pier.proxy.http;

import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.proxy.metrics.ProxyMetrics.ClientError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.AsciiString;
import io.netty.util.ReferenceCountUtil;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inbound half of an HTTP/2 stream: turns its frames into the HttpRequest and HttpContent objects an HTTP/1.1
 * connection produces, so one {@link ClientHandler} serves both protocols.
 *
 * <p>Netty's codec has already checked the frames, header names and values, the pseudo-headers a request must have,
 * the trailers and the content-length against the DATA. This adds what it leaves to the application (RFC 9113 8.1.1,
 * 8.3.1): a {@code :method} that is a token, a {@code :path} in origin form (or {@code *}) without spaces or control
 * characters, and a {@code host} that agrees with {@code :authority}. A request that fails them is malformed: its
 * stream is reset with PROTOCOL_ERROR and nothing of it goes upstream.
 *
 * <p>Allocates no buffer: a DATA frame's content becomes the HttpContent's (ownership moves with it), so a request
 * refused here cannot leak one. The outbound half stays Netty's {@code Http2StreamFrameToHttpObjectCodec}.
 */
final class Http2RequestDecoder extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(Http2RequestDecoder.class);
    private static final AsciiString COOKIE = HttpHeaderNames.COOKIE;

    private final ProxyMetrics metrics;
    private boolean headersRead;

    Http2RequestDecoder(ProxyMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2HeadersFrame frame) {
            if (headersRead) {
                ctx.fireChannelRead(trailers(frame.headers())); // Netty allows a second HEADERS only with END_STREAM
            } else {
                headersRead = true;
                request(ctx, frame);
            }
        } else if (msg instanceof Http2DataFrame data) {
            ctx.fireChannelRead(data.isEndStream() ? new DefaultLastHttpContent(data.content())
                    : new DefaultHttpContent(data.content()));
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    private void request(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
        Http2Headers h2 = frame.headers();
        String problem = problem(h2);
        if (problem != null) {
            ReferenceCountUtil.release(frame);
            metrics.clientError(ClientError.H2_STREAM);
            log.debug("malformed HTTP/2 request on stream {}: {}", frame.stream().id(), problem);
            ctx.fireExceptionCaught(new Http2FrameStreamException(frame.stream(), Http2Error.PROTOCOL_ERROR,
                    new IllegalArgumentException(problem)));
            return;
        }
        HttpHeaders headers = CompactHeaders.FACTORY.newHeaders(); // validated as DefaultHttpHeaders validates
        CharSequence authority = h2.authority();
        if (authority != null && !h2.contains(HttpHeaderNames.HOST)) {
            headers.add(HttpHeaderNames.HOST, authority);
        }
        StringBuilder cookies = null;
        for (Map.Entry<CharSequence, CharSequence> e : h2) {
            CharSequence name = e.getKey();
            if (name.length() > 0 && name.charAt(0) == ':') {
                continue;
            }
            if (COOKIE.contentEquals(name)) { // RFC 9113 8.2.3: split crumbs are joined again for HTTP/1.1
                cookies = cookies == null ? new StringBuilder(e.getValue()) : cookies.append("; ").append(e.getValue());
                continue;
            }
            headers.add(name, e.getValue());
        }
        if (cookies != null) {
            headers.add(COOKIE, cookies.toString());
        }
        boolean end = frame.isEndStream();
        if (!end && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            headers.add(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED); // a body of unknown length
        }
        ctx.fireChannelRead(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(h2.method().toString()),
                h2.path().toString(), headers));
        if (end) {
            ctx.fireChannelRead(LastHttpContent.EMPTY_LAST_CONTENT);
        }
    }

    /** What makes this request malformed, or null. Netty has checked that :method, :scheme and :path exist. */
    static String problem(Http2Headers h2) {
        CharSequence method = h2.method();
        if (method == null || !isToken(method)) {
            return "invalid :method";
        }
        CharSequence path = h2.path();
        if (path == null) { // CONNECT: Pier does not tunnel; its missing :path is refused here
            return "no :path (CONNECT is not supported)";
        }
        boolean asterisk = path.length() == 1 && path.charAt(0) == '*';
        if (path.isEmpty() || (path.charAt(0) != '/' && !asterisk) || !isVisible(path)) {
            return "invalid :path";
        }
        CharSequence authority = h2.authority();
        CharSequence host = h2.get(HttpHeaderNames.HOST);
        if (host != null && (h2.getAll(HttpHeaderNames.HOST).size() > 1
                || (authority != null && !AsciiString.contentEqualsIgnoreCase(authority, host)))) {
            return "host disagrees with :authority";
        }
        return null;
    }

    private static boolean isToken(CharSequence s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean tchar = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!tchar) {
                return false;
            }
        }
        return true;
    }

    /** No space, control character or DEL (bytes above 0x7F are left to the path normalizer). */
    private static boolean isVisible(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ' || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static LastHttpContent trailers(Http2Headers h2) {
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        for (Map.Entry<CharSequence, CharSequence> e : h2) {
            last.trailingHeaders().add(e.getKey(), e.getValue()); // Netty refused pseudo-headers in trailers
        }
        return last;
    }
}
