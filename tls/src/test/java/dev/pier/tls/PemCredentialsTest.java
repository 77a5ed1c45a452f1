package dev.pier.tls;

import static dev.pier.testing.TestCerts.concat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pier.testing.TestCerts;
import dev.pier.testing.TestCerts.Issued;
import dev.pier.tls.SelfSigned.KeyType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PemCredentialsTest {
    private static final byte[] EC_PARAMETERS = """
            -----BEGIN EC PARAMETERS-----
            BggqhkjOPQMBBw==
            -----END EC PARAMETERS-----
            """.getBytes(StandardCharsets.US_ASCII);

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void readsPkcs8KeysOfEveryType(KeyType type) throws Exception {
        Issued issued = TestCerts.issue(type, "app.example.com", "www.example.com");

        TlsCredential c = PemCredentials.parse(issued.certPem(), issued.pkcs8Pem());

        assertThat(c.leaf()).isEqualTo(issued.chain().getFirst());
        assertThat(c.key().getEncoded()).isEqualTo(issued.key().getEncoded());
        assertThat(c.dnsNames()).containsExactly("app.example.com", "www.example.com");
        assertThat(c.notAfter()).isEqualTo(issued.chain().getFirst().getNotAfter().toInstant());
    }

    @Test
    void readsPkcs1RsaKeys() throws Exception {
        Issued issued = TestCerts.issue(KeyType.RSA_2048, "rsa.example.com");
        assertThat(new String(issued.traditionalPem(), StandardCharsets.US_ASCII))
                .startsWith("-----BEGIN RSA PRIVATE KEY-----");

        TlsCredential c = PemCredentials.parse(issued.certPem(), issued.traditionalPem());

        assertThat(c.key().getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void readsSec1EcKeysAfterAnEcParametersBlock() throws Exception {
        Issued issued = TestCerts.issue(KeyType.EC_P256, "ec.example.com");
        byte[] key = concat(EC_PARAMETERS, issued.traditionalPem()); // what `openssl ecparam -genkey` writes
        assertThat(new String(key, StandardCharsets.US_ASCII)).contains("-----BEGIN EC PRIVATE KEY-----");

        TlsCredential c = PemCredentials.parse(issued.certPem(), key);

        assertThat(c.key().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void keepsTheChainInOrderLeafFirst() throws Exception {
        Issued issued = TestCerts.issueWithIntermediate("chain.example.com");

        TlsCredential c = PemCredentials.parse(issued.certPem(), issued.pkcs8Pem());

        assertThat(c.chain()).containsExactlyElementsOf(issued.chain());
        assertThat(c.dnsNames()).containsExactly("chain.example.com");
    }

    @Test
    void fallsBackToTheCommonNameWithoutSubjectAltNames() throws Exception {
        var keys = SelfSigned.keyPair(KeyType.EC_P256);
        var cert = SelfSigned.certificate(keys, "Legacy.Example.com", java.util.List.of(),
                Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), null, false);
        TlsCredential c = PemCredentials.parse(TestCerts.pem(cert), new TestCerts.Issued(java.util.List.of(cert), keys.getPrivate()).pkcs8Pem());

        assertThat(c.dnsNames()).containsExactly("legacy.example.com");
    }

    @Test
    void rejectsAKeyThatBelongsToAnotherCertificate() {
        Issued a = TestCerts.issue(KeyType.EC_P256, "a.example.com");
        Issued b = TestCerts.issue(KeyType.EC_P256, "b.example.com");

        assertThatThrownBy(() -> PemCredentials.parse(a.certPem(), b.pkcs8Pem()))
                .isInstanceOf(InvalidCredentialException.class)
                .hasMessageContaining("does not match the certificate");
    }

    @Test
    void rejectsAKeyOfAnotherAlgorithm() {
        Issued rsa = TestCerts.issue(KeyType.RSA_2048, "a.example.com");
        Issued ec = TestCerts.issue(KeyType.EC_P256, "a.example.com");

        assertThatThrownBy(() -> PemCredentials.parse(rsa.certPem(), ec.pkcs8Pem()))
                .isInstanceOf(InvalidCredentialException.class)
                .hasMessageContaining("EC key but the certificate's public key is RSA");
    }

    @Test
    void rejectsMissingAndEmptyParts() {
        Issued a = TestCerts.issue(KeyType.EC_P256, "a.example.com");

        assertThatThrownBy(() -> PemCredentials.parse(null, a.pkcs8Pem())).hasMessage("tls.crt is missing or empty");
        assertThatThrownBy(() -> PemCredentials.parse(a.certPem(), new byte[0]))
                .hasMessage("tls.key is missing or empty");
    }

    @Test
    void rejectsTextThatHoldsNoPem() {
        Issued a = TestCerts.issue(KeyType.EC_P256, "a.example.com");
        byte[] junk = "hello, not a certificate".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> PemCredentials.parse(junk, a.pkcs8Pem()))
                .hasMessage("tls.crt holds no PEM CERTIFICATE block");
        assertThatThrownBy(() -> PemCredentials.parse(a.certPem(), junk))
                .hasMessageStartingWith("tls.key holds no PEM private key");
        assertThatThrownBy(() -> PemCredentials.parse(a.pkcs8Pem(), a.pkcs8Pem())) // key pasted as tls.crt
                .hasMessage("tls.crt holds no PEM CERTIFICATE block");
    }

    @Test
    void rejectsCorruptBase64WithoutQuotingTheKey() {
        Issued a = TestCerts.issue(KeyType.EC_P256, "a.example.com");
        String key = new String(a.pkcs8Pem(), StandardCharsets.US_ASCII);
        String body = key.split("\n")[1];
        String corrupt = key.replace(body, body.substring(0, 20) + "!!!!" + body.substring(24));

        assertThatThrownBy(() -> PemCredentials.parse(a.certPem(), corrupt.getBytes(StandardCharsets.US_ASCII)))
                .isInstanceOf(InvalidCredentialException.class)
                .hasMessageStartingWith("tls.key is not a valid")
                .message().doesNotContain(body.substring(0, 20));
        String cert = new String(a.certPem(), StandardCharsets.US_ASCII);
        String truncated = cert.substring(0, cert.length() / 2) + "\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> PemCredentials.parse(truncated.getBytes(StandardCharsets.US_ASCII), a.pkcs8Pem()))
                .hasMessageStartingWith("tls.crt is not a valid PEM certificate chain");
    }

    @Test
    void rejectsEncryptedKeys() throws Exception {
        Issued a = TestCerts.issue(KeyType.EC_P256, "a.example.com");
        var encryptor = new org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder(
                org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC).setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                .setPassword("secret".toCharArray()).build();
        byte[] encrypted = TestCerts.pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(a.key(), encryptor)
                .generate());

        assertThatThrownBy(() -> PemCredentials.parse(a.certPem(), encrypted)).hasMessageContaining("encrypted");
    }

    @Test
    void reportsValidityWithTheDates() throws Exception {
        Instant now = Instant.now();
        Issued expired = TestCerts.issue(KeyType.EC_P256, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)),
                "old.example.com");
        Issued future = TestCerts.issue(KeyType.EC_P256, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                "new.example.com");
        TlsCredential e = PemCredentials.parse(expired.certPem(), expired.pkcs8Pem());
        TlsCredential f = PemCredentials.parse(future.certPem(), future.pkcs8Pem());

        assertThat(e.validityProblem(now)).startsWith("the certificate expired on " + e.notAfter());
        assertThat(f.validityProblem(now)).startsWith("the certificate is not valid before " + f.notBefore());
        assertThat(e.validityProblem(now.minus(Duration.ofDays(2)))).isNull();
    }

    @Test
    void equalContentGivesEqualCredentials() throws Exception {
        Issued a = TestCerts.issue(KeyType.EC_P256, "a.example.com");
        TlsCredential one = PemCredentials.parse(a.certPem(), a.pkcs8Pem());
        TlsCredential two = PemCredentials.parse(a.certPem(), a.pkcs8Pem()); // parsed again: a new object
        TlsCredential other = TestCerts.issue(KeyType.EC_P256, "a.example.com").credential();

        assertThat(one).isEqualTo(two).hasSameHashCodeAs(two).isNotEqualTo(other);
        assertThat(one.toString()).contains("a.example.com")
                .doesNotContain(Base64.getEncoder().encodeToString(a.key().getEncoded()).substring(0, 16));
    }
}
