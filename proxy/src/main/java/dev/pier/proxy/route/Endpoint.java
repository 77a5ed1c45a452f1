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
