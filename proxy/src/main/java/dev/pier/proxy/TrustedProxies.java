package dev.pier.proxy;

import dev.pier.proxy.route.AddressRanges;
import java.util.List;

/**
 * The peers whose {@code X-Forwarded-For} Pier believes ({@code --trusted-proxies}): load balancers and proxies in
 * front of it. A request from such a peer keeps its X-Forwarded-For (Pier appends the peer), and its client is the
 * rightmost address in that list that is not itself a trusted proxy. Requests from anyone else have their
 * X-Forwarded-For replaced: a client cannot pick the address Pier reports. Immutable.
 */
public final class TrustedProxies {
    /** Nobody is trusted. */
    public static final TrustedProxies NONE = new TrustedProxies(AddressRanges.NONE);

    private final AddressRanges networks;

    private TrustedProxies(AddressRanges networks) {
        this.networks = networks;
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}...
     *
     * @throws IllegalArgumentException for anything else
     */
    public static TrustedProxies parse(List<String> cidrs) {
        AddressRanges r = AddressRanges.parse(cidrs);
        return r.isEmpty() ? NONE : new TrustedProxies(r);
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** True when the textual IP address {@code ip} is in a trusted network. */
    public boolean trusts(String ip) {
        return networks.contains(ip);
    }

    /**
     * The client behind a trusted peer: the rightmost X-Forwarded-For entry that is not a trusted proxy (the leftmost
     * when all are), or {@code peer} when the header holds no address.
     */
    public String clientOf(String peer, String forwardedFor) {
        String[] hops = forwardedFor.split(",");
        String candidate = null;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!AddressRanges.isAddress(hop)) {
                break; // garbage: stop believing the chain here
            }
            candidate = hop;
            if (!trusts(hop)) {
                return hop;
            }
        }
        return candidate != null ? candidate : peer;
    }
}
