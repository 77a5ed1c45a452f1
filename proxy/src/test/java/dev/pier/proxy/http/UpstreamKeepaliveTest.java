package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static dev.pier.testing.Routes.prefix;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyTestBase;
import dev.pier.testing.EchoUpstream;
import org.junit.jupiter.api.Test;

/** {@code --upstream-keepalive-connections 0}: no idle upstream connection is kept, each request opens its own. */
class UpstreamKeepaliveTest extends ProxyTestBase {
    @Override
    protected ProxyConfig config() {
        return super.config().withUpstreamKeepalive(0);
    }

    @Test
    void withNoIdleConnectionsKeptEachRequestOpensOne() throws Exception {
        try (EchoUpstream up = new EchoUpstream("web")) {
            serve(prefix("example.com", "/", backend("web", up.port())));
            for (int i = 0; i < 5; i++) {
                assertThat(get("example.com", "/" + i).statusCode()).isEqualTo(200);
            }
            assertThat(up.received()).hasSize(5);
            assertThat(up.connectionCount()).isEqualTo(5);
        }
    }
}
