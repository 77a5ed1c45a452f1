package dev.pier.proxy.http;

import dev.pier.proxy.route.Cors;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The responses Pier answers itself: the default backend's 404 and the error statuses. Small, fixed bodies that name
 * the status and nothing about Pier's internals.
 */
public final class Responses {
    private Responses() {}

    /**
     * A complete response with a one-line plain-text body.
     *
     * @param close adds {@code Connection: close}; the caller must then close the connection after writing it
     */
    public static FullHttpResponse of(HttpResponseStatus status, boolean close) {
        byte[] body = (status.code() + " " + status.reasonPhrase() + "\n").getBytes(StandardCharsets.US_ASCII);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /** The answer to a CORS preflight from an allowed origin, as ingress-nginx gives it: 204 and the CORS headers. */
    public static FullHttpResponse preflight(Cors cors, String allowedOrigin, boolean close) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT,
                Unpooled.EMPTY_BUFFER);
        Headers.setCors(r.headers(), cors, allowedOrigin);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain charset=UTF-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }

    /** A redirect to {@code location} with a one-line body. */
    public static FullHttpResponse redirect(HttpResponseStatus status, String location, boolean close) {
        FullHttpResponse r = of(status, close);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        return r;
    }
}
