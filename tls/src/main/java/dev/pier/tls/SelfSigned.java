package dev.pier.tls;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Issues certificates: self-signed (the default certificate) or signed by a given issuer (tests, examples). */
public final class SelfSigned {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Key types Pier can generate. */
    public enum KeyType { RSA_2048, EC_P256, ED25519 }

    private SelfSigned() {}

    /** A new key pair of the given type. */
    public static KeyPair keyPair(KeyType type) {
        try {
            return switch (type) {
                case RSA_2048 -> {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                    g.initialize(2048, RANDOM);
                    yield g.generateKeyPair();
                }
                case EC_P256 -> {
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    yield g.generateKeyPair();
                }
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + type + " key", e);
        }
    }

    /**
     * A certificate for {@code keys}' public key.
     *
     * @param commonName the subject CN
     * @param dnsNames subjectAltName DNS entries (may be empty)
     * @param notBefore start of validity
     * @param notAfter end of validity
     * @param issuer the issuing credential, or null for a self-signed certificate
     * @param ca true to issue a CA certificate (for building chains)
     */
    public static X509Certificate certificate(KeyPair keys, String commonName, List<String> dnsNames,
                                              Instant notBefore, Instant notAfter, TlsCredential issuer,
                                              boolean ca) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName).build();
        X500Name issuerName = issuer == null ? subject
                : X500Name.getInstance(issuer.leaf().getSubjectX500Principal().getEncoded());
        PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.key();
        try {
            X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    new BigInteger(127, RANDOM).add(BigInteger.ONE), java.util.Date.from(notBefore),
                    java.util.Date.from(notAfter), subject, keys.getPublic());
            if (!dnsNames.isEmpty()) {
                List<GeneralName> names = new ArrayList<>();
                for (String n : dnsNames) {
                    names.add(new GeneralName(GeneralName.dNSName, n));
                }
                b.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(names.toArray(GeneralName[]::new)));
            }
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign
                    : KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
            ContentSigner signer = new JcaContentSignerBuilder(signatureAlgorithm(signingKey)).build(signingKey);
            return new JcaX509CertificateConverter().getCertificate(b.build(signer));
        } catch (OperatorCreationException | java.io.IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate for " + commonName, e);
        }
    }

    /** A self-signed credential valid from now for {@code days}. */
    public static TlsCredential credential(KeyType type, String commonName, List<String> dnsNames, int days) {
        KeyPair keys = keyPair(type);
        Instant now = Instant.now();
        X509Certificate cert = certificate(keys, commonName, dnsNames, now.minusSeconds(3600),
                now.plusSeconds(days * 86_400L), null, false);
        return new TlsCredential(List.of(cert), keys.getPrivate(), PemCredentials.dnsNames(cert));
    }

    /** A credential from parts already known to belong together (a chain issued for {@code key}). */
    public static TlsCredential of(List<X509Certificate> chain, PrivateKey key) {
        return new TlsCredential(chain, key, PemCredentials.dnsNames(chain.getFirst()));
    }

    private static String signatureAlgorithm(PrivateKey key) {
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
    }
}
