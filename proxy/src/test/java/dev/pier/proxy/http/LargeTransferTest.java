package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.pier.proxy.ProxyTestBase;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * 1 GiB through the proxy each way. Surefire runs this class alone in a JVM with a 96 MiB heap and 64 MiB of direct
 * memory (see proxy/pom.xml): a proxy that buffered bodies instead of streaming them could not pass.
 */
class LargeTransferTest extends ProxyTestBase {
    private static final long GIB = 1L << 30;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final AtomicLong uploaded = new AtomicLong();
    private final AtomicLong downloadWritten = new AtomicLong();
    private HttpServer upstream;

    @BeforeAll
    static void onlyInASmallHeap() {
        long max = Runtime.getRuntime().maxMemory();
        Assumptions.assumeTrue(max < 128L << 20,
                "runs in the large-transfer-small-heap execution (-Xmx96m); this JVM has " + (max >> 20) + " MiB");
    }

    @BeforeEach
    void upstream() throws Exception {
        upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        upstream.setExecutor(executor);
        upstream.createContext("/upload", ex -> {
            long n = 0;
            byte[] buf = new byte[65536];
            try (InputStream in = ex.getRequestBody()) {
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                }
            }
            uploaded.set(n);
            byte[] body = Long.toString(n).getBytes(StandardCharsets.US_ASCII);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        upstream.createContext("/download", ex -> {
            long size = Long.parseLong(ex.getRequestURI().getQuery());
            ex.sendResponseHeaders(200, 0); // chunked
            byte[] buf = new byte[65536];
            try (OutputStream out = ex.getResponseBody()) {
                for (long sent = 0; sent < size; sent += buf.length) {
                    out.write(buf);
                    downloadWritten.addAndGet(buf.length);
                }
            } catch (java.io.IOException clientGone) {
                // the slow-client test hangs up early
            }
            ex.close();
        });
        upstream.start();
        serve(prefix("big.example.com", "/", backend("big", upstream.getAddress().getPort())));
    }

    @AfterEach
    void stopUpstream() {
        upstream.stop(0);
        executor.shutdownNow();
    }

    @Test
    void oneGibibyteUploadStreamsThrough() throws Exception {
        // The client's timeout runs until the response head, which comes after the whole upload: this test is
        // about memory, not speed, so it gets minutes, not the 10 s of small requests (a slow machine took 10.1 s).
        HttpResponse<String> r = http.send(request("big.example.com", "/upload").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ZeroStream(GIB))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo(Long.toString(GIB));
        assertThat(uploaded.get()).isEqualTo(GIB);
    }

    @Test
    void oneGibibyteDownloadStreamsThrough() throws Exception {
        HttpResponse<InputStream> r = http.send(request("big.example.com", "/download?" + GIB).GET().build(),
                HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        byte[] buf = new byte[65536];
        try (InputStream in = r.body()) {
            for (int k; (k = in.read(buf)) > 0; ) {
                n += k;
            }
        }
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(n).isEqualTo(GIB);
    }

    @Test
    void aSlowClientSlowsTheUpstreamInsteadOfFillingMemory() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.httpPort())) {
            s.setReceiveBufferSize(64 * 1024);
            s.getOutputStream().write(("GET /download?" + GIB + " HTTP/1.1\r\nHost: big.example.com\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            long read = 0;
            while (read < (1 << 20)) {
                read += in.read(buf);
            }
            Thread.sleep(1500); // stop reading: the proxy must stop reading the upstream too
            long written = downloadWritten.get();
            Thread.sleep(1000);
            assertThat(downloadWritten.get()).as("upstream kept writing while the client read nothing")
                    .isLessThan(written + 4 * 65536L);
            assertThat(written - read).as("bytes held between upstream and client").isLessThan(32L << 20);
        }
    }

    /** {@code size} zero bytes, generated on the fly. */
    private static final class ZeroStream extends InputStream {
        private long left;

        ZeroStream(long size) {
            this.left = size;
        }

        @Override
        public int read() {
            if (left == 0) {
                return -1;
            }
            left--;
            return 0;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left == 0) {
                return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 0);
            left -= n;
            return n;
        }
    }
}
