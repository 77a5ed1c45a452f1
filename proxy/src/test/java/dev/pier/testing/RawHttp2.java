package dev.pier.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An HTTP/2 client that writes frames byte by byte over TLS (ALPN h2), so a test can send what no well-behaved client
 * would: frames on closed streams, bad lengths, missing pseudo-headers, spaces in {@code :path}. Header blocks are
 * HPACK literals without indexing or Huffman, so any name and value bytes go out as given. Responses are decoded with
 * Netty's HPACK decoder. Loopback only; every read has a timeout.
 */
public final class RawHttp2 implements AutoCloseable {
    public static final int DATA = 0;
    public static final int HEADERS = 1;
    public static final int PRIORITY = 2;
    public static final int RST_STREAM = 3;
    public static final int SETTINGS = 4;
    public static final int PING = 6;
    public static final int GOAWAY = 7;
    public static final int WINDOW_UPDATE = 8;
    public static final int CONTINUATION = 9;

    public static final int END_STREAM = 0x1;
    public static final int END_HEADERS = 0x4;
    public static final int ACK = 0x1;

    /** RFC 9113 error codes. */
    public static final int PROTOCOL_ERROR = 0x1;
    public static final int FLOW_CONTROL_ERROR = 0x3;
    public static final int STREAM_CLOSED = 0x5;
    public static final int FRAME_SIZE_ERROR = 0x6;
    public static final int CANCEL = 0x8;

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** A frame as received. */
    public record Frame(int type, int flags, int stream, byte[] payload) {
        /** The error code of a RST_STREAM or GOAWAY. */
        public int errorCode() {
            ByteBuffer b = ByteBuffer.wrap(payload);
            return type == GOAWAY ? b.getInt(4) : b.getInt(0);
        }

        @Override
        public String toString() {
            String code = type == GOAWAY || type == RST_STREAM ? " error " + errorCode() : "";
            return "frame type " + type + " flags " + flags + " stream " + stream + code;
        }
    }

    /** Something that ended a stream or the connection: a response, a reset, a GOAWAY or a close. */
    public record Outcome(String kind, int stream, int errorCode, Http2Headers headers, String body) {
        public static final String RESPONSE = "response";
        public static final String RESET = "reset";
        public static final String GOAWAY = "goaway";
        public static final String CLOSED = "closed";

        public int status() {
            return Integer.parseInt(headers.status().toString());
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);

    /** Connects to loopback {@code port}, negotiates h2, and exchanges the prefaces and SETTINGS. */
    public RawHttp2(int port) throws IOException {
        socket = (SSLSocket) TlsClient.trustAll().getSocketFactory()
                .createSocket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(5_000);
        SSLParameters params = socket.getSSLParameters();
        params.setApplicationProtocols(new String[] {"h2"});
        socket.setSSLParameters(params);
        socket.startHandshake();
        if (!"h2".equals(socket.getApplicationProtocol())) {
            throw new IOException("server did not choose h2: " + socket.getApplicationProtocol());
        }
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        out.write(PREFACE);
        frame(SETTINGS, 0, 0, new byte[0]);
    }

    /** Writes one frame as given. */
    public RawHttp2 frame(int type, int flags, int stream, byte[] payload) throws IOException {
        byte[] f = new byte[9 + payload.length];
        f[0] = (byte) (payload.length >>> 16);
        f[1] = (byte) (payload.length >>> 8);
        f[2] = (byte) payload.length;
        f[3] = (byte) type;
        f[4] = (byte) flags;
        f[5] = (byte) ((stream >>> 24) & 0x7f);
        f[6] = (byte) (stream >>> 16);
        f[7] = (byte) (stream >>> 8);
        f[8] = (byte) stream;
        System.arraycopy(payload, 0, f, 9, payload.length);
        out.write(f);
        out.flush();
        return this;
    }

    /** A HEADERS frame with END_HEADERS, its block the given name/value pairs in order. */
    public RawHttp2 headers(int stream, boolean endStream, String... nameValues) throws IOException {
        return frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), stream, block(nameValues));
    }

    /** The pseudo-headers of a GET of {@code path} on {@code authority}, then {@code extra} pairs. */
    public RawHttp2 get(int stream, String authority, String path, String... extra) throws IOException {
        String[] pairs = new String[8 + extra.length];
        String[] pseudo = {":method", "GET", ":scheme", "https", ":authority", authority, ":path", path};
        System.arraycopy(pseudo, 0, pairs, 0, 8);
        System.arraycopy(extra, 0, pairs, 8, extra.length);
        return headers(stream, true, pairs);
    }

    public RawHttp2 data(int stream, boolean endStream, String body) throws IOException {
        return frame(DATA, endStream ? END_STREAM : 0, stream, body.getBytes(StandardCharsets.ISO_8859_1));
    }

    public RawHttp2 windowUpdate(int stream, int increment) throws IOException {
        return frame(WINDOW_UPDATE, 0, stream, ByteBuffer.allocate(4).putInt(increment).array());
    }

    /** An HPACK header block of literals without indexing, no Huffman: the bytes go out exactly as given. */
    public static byte[] block(String... nameValues) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < nameValues.length; i += 2) {
            b.write(0x00);
            string(b, nameValues[i].getBytes(StandardCharsets.ISO_8859_1));
            string(b, nameValues[i + 1].getBytes(StandardCharsets.ISO_8859_1));
        }
        return b.toByteArray();
    }

    private static void string(ByteArrayOutputStream b, byte[] s) {
        int n = s.length; // a 7-bit prefix integer (RFC 7541 5.1), H bit 0
        if (n < 127) {
            b.write(n);
        } else {
            b.write(127);
            n -= 127;
            while (n >= 128) {
                b.write((n & 0x7f) | 0x80);
                n >>>= 7;
            }
            b.write(n);
        }
        b.write(s, 0, s.length);
    }

    /**
     * Reads frames until the next one that is not connection housekeeping (SETTINGS, PING, WINDOW_UPDATE, which are
     * acknowledged as needed); null when the server closed the connection or {@code millis} passed.
     */
    public Frame next(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            for (;;) {
                byte[] head = new byte[9];
                in.readFully(head);
                int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
                int type = head[3] & 0xff;
                int flags = head[4] & 0xff;
                int stream = ByteBuffer.wrap(head, 5, 4).getInt() & 0x7fffffff;
                byte[] payload = new byte[length];
                in.readFully(payload);
                if (type == SETTINGS) {
                    if ((flags & ACK) == 0) {
                        frame(SETTINGS, ACK, 0, new byte[0]);
                    }
                    continue;
                }
                if (type == PING) {
                    if ((flags & ACK) == 0) {
                        frame(PING, ACK, 0, payload);
                    }
                    continue;
                }
                if (type == WINDOW_UPDATE) {
                    continue;
                }
                return new Frame(type, flags, stream, payload);
            }
        } catch (EOFException | SocketTimeoutException e) {
            return null;
        } catch (IOException reset) {
            return null; // reset by the server: as good as closed
        }
    }

    /**
     * What ends {@code stream} first: its response (HEADERS, then DATA to END_STREAM), a RST_STREAM on it, a GOAWAY,
     * or the connection closing. Null when nothing happens within {@code millis}.
     */
    public Outcome outcome(int stream, int millis) throws IOException {
        Http2Headers headers = null;
        StringBuilder body = new StringBuilder();
        long deadline = System.nanoTime() + millis * 1_000_000L;
        for (;;) {
            int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            Frame f = next(left);
            if (f == null) {
                return System.nanoTime() >= deadline ? null : new Outcome(Outcome.CLOSED, stream, -1, headers, null);
            }
            if (f.type() == GOAWAY) {
                return new Outcome(Outcome.GOAWAY, stream, f.errorCode(), headers, null);
            }
            if (f.stream() != stream) {
                continue;
            }
            if (f.type() == RST_STREAM) {
                return new Outcome(Outcome.RESET, stream, f.errorCode(), headers, null);
            }
            if (f.type() == HEADERS) {
                Http2Headers h = decode(stream, f.payload());
                if (headers == null) {
                    headers = h;
                }
            } else if (f.type() == DATA) {
                body.append(new String(f.payload(), StandardCharsets.ISO_8859_1));
            }
            if ((f.flags() & END_STREAM) != 0 && (f.type() == HEADERS || f.type() == DATA)) {
                return new Outcome(Outcome.RESPONSE, stream, 0, headers, body.toString());
            }
        }
    }

    private Http2Headers decode(int stream, byte[] block) throws IOException {
        ByteBuf buf = Unpooled.wrappedBuffer(block);
        try {
            return decoder.decodeHeaders(stream, buf);
        } catch (Http2Exception e) {
            throw new IOException("bad header block from the server", e);
        } finally {
            buf.release();
        }
    }

    /** Makes {@link #close} reset the TCP connection (SO_LINGER 0) instead of closing it cleanly. */
    public RawHttp2 resetOnClose() throws IOException {
        socket.setSoLinger(true, 0);
        return this;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
