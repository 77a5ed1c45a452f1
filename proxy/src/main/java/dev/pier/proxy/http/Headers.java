package dev.pier.proxy.http;

import dev.pier.proxy.route.Cors;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** Header rules shared by both directions of the proxy: hop-by-hop removal and the forwarding headers. */
public final class Headers {
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString X_FORWARDED_PREFIX = AsciiString.cached("x-forwarded-prefix");
    public static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /** RFC 9110 7.6.1's hop-by-hop fields, plus the legacy Proxy-Connection. An array: no iterator per message. */
    private static final AsciiString[] HOP_BY_HOP = {
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Headers() {}

    /**
     * Removes the hop-by-hop fields, and every field the Connection header names. Call it before any framing
     * decision has been written into the headers: Transfer-Encoding goes too. Every message passes here, most with
     * {@code Connection: keep-alive} or none: no list, split or string is made unless Connection names a field that is
     * not hop-by-hop.
     */
    /**
     * Sets the CORS headers of {@code cors} for a request from an allowed origin ({@code allowedOrigin}: {@code *} or
     * the request's {@code Origin}), replacing the upstream's own, as ingress-nginx's {@code more_set_headers} does.
     */
    static void setCors(HttpHeaders headers, Cors cors, String allowedOrigin) {
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowedOrigin);
        if (cors.allowCredentials()) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, cors.allowMethods());
        headers.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, cors.allowHeaders());
        if (cors.exposeHeaders() != null) {
            headers.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, cors.exposeHeaders());
        }
        headers.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, cors.maxAgeSeconds());
    }

    public static void removeHopByHop(HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.CONNECTION)) {
            for (Iterator<? extends CharSequence> it = headers.valueCharSequenceIterator(HttpHeaderNames.CONNECTION);
                 it.hasNext(); ) {
                removeNamed(headers, it.next());
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
    }

    /** Removes the fields a Connection value names: comma-separated tokens, optional whitespace around each. */
    private static void removeNamed(HttpHeaders headers, CharSequence value) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            int end = i;
            while (end < n && value.charAt(end) != ',') {
                end++;
            }
            int from = i;
            int to = end;
            while (from < to && isWhitespace(value.charAt(from))) {
                from++;
            }
            while (to > from && isWhitespace(value.charAt(to - 1))) {
                to--;
            }
            if (from < to) {
                AsciiString known = known(value, from, to);
                if (known == null) {
                    headers.remove(value.subSequence(from, to).toString());
                } else if (known == HttpHeaderValues.CLOSE) {
                    headers.remove(known); // a field named like the option goes too (RFC 9110 7.6.1)
                } // a hop-by-hop name, Connection among them, goes after the values have been read
            }
            i = end + 1;
        }
    }

    /** The constant for {@code value[from, to)} when it is the {@code close} option or a hop-by-hop name, else null. */
    private static AsciiString known(CharSequence value, int from, int to) {
        if (regionMatches(value, from, to, HttpHeaderValues.CLOSE)) {
            return HttpHeaderValues.CLOSE;
        }
        for (AsciiString name : HOP_BY_HOP) {
            if (regionMatches(value, from, to, name)) {
                return name;
            }
        }
        return null;
    }

    private static boolean regionMatches(CharSequence value, int from, int to, AsciiString name) {
        return to - from == name.length() && AsciiString.regionMatches(value, true, from, name, 0, name.length());
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /**
     * Removes the hop-by-hop fields; with {@code keepUpgrade}, a protocol switch survives as
     * {@code Connection: upgrade} plus the original {@code Upgrade} value (WebSocket requests and their 101).
     */
    public static void removeHopByHop(HttpHeaders headers, boolean keepUpgrade) {
        String upgradeTo = keepUpgrade ? headers.get(HttpHeaderNames.UPGRADE) : null;
        removeHopByHop(headers);
        if (upgradeTo != null) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            headers.set(HttpHeaderNames.UPGRADE, upgradeTo);
        }
    }

    /** Whether {@code name} appears more than once (without building a list of its values). */
    public static boolean repeated(HttpHeaders headers, CharSequence name) {
        Iterator<? extends CharSequence> values = headers.valueCharSequenceIterator(name);
        if (!values.hasNext()) {
            return false;
        }
        values.next();
        return values.hasNext();
    }

    /**
     * True when the request asks to switch to WebSocket: {@code Connection: upgrade} and {@code websocket} among the
     * Upgrade tokens. Only WebSocket is tunnelled; any other protocol named (h2c above all, which would carry further
     * requests past Pier's routing) is dropped with the hop-by-hop fields, as nginx does.
     */
    public static boolean isWebSocketUpgrade(HttpHeaders headers) {
        return headers.containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /**
     * Removes every field whose name has an underscore, as nginx does by default ({@code underscores_in_headers off}):
     * {@code X_Forwarded_For} must not reach an upstream that reads it as {@code X-Forwarded-For}. Builds nothing
     * unless such a field is there.
     */
    public static void removeUnderscored(HttpHeaders headers) {
        List<String> names = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = headers.iteratorCharSequence();
             it.hasNext(); ) {
            CharSequence name = it.next().getKey();
            for (int i = 0; i < name.length(); i++) {
                if (name.charAt(i) == '_') {
                    if (names == null) {
                        names = new ArrayList<>(2);
                    }
                    names.add(name.toString());
                    break;
                }
            }
        }
        if (names != null) {
            for (String name : names) {
                headers.remove(name);
            }
        }
    }

    /**
     * A new request id: 128 random bits as 32 lower-case hex digits, the format of nginx's {@code $request_id}. An
     * {@link AsciiString} over one byte array: the encoder copies it as it is.
     */
    public static AsciiString newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return requestId(random.nextLong(), random.nextLong());
    }

    /** The request id of 128 bits, {@code hi} first, as 32 lower-case hex digits. */
    static AsciiString requestId(long hi, long lo) {
        byte[] out = new byte[32];
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new AsciiString(out, false);
    }

    /** Writes {@link #requestId(long, long)}'s digits straight into {@code buf}, building nothing. */
    static void writeRequestId(ByteBuf buf, long hi, long lo) {
        for (int i = 0; i < 16; i++) {
            buf.writeByte(HEX[(int) (hi >>> (60 - 4 * i)) & 0xf]);
        }
        for (int i = 0; i < 16; i++) {
            buf.writeByte(HEX[(int) (lo >>> (60 - 4 * i)) & 0xf]);
        }
    }
}
