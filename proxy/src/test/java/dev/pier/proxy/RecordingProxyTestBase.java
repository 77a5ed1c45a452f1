package dev.pier.proxy;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;

import dev.pier.testing.RecordingUpstream;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A real Pier serving {@code example.com} from an upstream that records every byte it receives, for tests that send
 * what an attacker would and check what reached the backend.
 */
public abstract class RecordingProxyTestBase extends ProxyTestBase {
    protected RecordingUpstream upstream;

    @Override
    protected ProxyConfig config() {
        return super.config().withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(30));
    }

    @BeforeEach
    void startRecordingUpstream() throws Exception {
        upstream = new RecordingUpstream();
        serve(prefix("example.com", "/", backend("web", upstream.port())));
    }

    @AfterEach
    void stopRecordingUpstream() throws Exception {
        upstream.close();
    }

    /** {@code pier_client_errors_total{reason}} so far. */
    protected double clientErrors(String reason) {
        Counter c = telemetry.metrics().registry().find("pier.client.errors").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }
}
