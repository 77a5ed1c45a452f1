package dev.pier.proxy.route;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * A set of IPv4 and IPv6 networks ({@code 10.0.0.0/8}, {@code 192.168.1.7}, {@code fd00::/8}) and whether an address
 * is in it. Literal addresses only: nothing is ever looked up in DNS. Immutable.
 */
public final class AddressRanges {
    public static final AddressRanges NONE = new AddressRanges(List.of(), List.of());

    private final List<byte[]> networks;
    private final List<Integer> prefixes;

    private AddressRanges(List<byte[]> networks, List<Integer> prefixes) {
        this.networks = networks;
        this.prefixes = prefixes;
    }

    /**
     * Parses CIDRs and addresses; blank entries are skipped.
     *
     * @throws IllegalArgumentException naming the first entry that is neither
     */
    public static AddressRanges parse(List<String> cidrs) {
        List<byte[]> networks = new ArrayList<>();
        List<Integer> prefixes = new ArrayList<>();
        for (String raw : cidrs) {
            String cidr = raw.trim();
            if (cidr.isEmpty()) {
                continue;
            }
            int slash = cidr.indexOf('/');
            byte[] addr = literal(slash < 0 ? cidr : cidr.substring(0, slash));
            if (addr == null) {
                throw new IllegalArgumentException("not an IP address or CIDR: " + cidr);
            }
            int bits;
            try {
                bits = slash < 0 ? addr.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                bits = -1;
            }
            if (bits < 0 || bits > addr.length * 8) {
                throw new IllegalArgumentException("bad prefix length in " + cidr);
            }
            networks.add(addr);
            prefixes.add(bits);
        }
        return networks.isEmpty() ? NONE : new AddressRanges(List.copyOf(networks), List.copyOf(prefixes));
    }

    public boolean isEmpty() {
        return networks.isEmpty();
    }

    /** True when the textual IP address {@code ip} is in one of the networks. */
    public boolean contains(String ip) {
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

    /** True when {@code s} is an IPv4 or IPv6 literal. */
    public static boolean isAddress(String s) {
        return literal(s) != null;
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
    private static byte[] literal(String s) {
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

    /** The networks in CIDR notation, as parsed (an address is its own /32 or /128), for {@code /routes}. */
    public List<String> cidrs() {
        List<String> out = new ArrayList<>(networks.size());
        for (int i = 0; i < networks.size(); i++) {
            try {
                out.add(InetAddress.getByAddress(networks.get(i)).getHostAddress() + "/" + prefixes.get(i));
            } catch (UnknownHostException e) {
                throw new IllegalStateException("a parsed network has 4 or 16 bytes", e);
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof AddressRanges r) || r.networks.size() != networks.size() || !r.prefixes.equals(prefixes)) {
            return false;
        }
        for (int i = 0; i < networks.size(); i++) {
            if (!java.util.Arrays.equals(networks.get(i), r.networks.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = prefixes.hashCode();
        for (byte[] n : networks) {
            h = 31 * h + java.util.Arrays.hashCode(n);
        }
        return h;
    }
}
