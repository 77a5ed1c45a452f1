package dev.pier.testing;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * An upstream that speaks only TLS (the JDK's): it answers each request with its request line, the server name the
 * client sent and the subject of the client's certificate when it sent one, then closes. With a client CA it demands
 * a client certificate issued by it.
 */
public final class TlsUpstream implements AutoCloseable {
    private final SSLServerSocket server;
    private final Thread acceptor;

    /**
     * @param chain the server's certificate chain, leaf first, as it sends it
     * @param clientCa the CA client certificates must be issued by; null to ask for none
     */
    public TlsUpstream(List<X509Certificate> chain, PrivateKey key, X509Certificate clientCa) throws Exception {
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

    public int port() {
        return server.getLocalPort();
    }

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
                // a plain-text client, a failed handshake, or the server closing: next connection
            }
        }
    }

    private static Certificate[] clientCertificates(SSLSocket s) {
        try {
            return s.getSession().getPeerCertificates();
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        acceptor.join(5_000);
    }
}
