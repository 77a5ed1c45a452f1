package dev.pier.proxy.http;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code proxy-ssl-verify: "on"}: the upstream's certificate must chain to one of the Secret's {@code ca.crt}
 * certificates (the JDK's PKIX validation, with the host name checked against the engine's peer host), within
 * {@code proxy-ssl-verify-depth} as nginx counts it: the trusted certificate is at depth 1 when it issued the
 * upstream's certificate itself, 2 with one intermediate between them. For upstream connections only: Pier never
 * asks clients for certificates with it.
 */
final class UpstreamTrustManager extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager pkix;
    private final List<X509Certificate> trusted;
    private final int depth;

    private UpstreamTrustManager(X509ExtendedTrustManager pkix, List<X509Certificate> trusted, int depth) {
        this.pkix = pkix;
        this.trusted = trusted;
        this.depth = depth;
    }

    static UpstreamTrustManager of(List<X509Certificate> trusted, int depth) throws GeneralSecurityException {
        KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
        try {
            anchors.load(null, null);
        } catch (java.io.IOException e) {
            throw new GeneralSecurityException(e);
        }
        for (int i = 0; i < trusted.size(); i++) {
            anchors.setCertificateEntry("ca-" + i, trusted.get(i));
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
        factory.init(anchors);
        for (TrustManager tm : factory.getTrustManagers()) {
            if (tm instanceof X509ExtendedTrustManager x) {
                return new UpstreamTrustManager(x, List.copyOf(trusted), depth);
            }
        }
        throw new GeneralSecurityException("the JDK's PKIX trust manager is not an X509ExtendedTrustManager");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, engine);
        checkDepth(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        pkix.checkServerTrusted(chain, authType, socket);
        checkDepth(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        pkix.checkServerTrusted(chain, authType);
        checkDepth(chain);
    }

    /** The depth of the trusted certificate the chain reaches (validated already) must not exceed the limit. */
    private void checkDepth(X509Certificate[] chain) throws CertificateException {
        for (int i = 0; i < chain.length && i <= depth; i++) {
            if (trusted.contains(chain[i])) {
                return; // the upstream sent the trusted certificate itself, at depth i
            }
            if (issuedByTrusted(chain[i])) {
                if (i + 1 <= depth) {
                    return;
                }
                break;
            }
        }
        throw new CertificateException("the upstream's certificate is more than " + depth
                + " certificate(s) away from a trusted one (proxy-ssl-verify-depth)");
    }

    private boolean issuedByTrusted(X509Certificate c) {
        for (X509Certificate t : trusted) {
            if (t.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                try {
                    c.verify(t.getPublicKey());
                    return true;
                } catch (GeneralSecurityException e) {
                    // same name, other key: not this one
                }
            }
        }
        return false;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("upstream connections only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("upstream connections only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("upstream connections only");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return pkix.getAcceptedIssuers();
    }
}
