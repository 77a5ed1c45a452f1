package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.testing.TlsClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /readyz} is 200 only when Pier accepts on every traffic listener: Pier runs as its own process, as a
 * kubelet sees it, and at the first 200 both the HTTP and the HTTPS port must take a connection (and a handshake).
 */
class ReadinessTest {
    @TempDir
    Path manifests;

    @Test
    void readyMeansEveryListenerAccepts() throws Exception {
        Files.writeString(manifests.resolve("app.yaml"), """
                apiVersion: v1
                kind: Service
                metadata: {name: app, namespace: default}
                spec: {ports: [{port: 80}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: app, namespace: default}
                spec:
                  ingressClassName: pier
                  rules:
                  - host: app.example.com
                    http:
                      paths:
                      - {path: /, pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}
                """);
        int[] ports = freePorts(3);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process pier = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                "dev.pier.watcher.app.Main", "--manifests", manifests.toString(), "--bind-address", "127.0.0.1",
                "--http-port", Integer.toString(ports[0]), "--https-port", Integer.toString(ports[1]),
                "--admin-port", Integer.toString(ports[2]), "--access-log=false", "--shutdown-delay", "0s"))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        try {
            HttpRequest readyz = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ports[2] + "/readyz"))
                    .timeout(Duration.ofSeconds(2)).build();
            boolean ready = false;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!ready && System.nanoTime() < deadline && pier.isAlive()) {
                try {
                    ready = http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (IOException notListeningYet) {
                    // the admin port comes first, a moment after start
                }
                if (!ready) {
                    Thread.sleep(5);
                }
            }
            assertThat(ready).as("/readyz turned 200").isTrue();
            try (Socket plain = new Socket(InetAddress.getLoopbackAddress(), ports[0]);
                 SSLSocket tls = TlsClient.connect(ports[1], "app.example.com")) {
                assertThat(plain.isConnected()).isTrue();
                assertThat(tls.getSession().isValid()).isTrue();
            }
        } finally {
            http.shutdownNow();
            pier.destroy();
            if (!pier.waitFor(20, TimeUnit.SECONDS)) {
                pier.destroyForcibly();
            }
        }
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        ServerSocket[] sockets = new ServerSocket[n];
        try {
            for (int i = 0; i < n; i++) {
                sockets[i] = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                ports[i] = sockets[i].getLocalPort();
            }
        } finally {
            for (ServerSocket s : sockets) {
                if (s != null) {
                    s.close();
                }
            }
        }
        return ports;
    }
}
