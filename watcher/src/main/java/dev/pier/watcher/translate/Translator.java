package dev.pier.watcher.translate;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The pure translation from Kubernetes objects to a routing table: objects in, table and problems out, no I/O. Equal
 * inputs give equal tables.
 *
 * <p>Ingresses are taken oldest first ({@code creationTimestamp}, then namespace/name): when two claim the same host
 * and path, or both set {@code spec.defaultBackend}, the older keeps it and the newer gets a problem. Paths of
 * different Ingresses for one host merge. A broken rule never removes other rules, and a rule whose Service cannot be
 * resolved stays in the table and answers 503 rather than falling through to a shorter path.
 *
 * <p>With a {@link TranslationCache} kept from one translation to the next, only what changed is compiled and
 * resolved again; the result is the same as without.
 */
public final class Translator {
    private Translator() {}

    /** Translates with a fresh cache, judging certificate validity now. */
    public static Translation translate(ClusterState state, TranslatorConfig config) {
        return translate(state, config, new TranslationCache(), Instant.now());
    }

    /**
     * @param cache what earlier translations compiled and resolved (a memo: the result does not depend on it)
     * @param now the time certificates must be valid at
     */
    public static Translation translate(ClusterState state, TranslatorConfig config, TranslationCache cache,
                                        Instant now) {
        requireNonNull(state, "state");
        requireNonNull(config, "config");
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        List<Problem> problems = new ArrayList<>();
        RouteTable.Builder table = RouteTable.builder(cache.table);
        Route defaultRoute = null;

        List<Ingress> accepted = new ArrayList<>(state.ingresses().size());
        for (Ingress i : state.ingresses()) {
            if (classes.accepts(i)) {
                accepted.add(i);
            }
        }
        Map<Ingress, CompiledIngress> compiled = new IdentityHashMap<>(accepted.size() * 2);
        List<CompiledIngress> ingresses = cache.taken(accepted, compiled);
        // The Services referenced depend on the Ingresses alone (and the configuration): when neither changed, the
        // last set stands and need not be collected again.
        boolean sameReferences = !cache.ingressesChanged && config.equals(cache.config) && cache.referenced != null;
        BackendResolver resolver = new BackendResolver(state.services(), !sameReferences);

        TlsResolver tls = new TlsResolver(state, cache.credentials, now);
        for (CompiledIngress c : ingresses) {
            if (c.hasSpec) {
                tls.add(c.ingress, c.ref, problems);
            }
        }
        table.certificates(tls.finish());
        if (config.defaultSslCertificate() != null) {
            table.defaultCertificate(tls.defaultCertificate(config.defaultSslCertificate(), problems));
        }

        List<ObjectRef> served = new ArrayList<>(ingresses.size());
        for (CompiledIngress c : ingresses) {
            served.add(c.ref);
            for (CompiledIngress.Step step : c.steps) {
                switch (step) {
                    case CompiledIngress.Fixed f -> problems.add(f.problem());
                    case CompiledIngress.DefaultBackend d -> {
                        Backend backend;
                        if (d.target instanceof CompiledIngress.ServiceRef s) {
                            d.resolution = resolver.resolve(s, d.resolution);
                            d.resolution.report(c.ref, "spec.defaultBackend.service", problems);
                            backend = d.resolution.backend();
                        } else {
                            backend = ((CompiledIngress.FixedBackend) d.target).backend();
                        }
                        if (defaultRoute == null) {
                            defaultRoute = Route.defaultBackend(backend, c.source);
                        } else {
                            problems.add(new Problem(c.ref, "spec.defaultBackend", Reason.DefaultBackendConflict,
                                    "ignored: Ingress " + defaultRoute.source() + " is older and its defaultBackend"
                                            + " serves unmatched requests"));
                        }
                    }
                    case CompiledIngress.PathRule p -> addPath(p, c, resolver, tls, table, problems);
                }
            }
        }

        if (defaultRoute == null && config.defaultBackendService() != null) {
            ObjectRef svc = config.defaultBackendService();
            cache.defaultService = resolver.resolve(CompiledIngress.ServiceRef.of(svc.namespace(), svc.name(), null,
                    null), cache.defaultService);
            cache.defaultService.report(svc, "--default-backend-service", problems);
            defaultRoute = Route.defaultBackend(cache.defaultService.backend(), null);
        }
        if (defaultRoute != null) {
            table.defaultRoute(defaultRoute);
        }
        RouteTable built = table.build();
        Set<String> referenced = sameReferences ? cache.referenced : Set.copyOf(resolver.lookedUp());
        cache.endOfTranslation(compiled, ingresses, built, config, referenced);
        return new Translation(built, problems, served, referenced, tls.referencedSecrets(),
                tls.nextValidityChange(), tls.parsedSecrets());
    }

    private static void addPath(CompiledIngress.PathRule p, CompiledIngress c, BackendResolver resolver,
                                TlsResolver tls, RouteTable.Builder table, List<Problem> problems) {
        Backend backend;
        if (p.target instanceof CompiledIngress.ServiceRef s) {
            p.resolution = resolver.resolve(s, p.resolution);
            if (p.resolution.reason() != null) {
                p.resolution.report(c.ref, p.field() + ".backend.service", problems);
            }
            backend = p.resolution.backend();
        } else {
            backend = ((CompiledIngress.FixedBackend) p.target).backend();
        }
        boolean sslRedirect = c.redirects.force() || (c.redirects.ifTls() && tls.hasTls(p.host));
        Route existing = table.add(p.route(backend, c.source, sslRedirect, tls.hasCertificate(p.host)));
        if (existing != null) {
            problems.add(new Problem(c.ref, p.field(), Reason.PathConflict, "host '"
                    + (p.host.isEmpty() ? "*" : p.host) + "' path " + p.path + " (" + p.type.kubernetesName()
                    + ") is already served by " + (existing.source().equals(c.source)
                            ? "an earlier path of this Ingress" : "Ingress " + existing.source() + ", which is older")
                    + "; this path is ignored"));
        }
    }
}
