package dev.pier.testing;

import dev.pier.tls.SelfSigned;
import dev.pier.tls.SelfSigned.KeyType;
import dev.pier.tls.TlsCredential;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;

/** Certificates and PEM files for tests: a leaf for some names, its key in every PEM form a Secret may hold. */
public final class TestCerts {
    private TestCerts() {}

    /** A key pair, its self-signed certificate for {@code names} (the first is the CN), valid a day either side. */
    public static Issued issue(KeyType type, String... names) {
        return issue(type, Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)), names);
    }

    public static Issued issue(KeyType type, Instant notBefore, Instant notAfter, String... names) {
        KeyPair keys = SelfSigned.keyPair(type);
        X509Certificate cert = SelfSigned.certificate(keys, names[0], List.of(names), notBefore, notAfter, null,
                false);
        return new Issued(List.of(cert), keys.getPrivate());
    }

    /** A leaf for {@code names} issued by a new CA: the chain is leaf then CA. */
    public static Issued issueWithIntermediate(String... names) {
        Instant from = Instant.now().minus(Duration.ofDays(1));
        Instant to = Instant.now().plus(Duration.ofDays(1));
        KeyPair caKeys = SelfSigned.keyPair(KeyType.EC_P256);
        X509Certificate caCert = SelfSigned.certificate(caKeys, "Test CA", List.of(), from, to, null, true);
        TlsCredential ca = SelfSigned.of(List.of(caCert), caKeys.getPrivate());
        KeyPair keys = SelfSigned.keyPair(KeyType.EC_P256);
        X509Certificate leaf = SelfSigned.certificate(keys, names[0], List.of(names), from, to, ca, false);
        return new Issued(List.of(leaf, caCert), keys.getPrivate());
    }

    /** A new certificate authority, valid a day either side of now. */
    public static Authority authority(String name) {
        KeyPair keys = SelfSigned.keyPair(KeyType.EC_P256);
        X509Certificate cert = SelfSigned.certificate(keys, name, List.of(), Instant.now().minus(Duration.ofDays(1)),
                Instant.now().plus(Duration.ofDays(1)), null, true);
        return new Authority(cert, keys.getPrivate());
    }

    /** A CA: its certificate and key, to issue leaves and intermediate CAs. */
    public record Authority(X509Certificate certificate, PrivateKey key) {
        /** A leaf for {@code names} issued by this CA: the chain is the leaf alone, as a server sends it. */
        public Issued issue(String... names) {
            KeyPair keys = SelfSigned.keyPair(KeyType.EC_P256);
            return new Issued(List.of(SelfSigned.certificate(keys, names[0], List.of(names),
                    Instant.now().minus(Duration.ofDays(1)), Instant.now().plus(Duration.ofDays(1)),
                    SelfSigned.of(List.of(certificate), key), false)), keys.getPrivate());
        }

        /** An intermediate CA issued by this one. */
        public Authority intermediate(String name) {
            KeyPair keys = SelfSigned.keyPair(KeyType.EC_P256);
            return new Authority(SelfSigned.certificate(keys, name, List.of(), Instant.now().minus(Duration.ofDays(1)),
                    Instant.now().plus(Duration.ofDays(1)), SelfSigned.of(List.of(certificate), key), true),
                    keys.getPrivate());
        }

        /** A leaf issued by this (intermediate) CA, sent with it: the chain is leaf then this CA's certificate. */
        public Issued issueWithChain(String... names) {
            Issued leaf = issue(names);
            return new Issued(List.of(leaf.chain().getFirst(), certificate), leaf.key());
        }

        /** ca.crt: this CA's certificate as PEM. */
        public byte[] pem() {
            return TestCerts.pem(certificate);
        }
    }

    /** A certificate chain and its key, with their PEM forms. */
    public record Issued(List<X509Certificate> chain, PrivateKey key) {
        public TlsCredential credential() {
            return SelfSigned.of(chain, key);
        }

        /** tls.crt: the chain as PEM CERTIFICATE blocks. */
        public byte[] certPem() {
            return pem(chain.toArray());
        }

        /** tls.key as PKCS#8 ({@code PRIVATE KEY}). */
        public byte[] pkcs8Pem() {
            try {
                return pem(new JcaPKCS8Generator(key, null).generate());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** tls.key in OpenSSL's traditional form: PKCS#1 for RSA, SEC1 for EC (with its curve, as OpenSSL writes). */
        public byte[] traditionalPem() {
            if (!key.getAlgorithm().equals("EC")) {
                return pem(key);
            }
            try {
                PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                ECPrivateKey sec1 = new ECPrivateKey(256, inner.getKey(),
                        (ASN1Encodable) info.getPrivateKeyAlgorithm().getParameters());
                return pem(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Objects written as PEM, one block each. */
    public static byte[] pem(Object... objects) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                w.writeObject(o);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
