package dev.pier.watcher.translate;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.EndpointSet;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.tls.ServerCertificates;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
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
        long servicesMark = state.services().latest(); // before any version is read
        Set<String> changedServices = cache.services == state.services()
                ? state.services().changedSince(cache.servicesMark) : null;
        Translation t = servicesOnly(state, config, cache, now, changedServices);
        if (t == null) {
            t = ingressesOnly(state, config, cache, now, changedServices);
        }
        if (t == null) {
            t = full(state, config, cache, now);
        }
        cache.services = state.services();
        cache.servicesMark = servicesMark;
        return t;
    }

    /** Translates every Ingress, replaying what the cache compiled and resolved. */
    private static Translation full(ClusterState state, TranslatorConfig config, TranslationCache cache,
                                    Instant now) {
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        List<Problem> problems = new ArrayList<>();
        RouteTable.Builder table = RouteTable.builder(cache.last == null ? null : cache.last.table());
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
        boolean sameReferences = !cache.ingressesChanged && config.equals(cache.config) && cache.last != null;
        BackendResolver resolver = new BackendResolver(state.services(), !sameReferences);

        TlsResolver tls = new TlsResolver(state, cache.credentials, now);
        for (CompiledIngress c : ingresses) {
            if (c.hasSpec) {
                tls.add(c.ingress, c.ref, problems);
            }
        }
        ServerCertificates certificates = new ServerCertificates(tls.finish(), config.defaultSslCertificate() == null
                ? null : tls.defaultCertificate(config.defaultSslCertificate(), problems));

        int leadingProblems = problems.size();
        Map<Backend, EndpointSet> endpoints = new HashMap<>();
        List<ObjectRef> served = new ArrayList<>(ingresses.size());
        for (CompiledIngress c : ingresses) {
            served.add(c.ref);
            for (CompiledIngress.Step step : c.steps) {
                switch (step) {
                    case CompiledIngress.Fixed f -> { }
                    case CompiledIngress.DefaultBackend d -> {
                        Backend backend;
                        if (d.target instanceof CompiledIngress.ServiceRef s) {
                            d.resolution = resolver.resolve(s, d.resolution);
                            backend = d.resolution.backend();
                            endpoints.put(backend, d.resolution.endpoints());
                        } else {
                            backend = ((CompiledIngress.FixedBackend) d.target).backend();
                        }
                        if (defaultRoute == null) {
                            defaultRoute = Route.defaultBackend(backend, c.source);
                            defaultOwner = d;
                            d.conflict = null;
                        } else {
                            d.conflict = new Problem(c.ref, "spec.defaultBackend", Reason.DefaultBackendConflict,
                                    "ignored: Ingress " + defaultRoute.source() + " is older and its defaultBackend"
                                            + " serves unmatched requests");
                        }
                    }
                    case CompiledIngress.PathRule p -> addPath(p, c, resolver, tls, table, endpoints, config);
                }
            }
            c.problems = c.problems();
            problems.addAll(c.problems);
        }
        int trailingFrom = problems.size();

        if (defaultRoute == null && config.defaultBackendService() != null) {
            ObjectRef svc = config.defaultBackendService();
            cache.defaultService = resolver.resolve(CompiledIngress.ServiceRef.of(svc.namespace(), svc.name(), null,
                    null), cache.defaultService);
            cache.defaultService.report(svc, "--default-backend-service", problems);
            defaultRoute = Route.defaultBackend(cache.defaultService.backend(), null);
            endpoints.put(cache.defaultService.backend(), cache.defaultService.endpoints());
            defaultOwner = config;
        }
        if (defaultRoute != null) {
            table.defaultRoute(defaultRoute);
        }
        RouteTable built = table.build();
        Set<String> referenced = sameReferences ? cache.last.referencedServices() : Set.copyOf(resolver.lookedUp());
        Translation result = new Translation(built, EndpointTable.of(endpoints), certificates, problems, served,
                referenced, tls.referencedSecrets(), tls.nextValidityChange(), tls.parsedSecrets());
        cache.endOfTranslation(compiled, ingresses, config, tls);
        cache.remember(state, result, defaultOwner, leadingProblems, problems.size() - trailingFrom);
        return result;
    }

    /**
     * The cheap path, for when nothing but Services and their endpoints changed since the last translation (the same
     * Ingress, IngressClass and Secret objects, the same configuration, no certificate validity boundary passed):
     * only the references to Services whose version moved are resolved again, into a new endpoint table; the routes
     * stay as they are. Returns null, for a full translation, when that is not the case or when a Service's problem
     * appears, goes or changes (problems are reported in Ingress order).
     *
     * <p>Gives what the full translation would give: the routes, the conflicts and the problems depend on no
     * Service's endpoints.
     */
    private static Translation servicesOnly(ClusterState state, TranslatorConfig config, TranslationCache cache,
                                            Instant now, Set<String> changedServices) {
        Translation last = cache.last;
        if (last == null || !config.equals(cache.config) || !sameObjects(state.ingresses(), cache.lastIngresses)
                || !sameObjects(state.ingressClasses(), cache.lastClasses)
                || !sameObjects(state.secrets(), cache.lastSecrets)
                || (last.nextValidityChange() != null && !now.isBefore(last.nextValidityChange()))) {
            return null;
        }
        BackendResolver resolver = new BackendResolver(state.services(), false);
        Map<Backend, EndpointSet> changed = new HashMap<>();
        for (Map.Entry<String, List<TranslationCache.Use>> e : cache.usesToCheck(changedServices)) {
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
                changed.put(after.backend(), after.endpoints());
            }
        }
        EndpointTable endpoints = last.endpoints().with(changed, Set.of());
        cache.servicesOnly++;
        if (endpoints == last.endpoints()) {
            return last;
        }
        Translation result = new Translation(last.table(), endpoints, last.tls(), last.problems(), last.served(),
                last.referencedServices(), last.referencedSecrets(), last.nextValidityChange(), last.certificates());
        cache.last = result;
        return result;
    }

    /**
     * The cheap path for a few Ingresses added, changed or gone while nothing else changed (the same IngressClass and
     * Secret objects, the same configuration, no certificate validity boundary passed, every Service the last
     * translation resolved at the same version): only the hosts those Ingresses have paths on are built again, from
     * every Ingress with paths on them, and swapped into the table in force ({@link RouteTable.Builder#buildReplacing}).
     * Returns null, for a full translation, when that is not the case, when many Ingresses changed, or when a changed
     * Ingress has TLS sections or a default backend (they reach beyond their own hosts).
     *
     * <p>Gives what the full translation would give: a path's route and its conflicts depend only on the Ingresses
     * with paths on its host (taken oldest first), and every other step's outcome is as the last replay left it.
     */
    private static Translation ingressesOnly(ClusterState state, TranslatorConfig config, TranslationCache cache,
                                             Instant now, Set<String> changedServices) {
        Translation last = cache.last;
        if (last == null || cache.tls == null || !config.equals(cache.config)
                || !sameObjects(state.ingressClasses(), cache.lastClasses)
                || !sameObjects(state.secrets(), cache.lastSecrets)
                || (last.nextValidityChange() != null && !now.isBefore(last.nextValidityChange()))) {
            return null;
        }
        int limit = Math.max(MIN_PATCH, cache.order.size() / 16);
        List<Ingress> gone = new ArrayList<>();
        List<Ingress> come = new ArrayList<>();
        if (cache.orderHasTies || !TranslationCache.diff(cache.lastIngresses, state.ingresses(), gone, come, limit)) {
            return null;
        }
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        List<CompiledIngress> added = new ArrayList<>();
        for (Ingress i : come) {
            if (classes.accepts(i)) {
                CompiledIngress c = CompiledIngress.compile(i);
                if (c.hasTls || c.hasDefaultBackend) {
                    return null;
                }
                added.add(c);
            }
        }
        List<CompiledIngress> removed = new ArrayList<>();
        for (Ingress i : gone) {
            CompiledIngress c = cache.ingresses.get(i);
            if (c != null) {
                if (c.hasTls || c.hasDefaultBackend) {
                    return null;
                }
                removed.add(c);
            }
        }
        for (Map.Entry<String, List<TranslationCache.Use>> e : cache.usesToCheck(changedServices)) {
            long version = state.services().version(e.getKey());
            for (TranslationCache.Use use : e.getValue()) {
                if (use.resolution().version() != version) {
                    return null;
                }
            }
        }
        added.sort(TranslationCache.OLDEST_FIRST);
        TranslationCache.Edit edit = TranslationCache.Edit.of(cache.order, removed, added);
        if (edit == null) { // an added Ingress of the name of one kept (a manifest directory can hold both)
            return null;
        }

        // The hosts the changed Ingresses have paths on, rebuilt from every Ingress with paths there.
        Set<String> hosts = new HashSet<>();
        cache.hostsChanged(removed, added, hosts);
        BackendResolver resolver = new BackendResolver(state.services(), false);
        RouteTable previous = last.table();
        RouteTable.Builder table = RouteTable.builder(previous).defaultRoute(previous.defaultRoute());
        Map<Backend, EndpointSet> endpoints = new HashMap<>();
        Set<CompiledIngress> replayed = Collections.newSetFromMap(new IdentityHashMap<>());
        replayed.addAll(added); // all of them: one without a valid path still has its problems
        for (String host : hosts) {
            for (CompiledIngress c : cache.ingressesOn(host)) { // oldest first
                replayed.add(c);
                for (CompiledIngress.Step step : c.steps) {
                    if (step instanceof CompiledIngress.PathRule p && p.host.equals(host)) {
                        addPath(p, c, resolver, cache.tls, table, endpoints, config);
                    }
                }
            }
        }
        for (CompiledIngress c : replayed) {
            c.problems = c.problems();
        }

        List<CompiledIngress> order = edit.apply(cache.order, added);
        List<ObjectRef> addedRefs = new ArrayList<>(added.size());
        for (CompiledIngress c : added) {
            addedRefs.add(c.ref);
        }
        List<ObjectRef> served = edit.apply(last.served(), addedRefs);
        List<CompiledIngress> owners = cache.problemOwners(removed, replayed);
        List<Problem> problems = new ArrayList<>(last.problems().size() + 4);
        problems.addAll(last.problems().subList(0, cache.leadingProblems));
        for (CompiledIngress c : owners) {
            problems.addAll(c.problems);
        }
        problems.addAll(last.problems().subList(last.problems().size() - cache.trailingProblems,
                last.problems().size()));
        RouteTable built = table.buildReplacing(hosts);
        Set<String> referenced = cache.usesChanged(removed, added) ? Set.copyOf(cache.uses().keySet())
                : last.referencedServices();
        Translation result = new Translation(built, last.endpoints().with(endpoints, cache.unused(removed)), last.tls(), problems, served, referenced,
                last.referencedSecrets(), last.nextValidityChange(), last.certificates());
        cache.patched(state, removed, added, order, owners, result);
        return result;
    }

    /** {@link #ingressesOnly} takes at least this many changed Ingresses, or a sixteenth of them when more. */
    private static final int MIN_PATCH = 16;

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

    /** Resolves a path's backend and adds its route to the table, noting a conflict on the step. */
    private static void addPath(CompiledIngress.PathRule p, CompiledIngress c, BackendResolver resolver,
                                TlsResolver tls, RouteTable.Builder table, Map<Backend, EndpointSet> endpoints,
                                TranslatorConfig config) {
        Backend backend;
        if (p.target instanceof CompiledIngress.ServiceRef s) {
            p.resolution = resolver.resolve(s, p.resolution);
            backend = p.resolution.backend();
            endpoints.put(backend, p.resolution.endpoints());
        } else {
            backend = ((CompiledIngress.FixedBackend) p.target).backend();
        }
        boolean sslRedirect = c.redirects.force() || (c.redirects.ifTls() && tls.hasTls(p.host));
        Route existing = table.add(p.route(backend, c.source, sslRedirect, tls.hasCertificate(p.host),
                c.policy(config.maxBodyBytes())));
        p.conflict = existing == null ? null : new Problem(c.ref, p.field(), Reason.PathConflict, "host '"
                + (p.host.isEmpty() ? "*" : p.host) + "' path " + p.path + " (" + p.type.kubernetesName()
                + ") is already served by " + (existing.source().equals(c.source)
                        ? "an earlier path of this Ingress" : "Ingress " + existing.source() + ", which is older")
                + "; this path is ignored");
    }
}
