package dev.pier.proxy;

import dev.pier.testing.Routes;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Starts a real ProxyServer on a free loopback port (one event loop, short timeouts) for each test. */
public abstract class ProxyTestBase {
    protected final ActiveRoutes routes = new ActiveRoutes();
    protected ProxyServer proxy;
    protected HttpClient http;
    /** What the proxy under test reports to: its metrics can be read, no access log is written. */
    protected final Telemetry telemetry = Telemetry.none();

    protected ProxyConfig config() {
        return ProxyConfig.defaults().withPorts(0, 0, 0).withIoThreads(1)
                .withTimeouts(Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofSeconds(75));
    }

    @BeforeEach
    void startProxy() throws Exception {
        proxy = ProxyServer.start(config(), routes, telemetry);
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterEach
    void stopProxy() {
        http.shutdownNow(); // bounded: close() would wait for every exchange, WebSockets included
        try {
            http.awaitTermination(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        proxy.close();
    }

    protected void serve(Route... rules) {
        RouteTable.Builder b = RouteTable.builder();
        for (Route r : rules) {
            b.add(r);
        }
        Routes.publish(routes, b.build());
    }

    protected HttpResponse<String> get(String host, String path) throws Exception {
        return http.send(request(host, path).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    protected HttpRequest.Builder request(String host, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxy.httpPort() + path))
                .header("Host", host).timeout(Duration.ofSeconds(10));
    }
}
