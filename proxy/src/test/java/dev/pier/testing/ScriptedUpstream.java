package dev.pier.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An upstream that misbehaves on purpose: a plain ServerSocket whose every accepted connection is handed to a script
 * (reset it, hang, answer garbage, answer then close). Records each request head it reads.
 */
public final class ScriptedUpstream implements AutoCloseable {
    /** What to do with one accepted connection. */
    @FunctionalInterface
    public interface Script {
        void run(Socket socket, ScriptedUpstream upstream) throws Exception;
    }

    private final ServerSocket server;
    private final Thread acceptor;
    private final List<String> heads = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    public ScriptedUpstream(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(s);
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            script.run(s, this);
                        } catch (Exception ignored) {
                            // the script decides how the connection ends
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    /** Reads one request head (through the blank line) and records it. */
    public String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int state = 0;
        int c;
        while (state < 4 && (c = in.read()) != -1) {
            b.write(c);
            state = (c == '\r' && (state == 0 || state == 2)) || (c == '\n' && (state == 1 || state == 3))
                    ? state + 1 : (c == '\r' ? 1 : 0);
        }
        String head = b.toString(StandardCharsets.ISO_8859_1);
        if (!head.isEmpty()) {
            heads.add(head);
        }
        return head;
    }

    public static void write(Socket s, String raw) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    public int port() {
        return server.getLocalPort();
    }

    public List<String> heads() {
        return heads;
    }

    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
        acceptor.interrupt();
    }
}
