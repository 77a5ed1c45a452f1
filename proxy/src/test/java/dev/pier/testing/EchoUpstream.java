package dev.pier.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A real HTTP/1.1 upstream on loopback (the JDK's HttpServer): answers every request with 200 and a body describing
 * what it received, records each request, and tracks the client connections it saw (by remote port). Paths
 * {@code /status/N} answer N; {@code /delay/MS} answer after MS milliseconds; {@code /location/REST} answer 302 to
 * {@code http://app.internal/REST}.
 */
public final class EchoUpstream implements AutoCloseable {
    /** What the upstream received. Header names are lower case. */
    public record Received(String method, String uri, Map<String, List<String>> headers, long bodyBytes,
                           int remotePort) {
        public String header(String name) {
            List<String> v = headers.get(name.toLowerCase());
            return v == null ? null : v.get(0);
        }
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Set<Integer> connections = ConcurrentHashMap.newKeySet();

    public EchoUpstream(String name) throws IOException {
        this.name = name;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        long bytes = 0;
        try (InputStream in = ex.getRequestBody()) {
            byte[] buf = new byte[16384];
            for (int n; (n = in.read(buf)) > 0; ) {
                bytes += n;
            }
        }
        Map<String, List<String>> headers = new TreeMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(), List.copyOf(v)));
        int port = ex.getRemoteAddress().getPort();
        connections.add(port);
        received.add(new Received(ex.getRequestMethod(), ex.getRequestURI().toString(), headers, bytes, port));
        String path = ex.getRequestURI().getPath();
        if (path.startsWith("/delay/")) { // answers after that many milliseconds
            try {
                Thread.sleep(Long.parseLong(path.substring("/delay/".length())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (path.startsWith("/location/")) { // a redirect to http://app.internal/ and the rest of the path
            ex.getResponseHeaders().set("Location", "http://app.internal/" + path.substring("/location/".length()));
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        if (path.startsWith("/status/")) {
            int code = Integer.parseInt(path.substring("/status/".length()));
            ex.getResponseHeaders().set("X-Upstream", name);
            ex.sendResponseHeaders(code, -1);
            ex.close();
            return;
        }
        byte[] body = (name + " " + ex.getRequestMethod() + " " + ex.getRequestURI() + "\n")
                .getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("X-Upstream", name);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        if ("HEAD".equals(ex.getRequestMethod())) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
        } else {
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
        ex.close();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public List<Received> received() {
        return received;
    }

    public Received last() {
        return received.get(received.size() - 1);
    }

    /** Distinct client connections seen so far. */
    public int connectionCount() {
        return connections.size();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
