package dev.pier.tls;

import static java.util.Objects.requireNonNull;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A parsed certificate chain and the private key that matches its leaf: what a TLS server presents. Immutable.
 *
 * <p>Two credentials are equal when their chain and key are byte for byte the same, so caches keyed by a credential
 * (such as the proxy's SSL contexts) survive a rebuild that changes nothing about the certificate.
 *
 * <p>{@link #toString()} names the certificate, never the key.
 */
public final class TlsCredential {
    private final List<X509Certificate> chain;
    private final PrivateKey key;
    private final List<String> dnsNames;
    private final byte[] identity; // SHA-256 over the chain's DER and the key's encoding
    private final String fingerprint; // SHA-256 of the leaf's DER, hex
    private final int hash;

    TlsCredential(List<X509Certificate> chain, PrivateKey key, List<String> dnsNames) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a credential needs at least one certificate");
        }
        this.chain = List.copyOf(chain);
        this.key = requireNonNull(key, "key");
        this.dnsNames = List.copyOf(dnsNames);
        try {
            MessageDigest leafDigest = MessageDigest.getInstance("SHA-256");
            this.fingerprint = HexFormat.of().formatHex(leafDigest.digest(this.chain.getFirst().getEncoded()));
            MessageDigest all = MessageDigest.getInstance("SHA-256");
            for (X509Certificate c : this.chain) {
                all.update(c.getEncoded());
            }
            byte[] encodedKey = key.getEncoded();
            if (encodedKey != null) {
                all.update(encodedKey);
            }
            this.identity = all.digest();
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
        this.hash = Arrays.hashCode(identity);
    }

    /** The leaf certificate first, then the intermediates in the order the Secret gave them. */
    public List<X509Certificate> chain() {
        return chain;
    }

    public X509Certificate leaf() {
        return chain.getFirst();
    }

    public PrivateKey key() {
        return key;
    }

    /** The DNS names the leaf is valid for: its subjectAltName DNS entries, else its subject CN. */
    public List<String> dnsNames() {
        return dnsNames;
    }

    public Instant notBefore() {
        return leaf().getNotBefore().toInstant();
    }

    public Instant notAfter() {
        return leaf().getNotAfter().toInstant();
    }

    /** The leaf's subject, for humans. */
    public String subject() {
        return leaf().getSubjectX500Principal().getName();
    }

    /** SHA-256 of the leaf certificate, in hex: the fingerprint {@code openssl x509 -fingerprint -sha256} shows. */
    public String fingerprint() {
        return fingerprint;
    }

    /**
     * Why the leaf cannot be served at {@code now} (not yet valid, or expired, with the dates), or null when it can.
     */
    public String validityProblem(Instant now) {
        if (now.isBefore(notBefore())) {
            return "the certificate is not valid before " + notBefore() + " (now " + now + ")";
        }
        if (now.isAfter(notAfter())) {
            return "the certificate expired on " + notAfter() + " (now " + now + ")";
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsCredential c && hash == c.hash && Arrays.equals(identity, c.identity);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "TlsCredential{" + subject() + ", names=" + dnsNames + ", notAfter=" + notAfter() + ", sha256="
                + fingerprint.substring(0, 16) + "...}";
    }
}
