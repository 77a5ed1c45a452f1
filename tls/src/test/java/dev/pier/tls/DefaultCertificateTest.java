package dev.pier.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class DefaultCertificateTest {
    @Test
    void isASelfSignedEcCertificateValidForAYear() throws Exception {
        TlsCredential c = DefaultCertificate.generate();

        assertThat(c.subject()).isEqualTo("CN=" + DefaultCertificate.COMMON_NAME);
        assertThat(c.leaf().getIssuerX500Principal()).isEqualTo(c.leaf().getSubjectX500Principal());
        c.leaf().verify(c.leaf().getPublicKey()); // self-signed: throws if not
        assertThat(c.key().getAlgorithm()).isEqualTo("EC");
        assertThat(c.validityProblem(Instant.now())).isNull();
        assertThat(c.notAfter()).isAfter(Instant.now().plus(Duration.ofDays(364)));
        assertThat(DefaultCertificate.generate()).isNotEqualTo(c);
    }
}
