package dev.pier.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.Iterator;

/**
 * The checks of RFC 9112 on a request head that Netty's decoder leaves to the application, made before anything is
 * routed or forwarded: one valid {@code Host} (required in HTTP/1.1), and a {@code Transfer-Encoding} Pier can frame
 * exactly as the client did. Netty has already refused a request with both Content-Length and Transfer-Encoding and
 * one with differing Content-Lengths.
 */
final class RequestChecks {
    /** The start of the problem for a transfer coding Pier does not implement: 501, not 400. */
    static final String UNSUPPORTED_CODING = "unsupported transfer coding";

    private static final AsciiString CHUNKED = HttpHeaderValues.CHUNKED;

    private RequestChecks() {}

    /** What makes this request unacceptable, or null. */
    static String problem(HttpRequest request, HttpVersion version) {
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
