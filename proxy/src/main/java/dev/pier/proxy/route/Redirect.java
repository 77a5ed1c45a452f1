package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * A route that answers every request with a redirect instead of proxying it ({@code permanent-redirect},
 * {@code temporal-redirect}).
 *
 * @param location the absolute URL of the {@code Location} header, as written
 * @param code the status, 300 to 308
 */
public record Redirect(String location, int code) {
    public Redirect {
        requireNonNull(location, "location");
        if (code < 300 || code > 308) {
            throw new IllegalArgumentException("a redirect status is 300 to 308, not " + code);
        }
    }
}
