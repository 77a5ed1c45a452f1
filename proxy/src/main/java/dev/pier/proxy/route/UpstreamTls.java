package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;

/**
 * {@code backend-protocol: HTTPS}: TLS to the endpoints. By default as ingress-nginx does it: the upstream's
 * certificate is not verified ({@code proxy-ssl-verify: "off"}), and a server name is sent only when asked
 * ({@code proxy-ssl-server-name: "on"}). With {@code proxy-ssl-secret}, the Secret's {@code ca.crt} can verify the
 * upstream and its {@code tls.crt}/{@code tls.key} are presented as Pier's client certificate.
 *
 * <p>Immutable; equal settings are equal objects, so that connections are pooled per settings and endpoint, never
 * shared between routes that check the upstream differently. The hash is computed once.
 */
public final class UpstreamTls {
    /** TLS without SNI and without verification: ingress-nginx's default. */
    public static final UpstreamTls NO_SNI = new UpstreamTls(null);

    private final String serverName;
    private final Verification verification;
    private final ClientCertificate client;
    private final int hash;

    /**
     * What the upstream's certificate must satisfy: issued through one of {@code trusted} within {@code depth} (as
     * nginx's {@code proxy_ssl_verify_depth}: 1 means issued by a trusted certificate directly), for {@code name}.
     *
     * @param name the host name the certificate must be valid for; {@code ""} before the translation puts the rule's
     *     host in
     */
    public record Verification(List<X509Certificate> trusted, String name, int depth) {
        public Verification {
            trusted = List.copyOf(trusted);
            requireNonNull(name, "name");
            if (trusted.isEmpty() || depth < 1) {
                throw new IllegalArgumentException("trusted certificates and a depth of at least 1 are needed");
            }
        }
    }

    /** The certificate Pier presents to the upstream, and its key. */
    public record ClientCertificate(List<X509Certificate> chain, PrivateKey key) {
        public ClientCertificate {
            chain = List.copyOf(chain);
            requireNonNull(key, "key");
        }
    }

    /** @param serverName the SNI name sent to the upstream; null to send none; {@code ""} for the rule's host */
    public UpstreamTls(String serverName) {
        this(serverName, null, null);
    }

    /**
     * @param serverName the SNI name sent to the upstream; null to send none; {@code ""} for the rule's host
     * @param verification how the upstream's certificate is checked; null to accept any
     * @param client the certificate presented to the upstream; null for none
     */
    public UpstreamTls(String serverName, Verification verification, ClientCertificate client) {
        this.serverName = serverName;
        this.verification = verification;
        this.client = client;
        this.hash = Objects.hash(serverName, verification, client);
    }

    public String serverName() {
        return serverName;
    }

    public Verification verification() {
        return verification;
    }

    public ClientCertificate client() {
        return client;
    }

    /** These settings with the rule's {@code host} (null when it has none) put where they ask for it. */
    public UpstreamTls forHost(String host, String fallbackName) {
        String sni = "".equals(serverName) ? host : serverName;
        Verification v = verification;
        if (v != null && v.name().isEmpty()) {
            v = new Verification(v.trusted(), host != null ? host : fallbackName, v.depth());
        }
        return Objects.equals(sni, serverName) && v == verification ? this : new UpstreamTls(sni, v, client);
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof UpstreamTls t && hash == t.hash && Objects.equals(serverName, t.serverName)
                && Objects.equals(verification, t.verification) && Objects.equals(client, t.client));
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** For {@code /routes} and logs: no key material, only what identifies the settings. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("HTTPS");
        if (serverName != null) {
            s.append(", server name ").append(serverName.isEmpty() ? "(the rule's host)" : serverName);
        }
        if (verification != null) {
            s.append(", verified for ").append(verification.name().isEmpty() ? "(the rule's host)"
                    : verification.name()).append(" against ").append(verification.trusted().size())
                    .append(verification.trusted().size() == 1 ? " CA certificate" : " CA certificates")
                    .append(" (depth ").append(verification.depth()).append(')');
        }
        if (client != null) {
            s.append(", with a client certificate");
        }
        return s.toString();
    }
}
