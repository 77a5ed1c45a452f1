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
import dev.pier.tls.SelfSigned.KeyType;
import dev.pier.tls.TlsCredential;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.cert.Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code backend-protocol: HTTPS}: Pier speaks TLS to an upstream that only speaks TLS (a JDK TLS server with a
 * certificate Pier does not verify, as ingress-nginx by default), with and without a server name.
 */
class UpstreamTlsTest extends ProxyTestBase {
    private SSLServerSocket server;
    private Thread acceptor;

    @BeforeEach
    void startTlsUpstream() throws Exception {
        TlsCredential cred = TestCerts.issue(KeyType.EC_P256, "app.internal").credential();
        startTlsUpstream(cred.chain(), cred.key(), null);
    }

    /**
     * (Re)starts the upstream with a certificate chain and key; when {@code clientCa} is set, it demands a client
     * certificate issued by it.
     */
    private void startTlsUpstream(List<X509Certificate> chain, PrivateKey key, X509Certificate clientCa)
            throws Exception {
        if (server != null) {
            stopTlsUpstream();
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("app", key, new char[0], chain.toArray(new Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        TrustManagerFactory tmf = null;
        if (clientCa != null) {
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            trusted.setCertificateEntry("client-ca", clientCa);
            tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trusted);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        server.setNeedClientAuth(clientCa != null);
        acceptor = Thread.ofVirtual().start(this::serve);
    }

    /** Answers each request with its request line and the server name the client sent, then closes. */
    private void serve() {
        while (!server.isClosed()) {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(5_000);
                BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String requestLine = in.readLine();
                String line = requestLine;
                while (line != null && !line.isEmpty()) { // the rest of the head
                    line = in.readLine();
                }
                List<?> names = ((ExtendedSSLSession) s.getSession()).getRequestedServerNames();
                String sni = names.isEmpty() ? "none" : ((SNIHostName) names.get(0)).getAsciiName();
                Certificate[] client = clientCertificates(s);
                byte[] body = (requestLine + " sni=" + sni + (client == null ? ""
                        : " client=" + ((X509Certificate) client[0]).getSubjectX500Principal().getName()))
                        .getBytes(StandardCharsets.ISO_8859_1);
                OutputStream out = s.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body);
                out.flush();
            } catch (Exception e) {
                // a plain-text client, or the server closing: next connection
            }
        }
    }

    private static Certificate[] clientCertificates(SSLSocket s) {
        try {
            return s.getSession().getPeerCertificates();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @AfterEach
    void stopTlsUpstream() throws Exception {
        server.close();
        acceptor.join(5_000);
    }

    private void serveOver(UpstreamTls tls) {
        serve(new Route("example.com", "/", PathType.PREFIX, backend("secure", server.getLocalPort()),
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
