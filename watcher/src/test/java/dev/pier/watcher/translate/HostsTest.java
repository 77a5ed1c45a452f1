package dev.pier.watcher.translate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class HostsTest {
    /** The definition the hand-written check must agree with. */
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");

    private static boolean byRegex(String host) {
        return !host.isEmpty() && host.length() <= 253 && HOST.matcher(host).matches()
                && !IPV4ISH.matcher(host).matches();
    }

    @Test
    void acceptsNamesAndOneLabelWildcards() {
        for (String ok : new String[] {"a", "example.com", "a-b.example.com", "*.example.com", "1a.b2", "x.1", "*.1",
                "a".repeat(253)}) {
            assertThat(Hosts.isValid(ok)).as(ok).isTrue();
        }
    }

    @Test
    void rejectsEverythingElse() {
        for (String bad : new String[] {"", ".", "a.", ".a", "a..b", "-a", "a-", "a.-b", "A.com", "*", "*.", "**.a",
                "a.*.com", "*.*.a", "10.0.0.1", "1", "1.2", "a_b", "a b", "[::1]", "a:80", "a".repeat(254), "é.com"}) {
            assertThat(Hosts.isValid(bad)).as(bad).isFalse();
        }
    }

    @Test
    void agreesWithTheRegularExpressionOnRandomStrings() {
        Random random = new Random(42);
        String alphabet = "ab09-.*A_";
        for (int i = 0; i < 200_000; i++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(12);
            for (int j = 0; j < length; j++) {
                s.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String host = s.toString();
            assertThat(Hosts.isValid(host)).as("'%s'", host).isEqualTo(byRegex(host));
        }
    }
}
