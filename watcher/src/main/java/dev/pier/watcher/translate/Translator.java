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
import java.util.Objects;
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
        Translation cheap = servicesOnly(state, config, cache, now);
        if (cheap != null) {
            return cheap;
        }
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        List<Problem> problems = new ArrayList<>();
        RouteTable.Builder table = RouteTable.builder(cache.table);
        Route defaultRoute = null;
        Object defaultOwner = null; // the step (or the configuration) the default route came from

        List<Ingress> accepted = new ArrayList<>(state.ingresses().size());
        for (Ingress i : state.ingresses()) {
            if (classes.accepts(i)) {
                accepted.add(i);
            }
        }
        Map<Ingress, CompiledIngress> compiled = new IdentityHashMap<>(accepted.size());
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
                            defaultOwner = d;
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
            defaultOwner = config;
        }
        if (defaultRoute != null) {
            table.defaultRoute(defaultRoute);
        }
        RouteTable built = table.build();
        Set<String> referenced = sameReferences ? cache.referenced : Set.copyOf(resolver.lookedUp());
        Translation result = new Translation(built, problems, served, referenced, tls.referencedSecrets(),
                tls.nextValidityChange(), tls.parsedSecrets());
        cache.endOfTranslation(compiled, ingresses, built, config, referenced);
        cache.remember(state, result, defaultOwner);
        return result;
    }

    /**
     * The cheap path, for when nothing but Services and their endpoints changed since the last translation (the same
     * Ingress, IngressClass and Secret objects, the same configuration, no certificate validity boundary passed):
     * only the references to Services whose version moved are resolved again, and their routes are swapped into the
     * table in force ({@link RouteTable#withRoutes}). Returns null, for a full translation, when that is not the case
     * or when a Service's problem appears, goes or changes (problems are reported in Ingress order).
     *
     * <p>Gives what the full translation would give: the routes of the other Services, the conflicts and the problems
     * depend on no Service's endpoints.
     */
    private static Translation servicesOnly(ClusterState state, TranslatorConfig config, TranslationCache cache,
                                            Instant now) {
        Translation last = cache.last;
        if (last == null || !config.equals(cache.config) || !sameObjects(state.ingresses(), cache.lastIngresses)
                || !sameObjects(state.ingressClasses(), cache.lastClasses)
                || !sameObjects(state.secrets(), cache.lastSecrets)
                || (last.nextValidityChange() != null && !now.isBefore(last.nextValidityChange()))) {
            return null;
        }
        BackendResolver resolver = new BackendResolver(state.services(), false);
        Map<Route, Route> replaced = new IdentityHashMap<>();
        Route defaultRoute = last.table().defaultRoute();
        for (Map.Entry<String, List<TranslationCache.Use>> e : cache.uses().entrySet()) {
            long version = state.services().version(e.getKey());
            for (TranslationCache.Use use : e.getValue()) {
                BackendResolver.Resolution before = use.resolution();
                if (before.version() == version) {
                    continue;
                }
                BackendResolver.Resolution after = resolver.resolve(use.ref(), before);
                if (!Objects.equals(before.reason(), after.reason())
                        || !Objects.equals(before.message(), after.message())
                        || !Objects.equals(before.fieldSuffix(), after.fieldSuffix())) {
                    return null;
                }
                use.resolved(after);
                if (use.step() instanceof CompiledIngress.PathRule p) {
                    Route old = p.last;
                    Route fresh = p.route(after.backend(), use.owner().source, old.sslRedirect(), old.hsts());
                    if (fresh != old) {
                        replaced.put(old, fresh);
                    }
                } else if (use.step() == cache.defaultOwner) {
                    defaultRoute = Route.defaultBackend(after.backend(), use.owner() == null ? null
                            : use.owner().source);
                }
            }
        }
        if (replaced.isEmpty() && defaultRoute == last.table().defaultRoute()) {
            cache.servicesOnly++;
            return last;
        }
        RouteTable table = last.table().withRoutes(replaced, defaultRoute);
        Translation result = new Translation(table, last.problems(), last.served(), last.referencedServices(),
                last.referencedSecrets(), last.nextValidityChange(), last.certificates());
        cache.table = table;
        cache.last = result;
        cache.servicesOnly++;
        return result;
    }

    private static boolean sameObjects(List<?> a, List<?> b) {
        if (a == b) {
            return true;
        }
        if (b == null || a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) != b.get(i)) {
                return false;
            }
        }
        return true;
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
