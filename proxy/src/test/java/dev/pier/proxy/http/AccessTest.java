package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.RecordingProxyTestBase;
import dev.pier.proxy.TrustedProxies;
import dev.pier.proxy.route.Access;
import dev.pier.proxy.route.AddressRanges;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.testing.RawHttp;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A route's allow and deny lists judge the real client: behind a trusted proxy (here the test's own loopback peer),
 * the address that proxy names; a client cannot pick its address otherwise. Others get 403 and the upstream sees
 * nothing.
 */
class AccessTest extends RecordingProxyTestBase {
    @Override
    protected ProxyConfig config() {
        return super.config().withClientAddress(TrustedProxies.parse(List.of("127.0.0.1/32")), false);
    }

    @BeforeEach
    void guardedRoute() {
        Access access = new Access(AddressRanges.parse(List.of("203.0.113.0/24")),
                AddressRanges.parse(List.of("203.0.113.66")));
        serve(new Route("example.com", "/", PathType.PREFIX, backend("web", upstream.port()),
                new Source("default", "internal"), false, false,
                Policy.builder().access(access).build()));
    }

    private int status(String forwardedFor) throws Exception {
        try (RawHttp c = new RawHttp(proxy.httpPort())) {
            c.send("GET /x HTTP/1.1\r\nHost: example.com\r\n"
                    + (forwardedFor == null ? "" : "X-Forwarded-For: " + forwardedFor + "\r\n") + "\r\n");
            return c.read().status();
        }
    }

    @Test
    void theClientTheTrustedProxyNamesIsJudged() throws Exception {
        assertThat(status("203.0.113.5")).isEqualTo(200);
        assertThat(status("198.51.100.1")).isEqualTo(403);
        assertThat(status("203.0.113.66")).isEqualTo(403); // in the allowed network, but denied
        assertThat(status(null)).isEqualTo(403); // the proxy itself, 127.0.0.1
        assertThat(upstream.completeRequests()).isEqualTo(1);
    }
}
