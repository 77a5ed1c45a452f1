package dev.pier.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class EndpointTest {
    /** The expressions the translation used before {@link Endpoint#isIpLiteral}: the check must accept the same. */
    private static final Pattern IPV4 =
            Pattern.compile("((25[0-5]|2[0-4]\\d|1?\\d?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1?\\d?\\d)");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    @Test
    void acceptsIpLiteralsOnly() {
        assertThat(Endpoint.isIpLiteral("10.0.0.1")).isTrue();
        assertThat(Endpoint.isIpLiteral("255.255.255.255")).isTrue();
        assertThat(Endpoint.isIpLiteral("0.0.0.0")).isTrue();
        assertThat(Endpoint.isIpLiteral("fd00::1")).isTrue();
        assertThat(Endpoint.isIpLiteral("::ffff:10.0.0.1")).isTrue();
        assertThat(Endpoint.isIpLiteral("256.0.0.1")).isFalse();
        assertThat(Endpoint.isIpLiteral("10.0.0")).isFalse();
        assertThat(Endpoint.isIpLiteral("10.0.0.1.")).isFalse();
        assertThat(Endpoint.isIpLiteral(".10.0.0.1")).isFalse();
        assertThat(Endpoint.isIpLiteral("10..0.1")).isFalse();
        assertThat(Endpoint.isIpLiteral("10.0.0.1.2")).isFalse();
        assertThat(Endpoint.isIpLiteral("010.0.0.1")).isFalse();
        assertThat(Endpoint.isIpLiteral("pod.example")).isFalse();
        assertThat(Endpoint.isIpLiteral("")).isFalse();
        assertThat(Endpoint.isIpLiteral(":")).isFalse();
        assertThat(Endpoint.isIpLiteral("fd00::g")).isFalse();
    }

    @Test
    void agreesWithTheExpressionsOnRandomInput() {
        Random random = new Random(7);
        String alphabet = "0123456789....:aF";
        for (int n = 0; n < 200_000; n++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(18);
            for (int i = 0; i < length; i++) {
                s.append(alphabet.charAt(random.nextInt(n % 2 == 0 ? 14 : alphabet.length())));
            }
            String address = s.toString();
            boolean expected = IPV4.matcher(address).matches()
                    || (address.indexOf(':') >= 0 && IPV6.matcher(address).matches());
            assertThat(Endpoint.isIpLiteral(address)).as(address).isEqualTo(expected);
        }
    }
}
