package dev.pier.proxy.http;

import static dev.pier.testing.Routes.backend;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.ProxyTestBase;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.proxy.route.UpstreamTls;
import dev.pier.testing.TestCerts;
import dev.pier.testing.TlsUpstream;
import dev.pier.tls.SelfSigned.KeyType;
import dev.pier.tls.TlsCredential;
import java.net.http.HttpResponse;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code backend-protocol: HTTPS}: Pier speaks TLS to an upstream that only speaks TLS (a JDK TLS server with a
 * certificate Pier does not verify, as ingress-nginx by default), with and without a server name; and with
 * {@code proxy-ssl-secret}: verified against a CA, within a depth, for a name, with a client certificate.
 */
class UpstreamTlsTest extends ProxyTestBase {
    private TlsUpstream upstream;

    @BeforeEach
    void startTlsUpstream() throws Exception {
        TlsCredential cred = TestCerts.issue(KeyType.EC_P256, "app.internal").credential();
        startTlsUpstream(cred.chain(), cred.key(), null);
    }

    /** (Re)starts the upstream; with {@code clientCa} it demands a client certificate issued by it. */
    private void startTlsUpstream(List<X509Certificate> chain, PrivateKey key, X509Certificate clientCa)
            throws Exception {
        if (upstream != null) {
            upstream.close();
        }
        upstream = new TlsUpstream(chain, key, clientCa);
    }

    @AfterEach
    void stopTlsUpstream() throws Exception {
        upstream.close();
    }

    private void serveOver(UpstreamTls tls) {
        serve(new Route("example.com", "/", PathType.PREFIX, backend("secure", upstream.port()),
                new Source("default", "app"), false, false,
                Policy.builder().upstreamTls(tls).build()));
    }

    @Test
    void httpsToTheUpstreamWithoutAServerNameByDefault() throws Exception {
        serveOver(UpstreamTls.NO_SNI);
        HttpResponse<String> r = get("example.com", "/orders?id=3");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET /orders?id=3 HTTP/1.1 sni=none");
    }

    @Test
    void theServerNameIsSentWhenAskedFor() throws Exception {
        serveOver(new UpstreamTls("app.internal"));
        assertThat(get("example.com", "/").body()).isEqualTo("GET / HTTP/1.1 sni=app.internal");
    }

    @Test
    void plainHttpToATlsOnlyUpstreamFails() throws Exception {
        serveOver(null);
        assertThat(get("example.com", "/").statusCode()).isEqualTo(502);
    }

    @Test
    void theUpstreamIsVerifiedAgainstTheCaForTheNameWithoutSendingIt() throws Exception {
        TestCerts.Authority ca = TestCerts.authority("Upstream CA");
        TestCerts.Issued leaf = ca.issue("app.internal");
        startTlsUpstream(leaf.chain(), leaf.key(), null);
        serveOver(new UpstreamTls(null, new UpstreamTls.Verification(List.of(ca.certificate()), "app.internal", 1),
                null));
        HttpResponse<String> r = get("example.com", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET / HTTP/1.1 sni=none");
    }

    @Test
    void anUpstreamFromAnotherCaOrForAnotherNameIsRefused() throws Exception {
        TestCerts.Authority ca = TestCerts.authority("Upstream CA");
        TestCerts.Issued leaf = ca.issue("app.internal");
        startTlsUpstream(leaf.chain(), leaf.key(), null);
        serveOver(new UpstreamTls(null, new UpstreamTls.Verification(
                List.of(TestCerts.authority("Other CA").certificate()), "app.internal", 1), null));
        assertThat(get("example.com", "/").statusCode()).isEqualTo(502);
        serveOver(new UpstreamTls(null, new UpstreamTls.Verification(List.of(ca.certificate()), "other.internal", 1),
                null));
        assertThat(get("example.com", "/").statusCode()).isEqualTo(502);
    }

    @Test
    void aSelfSignedUpstreamIsRefusedWhenVerifying() throws Exception {
        serveOver(new UpstreamTls(null, new UpstreamTls.Verification(
                List.of(TestCerts.authority("Upstream CA").certificate()), "app.internal", 1), null));
        assertThat(get("example.com", "/").statusCode()).isEqualTo(502);
    }

    @Test
    void theDepthCountsAsNginxCountsIt() throws Exception {
        TestCerts.Authority root = TestCerts.authority("Root CA");
        TestCerts.Issued leaf = root.intermediate("Intermediate CA").issueWithChain("app.internal");
        startTlsUpstream(leaf.chain(), leaf.key(), null);
        serveOver(new UpstreamTls("app.internal", new UpstreamTls.Verification(List.of(root.certificate()),
                "app.internal", 1), null));
        assertThat(get("example.com", "/").statusCode()).as("one intermediate, depth 1").isEqualTo(502);
        serveOver(new UpstreamTls("app.internal", new UpstreamTls.Verification(List.of(root.certificate()),
                "app.internal", 2), null));
        HttpResponse<String> r = get("example.com", "/");
        assertThat(r.statusCode()).as("one intermediate, depth 2").isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET / HTTP/1.1 sni=app.internal");
    }

    @Test
    void theClientCertificateIsPresentedToAnUpstreamThatDemandsOne() throws Exception {
        TestCerts.Authority clients = TestCerts.authority("Client CA");
        TestCerts.Issued pier = clients.issue("pier.ingress");
        TlsCredential server = TestCerts.issue(KeyType.EC_P256, "app.internal").credential();
        startTlsUpstream(server.chain(), server.key(), clients.certificate());
        serveOver(UpstreamTls.NO_SNI);
        assertThat(get("example.com", "/").statusCode()).as("no client certificate").isEqualTo(502);
        serveOver(new UpstreamTls(null, null, new UpstreamTls.ClientCertificate(pier.chain(), pier.key())));
        HttpResponse<String> r = get("example.com", "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("GET / HTTP/1.1 sni=none client=CN=pier.ingress");
    }
}
