package dev.pier.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads a {@code kubernetes.io/tls} Secret's {@code tls.crt} and {@code tls.key} into a {@link TlsCredential}, and
 * checks that they belong together.
 *
 * <p>{@code tls.crt}: one or more PEM {@code CERTIFICATE} blocks, leaf first. {@code tls.key}: an unencrypted
 * private key as PKCS#1 ({@code RSA PRIVATE KEY}), SEC1 ({@code EC PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}: RSA,
 * EC or Ed25519); other blocks in the same file, such as {@code EC PARAMETERS}, are skipped. Stateless and
 * thread-safe.
 */
public final class PemCredentials {
    private static final SecureRandom RANDOM = new SecureRandom();

    private PemCredentials() {}

    /**
     * Parses and checks a certificate chain and its key. Validity dates are not checked here: see
     * {@link TlsCredential#validityProblem}.
     *
     * @throws InvalidCredentialException when either does not parse, or the key does not match the leaf
     */
    public static TlsCredential parse(byte[] certificatePem, byte[] keyPem) throws InvalidCredentialException {
        if (certificatePem == null || certificatePem.length == 0) {
            throw new InvalidCredentialException("tls.crt is missing or empty");
        }
        if (keyPem == null || keyPem.length == 0) {
            throw new InvalidCredentialException("tls.key is missing or empty");
        }
        List<X509Certificate> chain = readCertificates(certificatePem, "tls.crt");
        PrivateKey key = readKey(keyPem);
        checkKeyMatches(key, chain.getFirst());
        return new TlsCredential(chain, key, dnsNames(chain.getFirst()));
    }

    /**
     * Parses PEM {@code CERTIFICATE} blocks, such as a Secret's {@code ca.crt}; other blocks are skipped.
     *
     * @param entry the Secret entry the bytes come from, for the message
     * @throws InvalidCredentialException when they do not parse or hold no certificate
     */
    public static List<X509Certificate> parseCertificates(byte[] pem, String entry)
            throws InvalidCredentialException {
        if (pem == null || pem.length == 0) {
            throw new InvalidCredentialException(entry + " is missing or empty");
        }
        return readCertificates(pem, entry);
    }

    private static List<X509Certificate> readCertificates(byte[] pem, String entry)
            throws InvalidCredentialException {
        List<X509Certificate> chain = new ArrayList<>();
        try (PEMParser parser = parser(pem)) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            Object o;
            while ((o = parser.readObject()) != null) {
                if (o instanceof X509CertificateHolder holder) { // other blocks (a key pasted in too) are skipped
                    chain.add((X509Certificate) factory.generateCertificate(
                            new ByteArrayInputStream(holder.getEncoded())));
                }
            }
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new InvalidCredentialException(entry + " is not a valid PEM certificate chain ("
                    + describe(e) + ")");
        }
        if (chain.isEmpty()) {
            throw new InvalidCredentialException(entry + " holds no PEM CERTIFICATE block");
        }
        return chain;
    }

    private static PrivateKey readKey(byte[] pem) throws InvalidCredentialException {
        PrivateKeyInfo info = null;
        try (PEMParser parser = parser(pem)) {
            Object o;
            while (info == null && (o = parser.readObject()) != null) {
                switch (o) {
                    case PrivateKeyInfo p -> info = p;
                    case PEMKeyPair pair -> info = pair.getPrivateKeyInfo();
                    case PEMEncryptedKeyPair ignored -> throw encrypted();
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted();
                    case ASN1ObjectIdentifier ignored -> { } // EC PARAMETERS (a named curve) before an EC key
                    case X9ECParameters ignored -> { } // EC PARAMETERS, explicit form
                    default -> { }
                }
            }
        } catch (InvalidCredentialException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // The parser's message could quote the input: say only what kind of failure it was.
            throw new InvalidCredentialException("tls.key is not a valid PEM private key ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (info == null) {
            throw new InvalidCredentialException(
                    "tls.key holds no PEM private key (RSA PRIVATE KEY, EC PRIVATE KEY or PRIVATE KEY)");
        }
        ASN1ObjectIdentifier algorithm = info.getPrivateKeyAlgorithm().getAlgorithm();
        String jcaName;
        if (algorithm.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            jcaName = "RSA";
        } else if (algorithm.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
            jcaName = "EC";
        } else if (algorithm.equals(EdECObjectIdentifiers.id_Ed25519)) {
            jcaName = "Ed25519";
        } else {
            throw new InvalidCredentialException("tls.key uses key algorithm " + algorithm.getId()
                    + "; Pier serves RSA, EC and Ed25519 keys");
        }
        try {
            return KeyFactory.getInstance(jcaName).generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new InvalidCredentialException("tls.key is not a valid " + jcaName + " private key ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** Signs a random message with the key and verifies it with the leaf's public key. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate leaf) throws InvalidCredentialException {
        PublicKey publicKey = leaf.getPublicKey();
        String keyAlgorithm = normalize(key.getAlgorithm());
        String certAlgorithm = normalize(publicKey.getAlgorithm());
        if (!keyAlgorithm.equals(certAlgorithm)) {
            throw new InvalidCredentialException("tls.key is an " + keyAlgorithm + " key but the certificate's public"
                    + " key is " + certAlgorithm + ": they do not belong together");
        }
        String signatureAlgorithm = switch (keyAlgorithm) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> "Ed25519";
        };
        byte[] message = new byte[32];
        RANDOM.nextBytes(message);
        boolean matches;
        try {
            Signature signer = Signature.getInstance(signatureAlgorithm);
            signer.initSign(key);
            signer.update(message);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(signatureAlgorithm);
            verifier.initVerify(publicKey);
            verifier.update(message);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            matches = false;
        }
        if (!matches) {
            throw new InvalidCredentialException("tls.key does not match the certificate's public key (the first"
                    + " certificate in tls.crt must be the one issued for this key)");
        }
    }

    private static String normalize(String algorithm) {
        return switch (algorithm) {
            case "EdDSA", "Ed25519" -> "Ed25519";
            case "ECDSA", "EC" -> "EC";
            default -> algorithm;
        };
    }

    /** The leaf's DNS subjectAltNames in lower case; its subject CN when it has none. */
    static List<String> dnsNames(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0)) && san.get(1) instanceof String s) {
                        names.add(s.toLowerCase(Locale.ROOT));
                    }
                }
            }
        } catch (java.security.cert.CertificateParsingException e) {
            // no usable SAN extension: fall back to the CN
        }
        if (names.isEmpty()) {
            X500Name subject = X500Name.getInstance(leaf.getSubjectX500Principal().getEncoded());
            for (RDN rdn : subject.getRDNs(BCStyle.CN)) {
                names.add(IETFUtils.valueToString(rdn.getFirst().getValue()).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static PEMParser parser(byte[] pem) {
        return new PEMParser(new StringReader(new String(pem, StandardCharsets.US_ASCII)));
    }

    private static InvalidCredentialException encrypted() {
        return new InvalidCredentialException("tls.key is encrypted; Kubernetes TLS Secrets hold unencrypted keys");
    }

    private static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
