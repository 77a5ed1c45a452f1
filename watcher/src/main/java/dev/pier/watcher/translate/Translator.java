package dev.pier.watcher.translate;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.http.PathNormalizer;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The pure translation from Kubernetes objects to a routing table: objects in, table and problems out, no I/O. Equal
 * inputs give equal tables.
 *
 * <p>Ingresses are taken oldest first ({@code creationTimestamp}, then namespace/name): when two claim the same host
 * and path, or both set {@code spec.defaultBackend}, the older keeps it and the newer gets a problem. Paths of
 * different Ingresses for one host merge. A broken rule never removes other rules, and a rule whose Service cannot be
 * resolved stays in the table and answers 503 rather than falling through to a shorter path.
 */
public final class Translator {
    private static final Pattern HOST = Pattern.compile(
            "(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern IPV4ISH = Pattern.compile("[0-9.]+");
    private static final Comparator<Ingress> OLDEST_FIRST = Comparator
            .comparing((Ingress i) -> nullToEmpty(i.getMetadata().getCreationTimestamp()))
            .thenComparing(i -> nullToEmpty(i.getMetadata().getNamespace()))
            .thenComparing(i -> i.getMetadata().getName());

    private Translator() {}

    /** Translates with a fresh credential cache, judging certificate validity now. */
    public static Translation translate(ClusterState state, TranslatorConfig config) {
        return translate(state, config, new CredentialCache(), Instant.now());
    }

    /**
     * @param cache parsed Secrets from earlier translations (a memo: the result does not depend on it)
     * @param now the time certificates must be valid at
     */
    public static Translation translate(ClusterState state, TranslatorConfig config, CredentialCache cache,
                                        Instant now) {
        requireNonNull(state, "state");
        requireNonNull(config, "config");
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        BackendResolver resolver = new BackendResolver(state);
        List<Problem> problems = new ArrayList<>();
        List<ObjectRef> served = new ArrayList<>();
        RouteTable.Builder table = RouteTable.builder();
        Route defaultRoute = null;

        List<Ingress> ingresses = new ArrayList<>();
        for (Ingress i : state.ingresses()) {
            if (classes.accepts(i)) {
                ingresses.add(i);
            }
        }
        ingresses.sort(OLDEST_FIRST);

        TlsResolver tls = new TlsResolver(state, cache, now);
        for (Ingress ingress : ingresses) {
            if (ingress.getSpec() != null) {
                tls.add(ingress, ObjectRef.of(ingress), problems);
            }
        }
        table.certificates(tls.finish());
        if (config.defaultSslCertificate() != null) {
            table.defaultCertificate(tls.defaultCertificate(config.defaultSslCertificate(), problems));
        }

        for (Ingress ingress : ingresses) {
            ObjectRef ref = ObjectRef.of(ingress);
            served.add(ref);
            if (ingress.getSpec() == null) {
                continue;
            }
            Source source = new Source(ref.namespace(), ref.name());
            Redirects redirects = Redirects.of(ingress, ref, problems);
            IngressBackend def = ingress.getSpec().getDefaultBackend();
            if (def != null) {
                Backend backend = backend(def, ref, "spec.defaultBackend", resolver, problems);
                if (backend != null) {
                    if (defaultRoute == null) {
                        defaultRoute = Route.defaultBackend(backend, source);
                    } else {
                        problems.add(new Problem(ref, "spec.defaultBackend", Reason.DefaultBackendConflict,
                                "ignored: Ingress " + defaultRoute.source() + " is older and its defaultBackend"
                                        + " serves unmatched requests"));
                    }
                }
            }
            List<IngressRule> rules = ingress.getSpec().getRules();
            for (int r = 0; rules != null && r < rules.size(); r++) {
                addRule(rules.get(r), "spec.rules[" + r + "]", ref, source, resolver, tls, redirects, table, problems);
            }
        }

        if (defaultRoute == null && config.defaultBackendService() != null) {
            ObjectRef svc = config.defaultBackendService();
            Backend backend = resolver.resolve(svc.namespace(), svc.name(), null, svc, "--default-backend-service",
                    problems);
            defaultRoute = Route.defaultBackend(backend, null);
        }
        if (defaultRoute != null) {
            table.defaultRoute(defaultRoute);
        }
        cache.endOfTranslation();
        return new Translation(table.build(), problems, served, resolver.lookedUp(), tls.referencedSecrets(),
                tls.nextValidityChange(), tls.parsedSecrets());
    }

    /** True for a DNS name or a one-label wildcard, in lower case, that is not an IP address. */
    static boolean isValidHost(String host) {
        return !host.isEmpty() && host.length() <= 253 && HOST.matcher(host).matches()
                && !IPV4ISH.matcher(host).matches();
    }

    private static void addRule(IngressRule rule, String field, ObjectRef ref, Source source,
                                BackendResolver resolver, TlsResolver tls, Redirects redirects,
                                RouteTable.Builder table, List<Problem> problems) {
        String host = rule.getHost() == null ? "" : rule.getHost().toLowerCase(Locale.ROOT);
        if (!host.isEmpty() && !isValidHost(host)) {
            problems.add(new Problem(ref, field + ".host", Reason.InvalidHost, "'" + rule.getHost()
                    + "' is not a DNS name or a one-label wildcard (*.example.com); the rule is skipped"));
            return;
        }
        if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
            return;
        }
        boolean sslRedirect = redirects.force() || (redirects.ifTls() && tls.hasTls(host));
        boolean hsts = tls.hasCertificate(host);
        List<HTTPIngressPath> paths = rule.getHttp().getPaths();
        for (int p = 0; p < paths.size(); p++) {
            HTTPIngressPath path = paths.get(p);
            String pathField = field + ".http.paths[" + p + "]";
            PathType type = PathType.fromKubernetesName(path.getPathType());
            if (type == null) {
                problems.add(new Problem(ref, pathField + ".pathType", Reason.InvalidPath, "pathType '"
                        + path.getPathType() + "' must be Exact, Prefix or ImplementationSpecific; the path is skipped"));
                continue;
            }
            String value = path.getPath();
            if ((value == null || value.isEmpty()) && type == PathType.IMPLEMENTATION_SPECIFIC) {
                value = "/";
            }
            String invalid = invalidPath(value);
            if (invalid != null) {
                problems.add(new Problem(ref, pathField + ".path", Reason.InvalidPath, invalid
                        + "; the path is skipped"));
                continue;
            }
            Backend backend = backend(path.getBackend(), ref, pathField + ".backend", resolver, problems);
            if (backend == null) {
                continue;
            }
            Route existing = table.add(new Route(host, value, type, backend, source, sslRedirect, hsts));
            if (existing != null) {
                problems.add(new Problem(ref, pathField, Reason.PathConflict, "host '" + (host.isEmpty() ? "*" : host)
                        + "' path " + value + " (" + type.kubernetesName() + ") is already served by "
                        + (existing.source().equals(source) ? "an earlier path of this Ingress"
                                : "Ingress " + existing.source() + ", which is older")
                        + "; this path is ignored"));
            }
        }
    }

    /** A backend for the reference, or null (with a problem) when the reference itself is malformed. */
    private static Backend backend(IngressBackend b, ObjectRef ref, String field, BackendResolver resolver,
                                   List<Problem> problems) {
        if (b == null || (b.getService() == null) == (b.getResource() == null)) {
            problems.add(new Problem(ref, field, Reason.InvalidBackend,
                    "a backend needs exactly one of service or resource; the path is skipped"));
            return null;
        }
        if (b.getResource() != null) {
            String msg = "resource backends (" + b.getResource().getKind() + " " + b.getResource().getName()
                    + ") are not supported";
            problems.add(new Problem(ref, field + ".resource", Reason.UnsupportedBackend, msg
                    + "; the route answers 503"));
            return new Backend(ref.namespace(), b.getResource().getName(), "-", List.of(), msg);
        }
        var svc = b.getService();
        if (svc.getName() == null || svc.getName().isEmpty() || svc.getPort() == null
                || (svc.getPort().getNumber() == null
                        && (svc.getPort().getName() == null || svc.getPort().getName().isEmpty()))) {
            problems.add(new Problem(ref, field + ".service", Reason.InvalidBackend,
                    "a service backend needs a name and a port number or name; the path is skipped"));
            return null;
        }
        // Same namespace as the Ingress, always: v1 has no cross-namespace Service references.
        return resolver.resolve(ref.namespace(), svc.getName(), svc.getPort(), ref, field + ".service", problems);
    }

    /** Why a path cannot be served, or null when it can. */
    private static String invalidPath(String path) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return "path '" + path + "' must start with /";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '?' || c == '#') {
                return "path '" + path + "' contains a character a request path cannot (space, control, ? or #)";
            }
        }
        String normal = PathNormalizer.normalize(path);
        if (!path.equals(normal)) {
            return "path '" + path + "' is not in normal form: requests are normalized before matching, so it could"
                    + " never match" + (normal == null ? "" : "; write '" + normal + "'");
        }
        return null;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
