package dev.pier.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayList;
import java.util.List;

/**
 * One upstream connection as the fuzz tests see it: what Pier forwards is encoded by Pier's own {@link UpstreamCodec},
 * and the bytes are read back by a strict, independent HTTP/1.1 parser (Netty's request decoder with validation on and
 * generous limits). {@link #verify} fails unless the bytes are exactly the requests Pier meant to send: each complete
 * one parsed whole with the same method, target and body length, no parse failure, and no request the parser sees that
 * Pier did not send (smuggling), only a partial one at the end when Pier cut a body short.
 */
final class UpstreamOracle implements AutoCloseable {
    /** A request as Pier forwarded it. */
    private static final class Sent {
        final String method;
        final String uri;
        final long declaredLength; // -1 when the body is chunked (or there is none)
        long body;
        boolean complete;

        Sent(String method, String uri, long declaredLength) {
            this.method = method;
            this.uri = uri;
            this.declaredLength = declaredLength;
        }

        /**
         * Whether the upstream may take the request as whole: Pier ended it, or its Content-Length is all sent (an
         * HTTP/2 stream can end after its last byte, with an empty DATA frame; Netty has checked the length).
         */
        boolean wholeUpstream() {
            return complete || (declaredLength >= 0 && body == declaredLength);
        }
    }

    private final EmbeddedChannel encoder = new EmbeddedChannel(new UpstreamCodec(ProxyInitializers.upstreamDecoder()));
    private final List<Sent> sent = new ArrayList<>();

    /** A head Pier would send up; not reference-counted. */
    void head(HttpRequest request) {
        if (!sent.isEmpty() && !last().complete) {
            throw new AssertionError("a second head before the first request's body ended");
        }
        sent.add(new Sent(request.method().name(), request.uri(),
                HttpUtil.isTransferEncodingChunked(request) ? -1 : HttpUtil.getContentLength(request, -1L)));
        encoder.writeOutbound(request);
    }

    /** A piece of body Pier would send up; takes ownership. */
    void content(HttpContent content) {
        Sent s = last();
        s.body += content.content().readableBytes();
        if (content instanceof LastHttpContent) {
            s.complete = true;
        }
        encoder.writeOutbound(content);
    }

    /** Requests sent whole, body end included. */
    int completed() {
        return (int) sent.stream().filter(s -> s.complete).count();
    }

    /** Whether a request was sent whose body has not ended. */
    boolean inBody() {
        return !sent.isEmpty() && !last().complete;
    }

    private Sent last() {
        return sent.get(sent.size() - 1);
    }

    /** Checks the bytes on the wire against what was sent; throws AssertionError on any difference. */
    void verify() {
        ByteBuf wire = Unpooled.buffer();
        for (Object o; (o = encoder.readOutbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            wire.writeBytes(b);
            b.release();
        }
        EmbeddedChannel parser = new EmbeddedChannel(new HttpRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(1 << 20).setMaxHeaderSize(1 << 20).setMaxChunkSize(1 << 20)));
        try {
            parser.writeInbound(wire);
            int index = -1;
            long body = 0;
            boolean open = false;
            for (Object o; (o = parser.readInbound()) != null; ) {
                try {
                    if (((HttpObject) o).decoderResult().isFailure()) {
                        throw new AssertionError("the upstream could not parse what Pier sent: "
                                + ((HttpObject) o).decoderResult().cause());
                    }
                    if (o instanceof HttpRequest r) {
                        index++;
                        if (index >= sent.size()) {
                            throw new AssertionError("the upstream saw a request Pier never sent: " + r.method()
                                    + " " + r.uri());
                        }
                        Sent s = sent.get(index);
                        if (!s.method.equals(r.method().name()) || !s.uri.equals(r.uri())) {
                            throw new AssertionError("sent " + s.method + " " + s.uri + ", upstream saw "
                                    + r.method() + " " + r.uri());
                        }
                        if (r.headers().getAll(HttpHeaderNames.HOST).size() != 1) {
                            throw new AssertionError("upstream request without exactly one Host");
                        }
                        if (HttpUtil.isTransferEncodingChunked(r)
                                && r.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
                            throw new AssertionError("both Transfer-Encoding and Content-Length upstream");
                        }
                        body = 0;
                        open = true;
                    }
                    if (o instanceof HttpContent c) {
                        body += c.content().readableBytes();
                        if (c instanceof LastHttpContent) {
                            Sent s = sent.get(index);
                            if (!s.wholeUpstream()) {
                                throw new AssertionError("the upstream saw the end of a body Pier never ended: "
                                        + s.method + " " + s.uri);
                            }
                            if (body != s.body) {
                                throw new AssertionError("body of " + s.body + " bytes arrived as " + body);
                            }
                            open = false;
                        }
                    }
                } finally {
                    ReferenceCountUtil.release(o);
                }
            }
            int complete = (int) sent.stream().filter(Sent::wholeUpstream).count();
            int parsedComplete = open ? index : index + 1;
            if (parsedComplete != complete) {
                throw new AssertionError("Pier completed " + complete + " requests, the upstream parsed "
                        + parsedComplete);
            }
        } finally {
            parser.finishAndReleaseAll();
        }
    }

    @Override
    public void close() {
        encoder.finishAndReleaseAll();
    }
}
