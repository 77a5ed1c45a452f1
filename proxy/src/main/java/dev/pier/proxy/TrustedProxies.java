package dev.pier.proxy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The peers whose {@code X-Forwarded-For} Pier believes ({@code --trusted-proxies}): load balancers and proxies in
 * front of it. A request from such a peer keeps its X-Forwarded-For (Pier appends the peer), and its client is the
 * rightmost address in that list that is not itself a trusted proxy. Requests from anyone else have their
 * X-Forwarded-For replaced: a client cannot pick the address Pier reports. Immutable.
 */
public final class TrustedProxies {
    /** Nobody is trusted. */
    public static final TrustedProxies NONE = new TrustedProxies(List.of());

    private final List<byte[]> networks; // address bytes
    private final List<Integer> prefixes;

    private TrustedProxies(List<String> cidrs) {
        networks = new ArrayList<>();
        prefixes = new ArrayList<>();
        for (String cidr : cidrs) {
            int slash = cidr.indexOf('/');
            byte[] addr = literal(slash < 0 ? cidr : cidr.substring(0, slash));
            if (addr == null) {
                throw new IllegalArgumentException("not an IP address or CIDR: " + cidr);
            }
            int bits = slash < 0 ? addr.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            if (bits < 0 || bits > addr.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            networks.add(addr);
            prefixes.add(bits);
        }
    }

    /**
     * Parses {@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}...
     *
     * @throws IllegalArgumentException for anything else
     */
    public static TrustedProxies parse(List<String> cidrs) {
        return cidrs.isEmpty() ? NONE : new TrustedProxies(cidrs.stream().map(String::trim)
                .filter(s -> !s.isEmpty()).toList());
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** True when the textual IP address {@code ip} is in a trusted network. */
    public boolean trusts(String ip) {
        if (networks.isEmpty() || ip == null) {
            return false;
        }
        byte[] a = literal(ip);
        if (a == null) {
            return false;
        }
        for (int i = 0; i < networks.size(); i++) {
            if (matches(networks.get(i), prefixes.get(i), a)) {
                return true;
            }
        }
        return false;
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
            if (literal(hop) == null) {
                break; // garbage: stop believing the chain here
            }
            candidate = hop;
            if (!trusts(hop)) {
                return hop;
            }
        }
        return candidate != null ? candidate : peer;
    }

    private static boolean matches(byte[] network, int bits, byte[] a) {
        if (network.length != a.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (network[i] != a[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (network[full] & mask) == (a[full] & mask);
    }

    /** The bytes of an IPv4 or IPv6 literal, or null: never a DNS lookup. */
    static byte[] literal(String s) {
        if (s.isEmpty() || !(Character.digit(s.charAt(0), 16) >= 0 || s.charAt(0) == ':')) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!(Character.digit(c, 16) >= 0 || c == '.' || c == ':')) {
                return null; // not a literal: InetAddress would resolve it as a name
            }
        }
        try {
            return InetAddress.getByName(s).getAddress();
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
