package dev.pier.watcher.translate;

/** Validation of the hosts Ingresses name, by hand: it runs for every rule of every new Ingress. */
final class Hosts {
    private Hosts() {}

    /**
     * True for a lower-case DNS name ({@code a.example.com}: labels of letters, digits and inner hyphens, separated by
     * single dots) or a one-label wildcard ({@code *.example.com}), at most 253 characters, that is not an IPv4-like
     * run of digits and dots.
     */
    static boolean isValid(String host) {
        int n = host.length();
        if (n == 0 || n > 253) {
            return false;
        }
        int start = host.startsWith("*.") ? 2 : 0;
        boolean digitsAndDots = start == 0; // only a bare name can look like an address
        int labelStart = start;
        for (int i = start; i <= n; i++) {
            char c = i < n ? host.charAt(i) : '.';
            if (c == '.') {
                if (i == labelStart || host.charAt(i - 1) == '-') {
                    return false; // an empty label, or one that ends with a hyphen
                }
                labelStart = i + 1;
            } else if (c >= 'a' && c <= 'z') {
                digitsAndDots = false;
            } else if (c == '-') {
                if (i == labelStart) {
                    return false;
                }
                digitsAndDots = false;
            } else if (c < '0' || c > '9') {
                return false;
            }
        }
        return !digitsAndDots;
    }
}
