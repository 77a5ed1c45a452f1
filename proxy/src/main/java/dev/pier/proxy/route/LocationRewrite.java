package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * {@code proxy-redirect-from} and {@code proxy-redirect-to}, as nginx's {@code proxy_redirect from to}: a
 * {@code Location} or {@code Refresh} header of the upstream's response that starts with {@code from} gets {@code to}
 * in its place. Matched as written (case-sensitive), no variables.
 *
 * @param from the start of the upstream's URL
 * @param to what the client sees instead
 */
public record LocationRewrite(String from, String to) {
    public LocationRewrite {
        requireNonNull(from, "from");
        requireNonNull(to, "to");
        if (from.isEmpty()) {
            throw new IllegalArgumentException("from is empty");
        }
    }

    /** {@code value} with {@code from} replaced when it starts {@code value}'s URL; {@code value} otherwise. */
    public String apply(String value) {
        if (value.startsWith(from)) {
            return to + value.substring(from.length());
        }
        int url = value.indexOf("url="); // Refresh: "5; url=http://..."
        if (url >= 0 && value.startsWith(from, url + 4)) {
            return value.substring(0, url + 4) + to + value.substring(url + 4 + from.length());
        }
        return value;
    }
}
