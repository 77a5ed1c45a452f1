package dev.pier.proxy.tls;

import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.tls.ServerCertificates;
import dev.pier.tls.TlsCredential;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.Mapping;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-side SSL contexts, one per certificate, and the SNI mapping that picks one per handshake from the routes
 * in force: the exact name, else its one-label wildcard, else the default certificate.
 *
 * <p>Contexts are cached by certificate content and built on the publishing thread before a table goes live (see
 * {@link #prepare}), so a handshake never builds one on an event loop and an unrelated change rebuilds none. A rotated
 * Secret is a new credential: the next handshake for its hosts uses the new context, while connections already open
 * keep the engine they were made with.
 *
 * <p>Thread-safe.
 */
public final class SslContexts implements Mapping<String, SslContext> {
    private static final Logger log = LoggerFactory.getLogger(SslContexts.class);

    /**
     * TLS 1.2 suites with forward secrecy and AEAD only (ECDHE with AES-GCM or ChaCha20-Poly1305), strongest first;
     * TLS 1.3's suites are all AEAD. RFC 9113 (HTTP/2) allows exactly these.
     */
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private final ActiveRoutes routes;
    private final SslProvider provider;
    private final boolean http2;
    private final SslContext generatedDefault;
    private final ConcurrentHashMap<TlsCredential, SslContext> cache = new ConcurrentHashMap<>();

    /**
     * @param generatedDefault the certificate for handshakes nothing else fits, unless the table names one
     */
    public SslContexts(ActiveRoutes routes, ProxyConfig.Tls config, TlsCredential generatedDefault) {
        this.routes = routes;
        this.provider = provider(config.engine());
        this.http2 = config.http2();
        try {
            this.generatedDefault = build(generatedDefault);
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the default certificate's SSL context", e);
        }
        prepare(routes.certificates());
        routes.beforePublish(next -> prepare(next.certificates()));
    }

    /** The engine a setting resolves to on this machine. */
    public static SslProvider provider(ProxyConfig.TlsEngine engine) {
        return switch (engine) {
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!OpenSsl.isAvailable()) {
                    throw new IllegalStateException("--tls-engine openssl: netty-tcnative does not load here: "
                            + OpenSsl.unavailabilityCause());
                }
                yield SslProvider.OPENSSL;
            }
            case AUTO -> OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        };
    }

    /** The engine in use. */
    public SslProvider provider() {
        return provider;
    }

    /** The SNI mapping: the context for a server name (null when the client sent none). Never null. */
    @Override
    public SslContext map(String serverName) {
        TlsCredential credential = routes.certificates().lookup(serverName);
        if (credential == null) {
            return generatedDefault;
        }
        SslContext context = cache.get(credential);
        return context != null ? context : generatedDefault; // only a credential whose context failed to build
    }

    /**
     * Builds the contexts {@code certificates} need that are not cached yet, and drops those neither they nor the
     * live ones need. Runs on the publishing thread, before they go live.
     */
    void prepare(ServerCertificates certificates) {
        Set<TlsCredential> needed = certificates.all();
        for (TlsCredential c : needed) {
            cache.computeIfAbsent(c, credential -> {
                try {
                    return build(credential);
                } catch (SSLException | RuntimeException e) {
                    log.warn("cannot build an SSL context for {}; its hosts get the default certificate: {}",
                            credential, e.toString());
                    return null;
                }
            });
        }
        needed.addAll(routes.certificates().all()); // those still live until the swap keep their contexts
        cache.keySet().retainAll(needed);
    }

    /** The number of cached contexts (tests). */
    int cached() {
        return cache.size();
    }

    private SslContext build(TlsCredential credential) throws SSLException {
        SslContextBuilder b = SslContextBuilder
                .forServer(credential.key(), credential.chain().toArray(X509Certificate[]::new))
                .sslProvider(provider)
                .protocols(PROTOCOLS)
                .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE);
        List<String> alpn = http2 ? List.of(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1)
                : List.of(ApplicationProtocolNames.HTTP_1_1);
        b.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        return b.build();
    }
}
