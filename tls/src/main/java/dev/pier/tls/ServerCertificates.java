package dev.pier.tls;

import static java.util.Objects.requireNonNull;

import java.util.HashSet;
import java.util.Set;

/**
 * The certificates an HTTPS listener serves: one per server name ({@link SniTable}: exact names, then one-label
 * wildcards), and the one for handshakes no name fits when the configuration names one. Immutable.
 *
 * @param byName the certificate of each server name
 * @param fallback the certificate for handshakes no entry fits; null for the proxy's generated one
 */
public record ServerCertificates(SniTable<TlsCredential> byName, TlsCredential fallback) {
    /** No certificate: every handshake gets the generated default. */
    public static final ServerCertificates NONE = new ServerCertificates(SniTable.empty(), null);

    public ServerCertificates {
        requireNonNull(byName, "byName");
    }

    /** The certificate for a handshake's server name ({@code null}: none sent): its entry, else the fallback. */
    public TlsCredential lookup(String serverName) {
        TlsCredential c = byName.lookup(serverName);
        return c != null ? c : fallback;
    }

    /** Every distinct certificate, the fallback included. */
    public Set<TlsCredential> all() {
        Set<TlsCredential> all = new HashSet<>(byName.values());
        if (fallback != null) {
            all.add(fallback);
        }
        return all;
    }
}
