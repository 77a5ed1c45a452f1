package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/**
 * Who may use a route, by the client's address ({@code allowlist-source-range}, {@code denylist-source-range}):
 * judged on the real client, after trusted proxies and the PROXY protocol; anyone else gets 403.
 *
 * @param allow when not empty, only these networks
 * @param deny never these networks
 */
public record Access(AddressRanges allow, AddressRanges deny) {
    public Access {
        requireNonNull(allow, "allow");
        requireNonNull(deny, "deny");
    }

    /** Whether the client at {@code address} may use the route. */
    public boolean allows(String address) {
        return (allow.isEmpty() || allow.contains(address)) && !deny.contains(address);
    }
}
