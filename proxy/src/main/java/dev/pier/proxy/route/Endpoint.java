package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * One ready address of a Service port: an IP literal and the port the Pod listens on (the EndpointSlice port, which
 * may differ from the Service port).
 */
public record Endpoint(String address, int port) implements Comparable<Endpoint> {
    public Endpoint {
        requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
    }

    /**
     * Whether {@code address} is an IP literal the data path can connect to without a name lookup: a dotted IPv4
     * quad (each part 0-255, at most two digits when it starts with 0), or, when it has a colon, an IPv6 literal's
     * characters (hex digits, colons, dots for an embedded IPv4; 2-45 of them). Allocates nothing.
     */
    public static boolean isIpLiteral(String address) {
        return address.indexOf(':') >= 0 ? isIpv6Shaped(address) : isIpv4(address);
    }

    private static boolean isIpv4(String s) {
        int parts = 0;
        int i = 0;
        int n = s.length();
        while (i <= n) {
            int start = i;
            int value = 0;
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                value = value * 10 + (s.charAt(i) - '0');
                i++;
            }
            int digits = i - start;
            if (digits == 0 || digits > 3 || value > 255 || (digits == 3 && value < 100)) {
                return false;
            }
            parts++;
            if (i == n) {
                return parts == 4;
            }
            if (s.charAt(i) != '.' || parts == 4) {
                return false;
            }
            i++;
        }
        return false;
    }

    private static boolean isIpv6Shaped(String s) {
        int n = s.length();
        if (n < 2 || n > 45) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == ':' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int compareTo(Endpoint o) {
        int c = address.compareTo(o.address);
        return c != 0 ? c : Integer.compare(port, o.port);
    }

    @Override
    public String toString() {
        return address.indexOf(':') >= 0 ? "[" + address + "]:" + port : address + ":" + port;
    }
}
