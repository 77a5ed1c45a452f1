package dev.pier.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An upstream that records every byte it receives, connection by connection, and answers {@code 200 ok} to each
 * request only once that request is complete by its own framing (Content-Length, or chunks to the last one). So a test
 * can tell what reached the backend: how many whole requests, and exactly which bytes of any partial one.
 */
public final class RecordingUpstream implements AutoCloseable {
    /** One accepted connection: the bytes it received, its complete requests, and whether it was closed by Pier. */
    public static final class Connection {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile int completeRequests;
        private volatile boolean closedByPeer;

        public synchronized String received() {
            return bytes.toString(StandardCharsets.ISO_8859_1);
        }

        public int completeRequests() {
            return completeRequests;
        }

        public boolean closedByPeer() {
            return closedByPeer;
        }

        private synchronized void record(int b) {
            bytes.write(b);
        }
    }

    private final ServerSocket server;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public RecordingUpstream() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    Connection c = new Connection();
                    connections.add(c);
                    Thread.ofVirtual().start(() -> serve(s, c));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void serve(Socket s, Connection c) {
        try (s) {
            s.setSoTimeout(30_000);
            InputStream in = new Recording(new BufferedInputStream(s.getInputStream()), c);
            OutputStream out = s.getOutputStream();
            for (;;) {
                String head = line(in);
                if (head == null) {
                    c.closedByPeer = true;
                    return;
                }
                long length = 0;
                boolean chunked = false;
                for (String h; !(h = line(in)).isEmpty(); ) {
                    String lower = h.toLowerCase(Locale.ROOT);
                    if (lower.startsWith("content-length:")) {
                        length = Long.parseLong(lower.substring(15).trim());
                    } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                        chunked = true;
                    }
                }
                if (chunked) {
                    for (;;) {
                        long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
                        if (size == 0) {
                            while (!line(in).isEmpty()) {
                                // trailers
                            }
                            break;
                        }
                        skip(in, size);
                        line(in);
                    }
                } else {
                    skip(in, length);
                }
                c.completeRequests++;
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                out.flush();
            }
        } catch (IOException | RuntimeException e) {
            c.closedByPeer = true; // a partial request, then the connection ended (or was unparseable)
        }
    }

    private static void skip(InputStream in, long n) throws IOException {
        for (long i = 0; i < n; i++) {
            if (in.read() < 0) {
                throw new IOException("closed in a body");
            }
        }
    }

    /** A line without its CRLF; null at a clean end of stream. */
    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        if (c == -1) {
            if (b.isEmpty()) {
                return null;
            }
            throw new IOException("closed in a line");
        }
        return b.toString();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<Connection> connections() {
        return connections;
    }

    /** Complete requests over all connections. */
    public int completeRequests() {
        return connections.stream().mapToInt(Connection::completeRequests).sum();
    }

    /** Every byte received, connections one after another. */
    public String received() {
        StringBuilder b = new StringBuilder();
        connections.forEach(c -> b.append(c.received()));
        return b.toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }

    private static final class Recording extends InputStream {
        private final InputStream in;
        private final Connection c;

        Recording(InputStream in, Connection c) {
            this.in = in;
            this.c = c;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                c.record(b);
            }
            return b;
        }
    }
}
