package dev.pier.tls;

import java.util.List;

/**
 * The certificate served when no configured certificate fits a handshake: no SNI, an unknown name, or a host whose
 * Secret is broken. Like ingress-nginx's "Fake Certificate", it is self-signed, so clients see at once that the host
 * has no certificate of its own.
 */
public final class DefaultCertificate {
    /** The subject CN, modelled on ingress-nginx's {@code Kubernetes Ingress Controller Fake Certificate}. */
    public static final String COMMON_NAME = "Pier Ingress Controller Fake Certificate";

    private DefaultCertificate() {}

    /** A new self-signed EC P-256 certificate for {@code ingress.local}, valid for a year. */
    public static TlsCredential generate() {
        return SelfSigned.credential(SelfSigned.KeyType.EC_P256, COMMON_NAME, List.of("ingress.local"), 365);
    }
}
