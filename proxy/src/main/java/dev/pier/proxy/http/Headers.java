package dev.pier.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/** Header rules shared by both directions of the proxy: hop-by-hop removal and the forwarding headers. */
public final class Headers {
    public static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    public static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    public static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    public static final AsciiString X_FORWARDED_PORT = AsciiString.cached("x-forwarded-port");
    public static final AsciiString X_REAL_IP = AsciiString.cached("x-real-ip");
    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString STRICT_TRANSPORT_SECURITY = AsciiString.cached("strict-transport-security");
    private static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");

    /** RFC 9110 7.6.1's hop-by-hop fields, plus the legacy Proxy-Connection. */
    private static final List<AsciiString> HOP_BY_HOP = List.of(
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE, PROXY_CONNECTION,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Headers() {}

    /**
     * Removes the hop-by-hop fields, and every field the Connection header names. Call it before any framing
     * decision has been written into the headers: Transfer-Encoding goes too.
     */
    public static void removeHopByHop(HttpHeaders headers) {
        List<String> connection = headers.getAll(HttpHeaderNames.CONNECTION);
        for (String value : connection) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty()) {
                    headers.remove(name);
                }
            }
        }
        for (AsciiString name : HOP_BY_HOP) {
            headers.remove(name);
        }
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

    /**
     * Sets what the upstream learns about the client: its address, the chain of addresses it came through, the
     * scheme, the host and port it asked for, and a request id (kept when the client sent one).
     *
     * @param clientAddress X-Real-IP
     * @param forwardedFor X-Forwarded-For (a trusted proxy's chain with that proxy appended, else the client)
     */
    public static void setForwarding(HttpHeaders headers, String clientAddress, String forwardedFor, String proto,
                                     String host, String localPort) {
        headers.set(X_FORWARDED_FOR, forwardedFor)
                .set(X_REAL_IP, clientAddress)
                .set(X_FORWARDED_PROTO, proto)
                .set(X_FORWARDED_PORT, localPort);
        if (host != null) {
            headers.set(X_FORWARDED_HOST, host);
        }
        if (!headers.contains(X_REQUEST_ID)) {
            headers.set(X_REQUEST_ID, newRequestId());
        }
    }

    /** True when the request asks to switch protocols (WebSocket and the like) with a well-formed Upgrade. */
    public static boolean isUpgradeRequest(HttpHeaders headers) {
        return headers.contains(HttpHeaderNames.UPGRADE)
                && headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true);
    }

    /** A new request id: 128 random bits as 32 lower-case hex digits, the format of nginx's {@code $request_id}. */
    public static String newRequestId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = random.nextLong();
        long lo = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }
}
