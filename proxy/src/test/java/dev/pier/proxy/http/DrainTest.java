package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.proxy.ProxyTestBase;
import dev.pier.testing.RawHttp;
import dev.pier.testing.ScriptedUpstream;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Graceful shutdown: requests in flight finish, idle connections close, new ones are refused. */
class DrainTest extends ProxyTestBase {

    private static ScriptedUpstream slow(long millis) throws Exception {
        return new ScriptedUpstream((s, u) -> {
            u.readHead(s.getInputStream());
            Thread.sleep(millis);
            ScriptedUpstream.write(s, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nslow");
            Thread.sleep(5000);
        });
    }

    @Test
    void requestsInFlightFinishIdleConnectionsCloseNewOnesAreRefused() throws Exception {
        try (ScriptedUpstream up = slow(800); RawHttp busy = new RawHttp(proxy.httpPort());
             RawHttp idle = new RawHttp(proxy.httpPort())) {
            serve(prefix("example.com", "/", backend("slow", up.port())));
            busy.send("GET /busy HTTP/1.1\r\nHost: example.com\r\n\r\n");
            Thread.sleep(100); // the request is with the upstream now

            CompletableFuture<Integer> left = CompletableFuture.supplyAsync(() -> {
                try {
                    return proxy.drain(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(idle.closedWithin(1000)).as("idle keep-alive connection closed at once").isTrue();
            Thread.sleep(100);
            assertThatThrownBy(() -> new RawHttp(proxy.httpPort())).isInstanceOf(ConnectException.class);

            RawHttp.Response r = busy.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyText()).isEqualTo("slow");
            assertThat(r.header("connection")).isEqualToIgnoringCase("close");
            assertThat(busy.closedWithin(1000)).isTrue();
            assertThat(left.get()).isZero();
        }
    }

    @Test
    void requestsStillRunningWhenTheGracePeriodEndsAreCut() throws Exception {
        try (ScriptedUpstream up = slow(10_000); RawHttp busy = new RawHttp(proxy.httpPort())) {
            serve(prefix("example.com", "/", backend("slower", up.port())));
            busy.send("GET /busy HTTP/1.1\r\nHost: example.com\r\n\r\n");
            Thread.sleep(100);
            long start = System.nanoTime();
            assertThat(proxy.drain(Duration.ofMillis(300))).isEqualTo(1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(busy.closedWithin(1000)).isTrue();
        }
    }
}
