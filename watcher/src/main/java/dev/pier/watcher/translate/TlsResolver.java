package dev.pier.watcher.translate;

import dev.pier.proxy.route.UpstreamTls;
import dev.pier.tls.InvalidCredentialException;
import dev.pier.tls.PemCredentials;
import dev.pier.tls.SniTable;
import dev.pier.tls.TlsCredential;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The TLS half of a translation: which hosts have a TLS section (for redirects), and which certificate each TLS host
 * is served with.
 *
 * <p>Rules, after ingress-nginx and the Ingress spec: a {@code spec.tls[]} entry names hosts (exact or one-label
 * wildcard; none means the Ingress's own rule hosts) and a Secret <em>in the Ingress's namespace</em>. The Secret must
 * be a valid {@code kubernetes.io/tls} Secret whose key matches its certificate and whose certificate is valid now;
 * otherwise the hosts are served with the default certificate and the Ingress gets a {@code SecretInvalid} problem.
 * When two Ingresses give one host different certificates, the older keeps it. A host only ever gets a certificate
 * that a {@code spec.tls} entry listing that host (or its wildcard) referenced.
 */
final class TlsResolver {
    static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

    private final Map<String, Secret> secrets = new HashMap<>();
    private final CredentialCache cache;
    private final Instant now;
    private final Set<String> tlsHosts = new HashSet<>();
    private boolean wildcardTlsHosts;
    private final SniTable.Builder<TlsCredential> certificates = SniTable.builder();
    private final Map<String, String> certificateOwners = new HashMap<>(); // host -> "Secret ns/name of Ingress ns/n"
    private final Set<String> referencedSecrets = new HashSet<>();
    private Instant nextValidityChange;
    private final Map<ObjectRef, TlsCredential> parsedSecrets = new HashMap<>();

    TlsResolver(ClusterState state, CredentialCache cache, Instant now) {
        for (Secret s : state.secrets()) {
            secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
        }
        this.cache = cache;
        this.now = now;
    }

    /** Takes the TLS sections of one Ingress; call for Ingresses oldest first. */
    void add(Ingress ingress, ObjectRef ref, List<Problem> problems) {
        List<IngressTLS> sections = ingress.getSpec().getTls();
        for (int i = 0; sections != null && i < sections.size(); i++) {
            IngressTLS tls = sections.get(i);
            String field = "spec.tls[" + i + "]";
            List<String> hosts = hosts(tls, ingress, ref, field, problems);
            tlsHosts.addAll(hosts);
            for (String host : hosts) {
                wildcardTlsHosts |= host.startsWith("*.");
            }
            String secretName = tls.getSecretName();
            if (secretName == null || secretName.isEmpty() || hosts.isEmpty()) {
                continue; // a TLS section without a Secret: redirects, and the default certificate
            }
            TlsCredential credential = credential(ref.namespace(), secretName, ref, field + ".secretName", problems);
            if (credential == null) {
                continue;
            }
            String owner = "Secret " + ref.namespace() + "/" + secretName + " of Ingress " + ref.namespace() + "/"
                    + ref.name();
            for (String host : hosts) {
                TlsCredential existing = certificates.putIfAbsent(host, credential);
                if (existing == null) {
                    certificateOwners.put(host, owner);
                    if (!covers(credential, host)) {
                        problems.add(new Problem(ref, field + ".hosts", Reason.CertificateMismatch, "the certificate"
                                + " of Secret " + secretName + " is for " + credential.dnsNames() + ", not " + host
                                + "; it is served, and clients that check names will reject it"));
                    }
                } else if (!existing.equals(credential)) {
                    problems.add(new Problem(ref, field, Reason.TLSConflict, "host " + host + " is already served"
                            + " with the certificate of " + certificateOwners.get(host)
                            + ", which is older; this Ingress's certificate is not used for it"));
                }
            }
        }
    }

    /**
     * {@code proxy-ssl-secret} read: what verifies the upstream and what Pier presents to it, or why the Ingress's
     * routes are refused (503).
     */
    record UpstreamMaterial(UpstreamTls.Verification verification, UpstreamTls.ClientCertificate client,
                            String refusal) {}

    /**
     * Reads the Secret of {@code proxy-ssl-secret}, of any type, as ingress-nginx does: {@code ca.crt} (the CA
     * certificates that verify the upstream, needed with {@code proxy-ssl-verify: "on"}) and {@code tls.crt} with
     * {@code tls.key} (Pier's client certificate), at least one of the two. Anything missing or broken is a
     * {@code SecretInvalid} problem and a refusal: the routes fail closed.
     */
    UpstreamMaterial upstream(Annotations.ProxySsl spec, ObjectRef owner, List<Problem> problems) {
        String what = "Secret " + owner.namespace() + "/" + spec.secret();
        referencedSecrets.add(owner.namespace() + "/" + spec.secret());
        Secret secret = secrets.get(owner.namespace() + "/" + spec.secret());
        String error = null;
        List<X509Certificate> cas = null;
        UpstreamTls.ClientCertificate client = null;
        if (secret == null) {
            error = what + " not found";
        } else {
            String[] ca = raw(secret, "ca.crt");
            String[] crt = raw(secret, "tls.crt");
            String[] key = raw(secret, "tls.key");
            if (ca != null) {
                byte[] pem = CredentialCache.decode(ca[0], ca[1] != null);
                try {
                    cas = pem == null ? null : PemCredentials.parseCertificates(pem, "ca.crt");
                    error = pem == null ? what + ": ca.crt is not valid base64" : null;
                } catch (InvalidCredentialException e) {
                    error = what + ": " + e.getMessage();
                }
            }
            if (error == null && (crt != null || key != null)) {
                CredentialCache.Parsed parsed = crt == null ? new CredentialCache.Parsed(null, "tls.key without tls.crt")
                        : key == null ? new CredentialCache.Parsed(null, "tls.crt without tls.key")
                        : cache.parse(crt[0], crt[1] != null, key[0], key[1] != null);
                if (parsed.credential() == null) {
                    error = what + ": " + parsed.error();
                } else {
                    client = new UpstreamTls.ClientCertificate(parsed.credential().chain(), parsed.credential().key());
                }
            }
            if (error == null && spec.verify() && cas == null) {
                error = what + " has no ca.crt to verify the upstream with (proxy-ssl-verify is on)";
            } else if (error == null && cas == null && client == null) {
                error = what + " holds neither ca.crt nor tls.crt and tls.key";
            }
        }
        if (error != null) {
            String refusal = "proxy-ssl-secret: " + error;
            problems.add(new Problem(owner, spec.field(), Reason.SecretInvalid, error
                    + "; every route of this Ingress answers 503 rather than reach the upstream otherwise than asked"));
            return new UpstreamMaterial(null, null, refusal);
        }
        return new UpstreamMaterial(spec.verify() ? new UpstreamTls.Verification(cas, spec.name(), spec.depth())
                : null, client, null);
    }

    /** The credential of {@code --default-ssl-certificate}, or null (with a problem) when it cannot be served. */
    TlsCredential defaultCertificate(ObjectRef secret, List<Problem> problems) {
        return credential(secret.namespace(), secret.name(), secret, "--default-ssl-certificate", problems);
    }

    /** True when a route of {@code host} has a TLS section: by its exact name, or the wildcard that covers it. */
    boolean hasTls(String host) {
        if (host.isEmpty()) {
            return false;
        }
        if (tlsHosts.contains(host)) {
            return true;
        }
        if (!wildcardTlsHosts) {
            return false; // the common case, decided without building the wildcard's name
        }
        int dot = host.indexOf('.');
        return dot > 0 && !host.startsWith("*.") && tlsHosts.contains("*" + host.substring(dot));
    }

    /** Ends the TLS pass: the certificates by server name. Call after the last {@link #add}. */
    SniTable<TlsCredential> finish() {
        built = certificates.build();
        return built;
    }

    /** True when requests for {@code host} are served with a certificate of their own; after {@link #finish}. */
    boolean hasCertificate(String host) {
        if (host.isEmpty()) {
            return false;
        }
        return host.startsWith("*.") ? built.get(host) != null : built.lookup(host) != null;
    }

    private SniTable<TlsCredential> built;

    /**
     * The next moment a certificate the configuration names becomes valid or expires, or null: the translation must
     * run again then, since its result depends on the time.
     */
    Instant nextValidityChange() {
        return nextValidityChange;
    }

    private void noteValidity(TlsCredential credential) {
        Instant change = now.isBefore(credential.notBefore()) ? credential.notBefore()
                : now.isAfter(credential.notAfter()) ? null : credential.notAfter().plusSeconds(1);
        if (change != null && (nextValidityChange == null || change.isBefore(nextValidityChange))) {
            nextValidityChange = change;
        }
    }

    /** The certificate of every referenced Secret that parsed, valid or not (for expiry metrics). */
    Map<ObjectRef, TlsCredential> parsedSecrets() {
        return parsedSecrets;
    }

    /** Every TLS Secret the configuration names, found or not, as {@code namespace/name}. */
    Set<String> referencedSecrets() {
        return referencedSecrets;
    }

    private List<String> hosts(IngressTLS tls, Ingress ingress, ObjectRef ref, String field, List<Problem> problems) {
        List<String> hosts = new ArrayList<>();
        if (tls.getHosts() == null || tls.getHosts().isEmpty()) {
            for (IngressRule rule : ingress.getSpec().getRules() == null ? List.<IngressRule>of()
                    : ingress.getSpec().getRules()) {
                if (rule.getHost() != null && !rule.getHost().isEmpty()
                        && Hosts.isValid(rule.getHost().toLowerCase(Locale.ROOT))) {
                    hosts.add(rule.getHost().toLowerCase(Locale.ROOT));
                }
            }
            return hosts;
        }
        for (int h = 0; h < tls.getHosts().size(); h++) {
            String host = tls.getHosts().get(h) == null ? "" : tls.getHosts().get(h).toLowerCase(Locale.ROOT);
            if (!Hosts.isValid(host)) {
                problems.add(new Problem(ref, field + ".hosts[" + h + "]", Reason.InvalidHost, "'"
                        + tls.getHosts().get(h) + "' is not a DNS name or a one-label wildcard; it is skipped"));
                continue;
            }
            hosts.add(host);
        }
        return hosts;
    }

    private TlsCredential credential(String namespace, String name, ObjectRef owner, String field,
                                     List<Problem> problems) {
        String what = "Secret " + namespace + "/" + name;
        if (name.contains("/")) {
            problems.add(new Problem(owner, field, Reason.SecretInvalid, "'" + name + "' names another namespace;"
                    + " an Ingress may only use Secrets of its own namespace, so its hosts get the default"
                    + " certificate"));
            return null;
        }
        referencedSecrets.add(namespace + "/" + name);
        Secret secret = secrets.get(namespace + "/" + name);
        String error;
        TlsCredential credential = null;
        if (secret == null) {
            error = what + " not found";
        } else if (!TLS_SECRET_TYPE.equals(secret.getType())) {
            error = what + " has type " + secret.getType() + ", not " + TLS_SECRET_TYPE;
        } else {
            CredentialCache.Parsed parsed = parse(secret);
            credential = parsed.credential();
            if (credential != null) {
                noteValidity(credential);
                parsedSecrets.put(new ObjectRef("Secret", namespace, name), credential);
            }
            error = parsed.error() != null ? what + ": " + parsed.error()
                    : credential.validityProblem(now) != null ? what + ": " + credential.validityProblem(now) : null;
        }
        if (error != null) {
            problems.add(new Problem(owner, field, Reason.SecretInvalid, error
                    + "; its hosts are served with the default certificate"));
            return null;
        }
        return credential;
    }

    private CredentialCache.Parsed parse(Secret secret) {
        String[] crt = raw(secret, "tls.crt");
        String[] key = raw(secret, "tls.key");
        if (crt == null) {
            return new CredentialCache.Parsed(null, "tls.crt is missing");
        }
        if (key == null) {
            return new CredentialCache.Parsed(null, "tls.key is missing");
        }
        return cache.parse(crt[0], crt[1] != null, key[0], key[1] != null);
    }

    /**
     * An entry as stored: {@code {text, "base64"}} from {@code data}, {@code {text, null}} from {@code stringData}
     * (manifest files may use it), or null when absent.
     */
    private static String[] raw(Secret secret, String entry) {
        Map<String, String> data = secret.getData();
        if (data != null && data.get(entry) != null) {
            return new String[] {data.get(entry), "base64"};
        }
        Map<String, String> stringData = secret.getStringData();
        return stringData == null || stringData.get(entry) == null ? null
                : new String[] {stringData.get(entry), null};
    }

    private static boolean covers(TlsCredential credential, String host) {
        for (String name : credential.dnsNames()) {
            if (name.equals(host)) {
                return true;
            }
            if (name.startsWith("*.") && !host.startsWith("*.")) {
                int dot = host.indexOf('.');
                if (dot > 0 && host.substring(dot).equals(name.substring(1))) {
                    return true;
                }
            }
        }
        return false;
    }
}
