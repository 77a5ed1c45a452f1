package dev.pier.proxy.http;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;

/**
 * Trailer fields for the HTTP/1.1 decoders, validated as Netty's default trailers are, in a two-bucket table instead
 * of sixteen: the decoder makes one for the last piece of every message with a body, and almost all stay empty.
 */
final class Trailers extends DefaultHttpHeaders {
    private static final DefaultHttpHeadersFactory DEFAULTS = DefaultHttpHeadersFactory.trailersFactory();
    private static final int SIZE_HINT = 2;

    /** The factory to give {@code HttpDecoderConfig.setTrailersFactory}. */
    static final HttpHeadersFactory FACTORY = new HttpHeadersFactory() {
        @Override
        public HttpHeaders newHeaders() {
            return new Trailers();
        }

        @Override
        public HttpHeaders newEmptyHeaders() {
            return DEFAULTS.newEmptyHeaders();
        }
    };

    private Trailers() {
        super(DEFAULTS.getNameValidator(), DEFAULTS.getValueValidator(), SIZE_HINT);
    }
}
