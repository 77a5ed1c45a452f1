package dev.pier.proxy.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.proxy.TrustedProxies;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {
    private final TrustedProxies trusted = TrustedProxies.parse(List.of("10.0.0.0/8", "192.168.1.7", "fd00::/8"));

    @Test
    void matchesAddressesInsideTheNetworksOnly() {
        assertThat(trusted.trusts("10.200.3.4")).isTrue();
        assertThat(trusted.trusts("11.0.0.1")).isFalse();
        assertThat(trusted.trusts("192.168.1.7")).isTrue();
        assertThat(trusted.trusts("192.168.1.8")).isFalse();
        assertThat(trusted.trusts("fd12::1")).isTrue();
        assertThat(trusted.trusts("fe80::1")).isFalse();
        assertThat(trusted.trusts("example.com")).isFalse(); // never a DNS lookup
    }

    @Test
    void theClientIsTheRightmostUntrustedHop() {
        assertThat(trusted.clientOf("10.0.0.1", "203.0.113.1, 198.51.100.2, 10.1.1.1")).isEqualTo("198.51.100.2");
        assertThat(trusted.clientOf("10.0.0.1", "10.9.9.9, 10.1.1.1")).isEqualTo("10.9.9.9");
        assertThat(trusted.clientOf("10.0.0.1", "garbage, 203.0.113.1")).isEqualTo("203.0.113.1");
        assertThat(trusted.clientOf("10.0.0.1", "not-an-ip")).isEqualTo("10.0.0.1");
    }

    @Test
    void rejectsWhatIsNotACidr() {
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("10.0.0.0/33"))).hasMessageContaining("prefix");
        assertThatThrownBy(() -> TrustedProxies.parse(List.of("proxy.local"))).hasMessageContaining("not an IP");
    }
}
