package dev.pier.proxy.route;

/**
 * {@code backend-protocol: HTTPS}: TLS to the endpoints, as ingress-nginx does it by default: the upstream's
 * certificate is not verified ({@code proxy-ssl-verify: "off"}), and the server name is sent only when asked
 * ({@code proxy-ssl-server-name: "on"}, with {@code proxy-ssl-name} or the rule's host).
 *
 * @param serverName the SNI name sent to the upstream; null to send none
 */
public record UpstreamTls(String serverName) {
    /** TLS without SNI: ingress-nginx's default. */
    public static final UpstreamTls NO_SNI = new UpstreamTls(null);
}
