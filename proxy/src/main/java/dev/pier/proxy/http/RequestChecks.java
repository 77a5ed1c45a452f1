package dev.pier.proxy.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * What Pier accepts of a request head, decided before anything is routed or forwarded, and the head made ready for
 * the upstream. Netty's decoder has refused what it can (a bad request line or field, Content-Length with
 * Transfer-Encoding, differing Content-Lengths, oversize lines and blocks); this adds what RFC 9112 leaves to the
 * application: HTTP/1.x only, one valid {@code Host} (required in HTTP/1.1), a {@code Transfer-Encoding} Pier can
 * frame exactly as the client did, and a request target it can route ({@link RequestTarget}).
 *
 * <p>One instance per connection, used on its event loop: {@link #accept} keeps the reason of its last refusal, so
 * an accepted request allocates nothing here.
 */
final class RequestChecks {
    /** The start of the problem for a transfer coding Pier does not implement: 501, not 400. */
    static final String UNSUPPORTED_CODING = "unsupported transfer coding";

    private static final AsciiString CHUNKED = HttpHeaderValues.CHUNKED;

    private final boolean keepUnderscores;
    private HttpResponseStatus status;
    private String why;

    /** @param keepUnderscores keep header fields whose names have underscores (else dropped, as nginx does) */
    RequestChecks(boolean keepUnderscores) {
        this.keepUnderscores = keepUnderscores;
    }

    /**
     * Accepts a request head: returns its normalized target, with {@code Host} set to what the request is routed by
     * (an absolute-form target's authority; empty for HTTP/1.0 without one); or null, with {@link #status} and
     * {@link #why} saying why not.
     */
    RequestTarget accept(HttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            return refuse(cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST, cause.toString());
        }
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1) { // "GET / HTTP/2.0" in text: HTTP/2 is spoken in frames, over TLS here
            return refuse(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, version.text());
        }
        HttpHeaders headers = request.headers();
        if (!keepUnderscores) {
            Headers.removeUnderscored(headers); // nginx's underscores_in_headers off: gone before anything reads them
        }
        String problem = problem(request, version);
        if (problem != null) {
            return refuse(problem.startsWith(UNSUPPORTED_CODING) ? HttpResponseStatus.NOT_IMPLEMENTED
                    : HttpResponseStatus.BAD_REQUEST, problem);
        }
        RequestTarget target = RequestTarget.parse(request.uri());
        if (target == null) {
            return refuse(HttpResponseStatus.BAD_REQUEST, "request target");
        }
        if (target.authority() != null) {
            headers.set(HttpHeaderNames.HOST, target.authority());
        } else if (!headers.contains(HttpHeaderNames.HOST)) {
            headers.set(HttpHeaderNames.HOST, ""); // HTTP/1.0 without Host: HTTP/1.1 upstream wants one, empty (3.2)
        }
        return target;
    }

    /** The status of the last refusal. */
    HttpResponseStatus status() {
        return status;
    }

    /** Why the last request was refused, for the debug log. */
    String why() {
        return why;
    }

    private RequestTarget refuse(HttpResponseStatus status, String why) {
        this.status = status;
        this.why = why;
        return null;
    }

    /**
     * Makes an accepted head what the upstream receives: the hop-by-hop fields removed (a WebSocket upgrade kept as
     * {@code Connection: upgrade}, {@code Upgrade: websocket}; no other protocol is ever tunnelled), the body framed
     * as the client framed it, the normalized target, HTTP/1.1. The forwarding headers are the caller's.
     *
     * @return whether the request is a WebSocket upgrade
     */
    static boolean prepareForUpstream(HttpRequest request, RequestTarget target, boolean chunked) {
        HttpHeaders headers = request.headers();
        boolean upgrade = Headers.isWebSocketUpgrade(headers);
        Headers.removeHopByHop(headers);
        if (upgrade) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE)
                    .set(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET);
        }
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        request.setUri(target.uri());
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        return upgrade;
    }

    /** What makes this request unacceptable, or null. */
    private static String problem(HttpRequest request, HttpVersion version) {
        HttpHeaders headers = request.headers();
        Iterator<? extends CharSequence> hosts = headers.valueCharSequenceIterator(HttpHeaderNames.HOST);
        if (hosts.hasNext()) {
            CharSequence host = hosts.next();
            if (hosts.hasNext()) {
                return "more than one Host";
            }
            if (!RequestTarget.isValidHost(host)) {
                return "invalid Host";
            }
        } else if (version.minorVersion() >= 1) {
            return "no Host";
        }
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING)) {
            if (version.minorVersion() == 0) {
                return "Transfer-Encoding in HTTP/1.0"; // RFC 9112 6.1: faulty framing
            }
            return transferCodings(headers);
        }
        return null;
    }

    /**
     * {@code chunked} once and last is what Pier can forward; a coding before it (gzip, say) would have to be kept,
     * and Pier forwards bodies as they are framed only: 501. {@code chunked} twice, or not last: 400 (RFC 9112 6.3).
     */
    private static String transferCodings(HttpHeaders headers) {
        int chunked = 0;
        int others = 0;
        boolean lastChunked = false;
        for (Iterator<? extends CharSequence> it = headers.valueCharSequenceIterator(
                HttpHeaderNames.TRANSFER_ENCODING); it.hasNext(); ) {
            CharSequence value = it.next();
            int i = 0;
            int n = value.length();
            while (i <= n) {
                int end = i;
                while (end < n && value.charAt(end) != ',') {
                    end++;
                }
                int from = i;
                int to = end;
                while (from < to && (value.charAt(from) == ' ' || value.charAt(from) == '\t')) {
                    from++;
                }
                while (to > from && (value.charAt(to - 1) == ' ' || value.charAt(to - 1) == '\t')) {
                    to--;
                }
                if (from < to) {
                    lastChunked = to - from == 7 && AsciiString.regionMatches(value, true, from, CHUNKED, 0, 7);
                    if (lastChunked) {
                        chunked++;
                    } else {
                        others++;
                    }
                }
                i = end + 1;
            }
        }
        if (chunked != 1 || !lastChunked) {
            return "chunked must be the last transfer coding, once";
        }
        return others == 0 ? null : UNSUPPORTED_CODING + " before chunked";
    }
}
