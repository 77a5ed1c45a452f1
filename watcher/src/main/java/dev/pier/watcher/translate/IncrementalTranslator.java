package dev.pier.watcher.translate;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.PathRegex;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Redirect;
import dev.pier.proxy.route.UpstreamTls;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.tls.ServerCertificates;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The translation kept from one rebuild to the next, so that a rebuild costs in proportion to what changed, not to the
 * size of the cluster. Its output is always what {@link Translator#translate} gives for the same input (a random test
 * checks it after every one of 1,500 change steps); only the work differs:
 *
 * <ul>
 *   <li>When only Services and their endpoints changed (the common case: Pods come and go), the references to the
 *       changed Services are resolved again into a new endpoint table; the route table stays as it is.</li>
 *   <li>When a few Ingresses were added, changed or deleted and nothing else changed, only the hosts they have paths
 *       on are built again, and patched into the table in force.</li>
 *   <li>Otherwise every Ingress is translated, replaying what was compiled (each Ingress object once) and resolved
 *       (each Service port while its Service and endpoints are unchanged), and each Secret parsed (by content).</li>
 * </ul>
 *
 * <p>Objects are recognised by identity: every source replaces an object when it changes (informers store the new
 * object, manifest reloads parse new ones) and objects are never modified in place ({@link ClusterState}).
 *
 * <p>Confined to one thread at a time (the rebuild loop's).
 */
public final class IncrementalTranslator {
    private final CredentialCache credentials = new CredentialCache();
    private Map<Ingress, CompiledIngress> byObject = new IdentityHashMap<>();
    /** The Ingresses the last translation took, oldest first. */
    private List<CompiledIngress> lastOrder = List.of();
    /** Those of them with problems, oldest first. */
    private List<CompiledIngress> problemOwners = List.of();
    /** Whether two of them sort equal (two objects of one namespace and name): only a full sort orders them. */
    private boolean orderHasTies;
    /** Numbers translations, to mark the Ingresses each one takes. */
    private long translations;
    /** Whether the Ingresses taken by the translation in progress differ from the last one's. */
    private boolean ingressesChanged = true;
    /**
     * The last translation (its table is where the next one starts from), its inputs (by identity) and where its
     * default route came from.
     */
    private Translation lastResult;
    private List<Ingress> lastIngresses;
    private List<IngressClass> lastClasses;
    private List<Secret> lastSecrets;
    private Object defaultOwner;
    /** The last translation's configuration. */
    private TranslatorConfig lastConfig;
    /**
     * The Service index of the last translation and its {@link ServiceIndex#latest} mark, read before that translation
     * read any version: the Services changed since are {@code services.changedSince(servicesMark)}.
     */
    private ServiceIndex lastServices;
    private long servicesMark;
    /** The last resolution of {@code --default-backend-service}. */
    private BackendResolver.Resolution defaultService;
    /** The last full translation's TLS pass: which hosts have TLS sections and certificates. */
    private TlsResolver lastTls;
    /**
     * How the last translation's problems are laid out: this many from TLS sections first, then each taken Ingress's
     * {@link CompiledIngress#problems}, then this many of the configuration's ({@code --default-backend-service}).
     */
    private int leadingProblems;
    private int trailingProblems;
    /** The references to each Service (by {@code namespace/name}) in the last translation; built when first needed. */
    private Map<String, List<Use>> uses;
    /** The taken Ingresses with paths on each host, oldest first; built when first needed. */
    private Map<String, List<CompiledIngress>> byHost;
    /**
     * The hosts whose routes the last full translation derived from other hosts' (server-alias names and the hosts
     * they copy, from-to-www-redirect twins), served or not: a change to any of them takes the full path.
     */
    private Set<String> derivedHosts = Set.of();

    /**
     * One reference to a Service: a path or default backend ({@code step}) of a taken Ingress ({@code owner}), or
     * {@code --default-backend-service} ({@code owner} null, {@code step} the configuration). Its resolution lives in
     * the step (or in the translator, for the configuration's), where full translations keep it too.
     */
    record Use(CompiledIngress owner, Object step, CompiledIngress.ServiceRef ref, IncrementalTranslator translator) {
        BackendResolver.Resolution resolution() {
            return switch (step) {
                case CompiledIngress.PathRule p -> p.resolution;
                case CompiledIngress.DefaultBackend d -> d.resolution;
                default -> translator.defaultService;
            };
        }

        void resolved(BackendResolver.Resolution r) {
            switch (step) {
                case CompiledIngress.PathRule p -> p.resolution = r;
                case CompiledIngress.DefaultBackend d -> d.resolution = r;
                default -> translator.defaultService = r;
            }
        }
    }

    /**
     * Translates {@code state}: what {@link Translator#translate} gives, for work in proportion to what changed since
     * the last call.
     *
     * @param now the time certificates must be valid at
     */
    public Translation translate(ClusterState state, TranslatorConfig config, Instant now) {
        requireNonNull(state, "state");
        requireNonNull(config, "config");
        long mark = state.services().latest(); // before any version is read
        Set<String> changedServices = lastServices == state.services()
                ? state.services().changedSince(servicesMark) : null;
        Translation t = servicesOnly(state, config, now, changedServices);
        if (t == null) {
            t = ingressesOnly(state, config, now, changedServices);
        }
        if (t == null) {
            t = full(state, config, now);
        }
        lastServices = state.services();
        servicesMark = mark;
        return t;
    }

    /** Translates every Ingress, replaying what earlier translations compiled and resolved. */
    private Translation full(ClusterState state, TranslatorConfig config,
                                    Instant now) {
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        List<Problem> problems = new ArrayList<>();
        RouteTable.Builder table = RouteTable.builder(lastResult == null ? null : lastResult.table());
        Route defaultRoute = null;
        Object defaultOwner = null; // the step (or the configuration) the default route came from

        List<Ingress> accepted = new ArrayList<>(state.ingresses().size());
        for (Ingress i : state.ingresses()) {
            if (classes.accepts(i)) {
                accepted.add(i);
            }
        }
        Map<Ingress, CompiledIngress> compiled = new IdentityHashMap<>(accepted.size());
        List<CompiledIngress> ingresses = taken(accepted, compiled);
        // The Services referenced depend on the Ingresses alone (and the configuration): when neither changed, the
        // last set stands and need not be collected again.
        boolean sameReferences = !ingressesChanged && config.equals(lastConfig) && lastResult != null;
        BackendResolver resolver = new BackendResolver(state.services(), !sameReferences,
                lastResult == null ? ingresses.size() : lastResult.endpoints().size() + 16);

        TlsResolver tls = new TlsResolver(state, credentials, now);
        Map<CompiledIngress, TlsResolver.UpstreamMaterial> material = new IdentityHashMap<>();
        for (CompiledIngress c : ingresses) {
            if (c.hasSpec) {
                tls.add(c.ingress, c.ref, problems);
                if (c.proxySsl != null) {
                    material.put(c, tls.upstream(c.proxySsl, c.ref, problems));
                }
            }
        }
        upstreamMaterial = material;
        ServerCertificates certificates = new ServerCertificates(tls.finish(), config.defaultSslCertificate() == null
                ? null : tls.defaultCertificate(config.defaultSslCertificate(), problems));

        int leadingProblems = problems.size();
        Set<String> regexHosts = new HashSet<>(); // hosts where an Ingress sets use-regex or rewrite-target
        for (CompiledIngress c : ingresses) {
            if (c.regex) {
                for (CompiledIngress.Step step : c.steps) {
                    if (step instanceof CompiledIngress.PathRule p) {
                        regexHosts.add(p.host);
                    }
                }
            }
        }
        List<ObjectRef> served = new ArrayList<>(ingresses.size());
        List<CompiledIngress> withTwinsOrAliases = new ArrayList<>();
        for (CompiledIngress c : ingresses) {
            served.add(c.ref);
            if (c.wwwRedirect || !c.aliases.isEmpty()) {
                withTwinsOrAliases.add(c);
            }
            for (CompiledIngress.Step step : c.steps) {
                switch (step) {
                    case CompiledIngress.Fixed f -> { }
                    case CompiledIngress.DefaultBackend d -> {
                        Backend backend = upstreamRefusal(c, d.resolve(resolver, config.serveUnenforcedGuardsOpen()));
                        if (defaultRoute == null) {
                            // the Ingress's annotations hold for its default backend too (an allowlist above all)
                            defaultRoute = Route.defaultBackend(backend, c.source,
                                    withUpstreamTls(c, c.policy(config.maxBodyBytes()), null, backend));
                            defaultOwner = d;
                            d.conflict = null;
                        } else {
                            d.conflict = new Problem(c.ref, "spec.defaultBackend", Reason.DefaultBackendConflict,
                                    "ignored: Ingress " + defaultRoute.source() + " is older and its defaultBackend"
                                            + " serves unmatched requests");
                        }
                    }
                    case CompiledIngress.PathRule p -> addPath(p, c, resolver, tls, table, config,
                            regexHosts.contains(p.host));
                }
            }
            c.problems = c.problems();
            problems.addAll(c.problems);
        }
        Set<String> derived = new HashSet<>(addAliases(withTwinsOrAliases, table));
        derived.addAll(addWwwRedirects(withTwinsOrAliases, table, config));
        derivedHosts = Set.copyOf(derived);
        int trailingFrom = problems.size();

        if (defaultRoute == null && config.defaultBackendService() != null) {
            ObjectRef svc = config.defaultBackendService();
            defaultService = resolver.resolve(CompiledIngress.ServiceRef.of(svc.namespace(), svc.name(), null,
                    null), defaultService);
            defaultService.report(svc, "--default-backend-service", problems);
            defaultRoute = Route.defaultBackend(defaultService.backend(), null,
                    Policy.NONE.withMaxBodyBytes(config.maxBodyBytes()));
            defaultOwner = config;
        }
        if (defaultRoute != null) {
            table.defaultRoute(defaultRoute);
        }
        RouteTable built = table.build();
        Set<String> referenced = sameReferences ? lastResult.referencedServices() : Set.copyOf(resolver.lookedUp());
        Translation result = new Translation(built, EndpointTable.of(resolver.endpoints()), certificates, problems,
                served, referenced, tls.referencedSecrets(), tls.nextValidityChange(), tls.parsedSecrets());
        endOfTranslation(compiled, ingresses, config, tls);
        remember(state, result, defaultOwner, leadingProblems, problems.size() - trailingFrom);
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
    private Translation servicesOnly(ClusterState state, TranslatorConfig config,
                                            Instant now, Set<String> changedServices) {
        Translation last = lastResult;
        if (last == null || !config.equals(lastConfig) || !sameObjects(state.ingresses(), lastIngresses)
                || !sameObjects(state.ingressClasses(), lastClasses)
                || !sameObjects(state.secrets(), lastSecrets)
                || (last.nextValidityChange() != null && !now.isBefore(last.nextValidityChange()))) {
            return null;
        }
        BackendResolver resolver = new BackendResolver(state.services(), false, 16);
        for (Map.Entry<String, List<Use>> e : usesToCheck(changedServices)) {
            long version = state.services().version(e.getKey());
            for (Use use : e.getValue()) {
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
            }
        }
        EndpointTable endpoints = last.endpoints().with(resolver.endpoints(), Set.of());
        servicesOnly++;
        if (endpoints == last.endpoints()) {
            return last;
        }
        Translation result = new Translation(last.table(), endpoints, last.tls(), last.problems(), last.served(),
                last.referencedServices(), last.referencedSecrets(), last.nextValidityChange(), last.certificates());
        lastResult = result;
        return result;
    }

    /**
     * The cheap path for a few Ingresses added, changed or gone while nothing else changed (the same IngressClass and
     * Secret objects, the same configuration, no certificate validity boundary passed, every Service the last
     * translation resolved at the same version): only the hosts those Ingresses have paths on are built again, from
     * every Ingress with paths on them, and swapped into the table in force
     * ({@link RouteTable.Builder#buildReplacing}).
     * Returns null, for a full translation, when that is not the case, when many Ingresses changed, or when a changed
     * Ingress has TLS sections or a default backend (they reach beyond their own hosts).
     *
     * <p>Gives what the full translation would give: a path's route and its conflicts depend only on the Ingresses
     * with paths on its host (taken oldest first), and every other step's outcome is as the last replay left it.
     */
    private Translation ingressesOnly(ClusterState state, TranslatorConfig config,
                                             Instant now, Set<String> changedServices) {
        Translation last = lastResult;
        if (last == null || lastTls == null || !config.equals(lastConfig)
                || !sameObjects(state.ingressClasses(), lastClasses)
                || !sameObjects(state.secrets(), lastSecrets)
                || (last.nextValidityChange() != null && !now.isBefore(last.nextValidityChange()))) {
            return null;
        }
        int limit = Math.max(MIN_PATCH, lastOrder.size() / 16);
        List<Ingress> gone = new ArrayList<>();
        List<Ingress> come = new ArrayList<>();
        if (orderHasTies || !ListDiff.diff(lastIngresses, state.ingresses(), gone, come, limit)) {
            return null;
        }
        IngressClassFilter classes = new IngressClassFilter(state.ingressClasses(), config);
        List<CompiledIngress> added = new ArrayList<>();
        for (Ingress i : come) {
            if (classes.accepts(i)) {
                CompiledIngress c = CompiledIngress.compile(i);
                if (c.hasTls || c.hasDefaultBackend || c.wwwRedirect || !c.aliases.isEmpty() || c.proxySsl != null) {
                    return null;
                }
                added.add(c);
            }
        }
        List<CompiledIngress> removed = new ArrayList<>();
        for (Ingress i : gone) {
            CompiledIngress c = byObject.get(i);
            if (c != null) {
                if (c.hasTls || c.hasDefaultBackend || c.wwwRedirect || !c.aliases.isEmpty() || c.proxySsl != null) {
                    return null;
                }
                removed.add(c);
            }
        }
        for (Map.Entry<String, List<Use>> e : usesToCheck(changedServices)) {
            long version = state.services().version(e.getKey());
            for (Use use : e.getValue()) {
                if (use.resolution().version() != version) {
                    return null;
                }
            }
        }
        added.sort(OLDEST_FIRST);
        ListDiff.Edit edit = ListDiff.Edit.of(lastOrder, removed, added);
        if (edit == null) { // an added Ingress of the name of one kept (a manifest directory can hold both)
            return null;
        }

        // The hosts the changed Ingresses have paths on, rebuilt from every Ingress with paths there.
        Set<String> hosts = new HashSet<>();
        hostsChanged(removed, added, hosts);
        for (String host : hosts) {
            if (derivedHosts.contains(host)) { // an alias, a host with aliases, or a www twin: full translation
                return null;
            }
        }
        BackendResolver resolver = new BackendResolver(state.services(), false, 16);
        RouteTable previous = last.table();
        RouteTable.Builder table = RouteTable.builder(previous).defaultRoute(previous.defaultRoute());
        Set<CompiledIngress> replayed = Collections.newSetFromMap(new IdentityHashMap<>());
        replayed.addAll(added); // all of them: one without a valid path still has its problems
        for (String host : hosts) {
            List<CompiledIngress> on = ingressesOn(host); // oldest first
            boolean regexHost = false;
            for (CompiledIngress c : on) {
                regexHost |= c.regex;
            }
            for (CompiledIngress c : on) {
                replayed.add(c);
                for (CompiledIngress.Step step : c.steps) {
                    if (step instanceof CompiledIngress.PathRule p && p.host.equals(host)) {
                        addPath(p, c, resolver, lastTls, table, config, regexHost);
                    }
                }
            }
        }
        for (CompiledIngress c : replayed) {
            c.problems = c.problems();
        }

        List<CompiledIngress> order = edit.apply(lastOrder, added);
        List<ObjectRef> addedRefs = new ArrayList<>(added.size());
        for (CompiledIngress c : added) {
            addedRefs.add(c.ref);
        }
        List<ObjectRef> served = edit.apply(last.served(), addedRefs);
        List<CompiledIngress> owners = problemOwners(removed, replayed);
        List<Problem> problems = new ArrayList<>(last.problems().size() + 4);
        problems.addAll(last.problems().subList(0, leadingProblems));
        for (CompiledIngress c : owners) {
            problems.addAll(c.problems);
        }
        problems.addAll(last.problems().subList(last.problems().size() - trailingProblems,
                last.problems().size()));
        RouteTable built = table.buildReplacing(hosts);
        Set<String> referenced = usesChanged(removed, added) ? Set.copyOf(uses().keySet())
                : last.referencedServices();
        EndpointTable endpoints = last.endpoints().with(resolver.endpoints(), unused(removed));
        Translation result = new Translation(built, endpoints, last.tls(), problems, served, referenced,
                last.referencedSecrets(), last.nextValidityChange(), last.certificates());
        patched(state, removed, added, order, owners, result);
        return result;
    }

    /** What each Ingress's {@code proxy-ssl-secret} held at the last full translation (Secrets unchanged since). */
    private Map<CompiledIngress, TlsResolver.UpstreamMaterial> upstreamMaterial = Map.of();

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

    /** {@code backend}, or a refusal when the Ingress's {@code proxy-ssl-secret} could not be read. */
    private Backend upstreamRefusal(CompiledIngress c, Backend backend) {
        TlsResolver.UpstreamMaterial m = c.proxySsl == null ? null : upstreamMaterial.get(c);
        return m == null || m.refusal() == null ? backend
                : Backend.refused(backend.namespace(), backend.service(), backend.port(), m.refusal());
    }

    /**
     * {@code policy} with its upstream TLS settings complete for a route of {@code host} (null when it has none):
     * the {@code proxy-ssl-secret} material, and the rule's host (else the Service's cluster DNS name) where the
     * settings ask for it.
     */
    private Policy withUpstreamTls(CompiledIngress c, Policy policy, String host, Backend backend) {
        UpstreamTls settings = policy.upstreamTls();
        if (settings == null) {
            return policy;
        }
        TlsResolver.UpstreamMaterial m = c.proxySsl == null ? null : upstreamMaterial.get(c);
        if (m != null && m.refusal() == null) {
            settings = new UpstreamTls(settings.serverName(), m.verification(), m.client());
        }
        return policy.withUpstreamTls(settings.forHost(host, backend.service() + "." + backend.namespace() + ".svc"));
    }

    /**
     * {@code server-alias}: each alias of an Ingress serves a copy of the routes of each of the Ingress's hosts, unless
     * it is a host of its own (then, as in ingress-nginx, the alias is left out). Returns the aliases and the hosts
     * they copy.
     */
    private static Set<String> addAliases(List<CompiledIngress> ingresses, RouteTable.Builder table) {
        Set<String> related = new HashSet<>();
        for (CompiledIngress c : ingresses) {
            if (c.aliases.isEmpty()) {
                continue;
            }
            Set<String> hosts = new java.util.LinkedHashSet<>();
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p) {
                    hosts.add(p.host);
                }
            }
            related.addAll(hosts);
            for (String alias : c.aliases) {
                related.add(alias);
                if (table.hasHost(alias)) {
                    continue; // a host of its own, or an alias an older Ingress took
                }
                for (String host : hosts) {
                    for (Route r : table.routesOf(host)) {
                        table.add(new Route(alias, r.path(), r.pathType(), r.backend(), r.source(), r.sslRedirect(),
                                r.hsts(), r.policy(), r.regex()));
                    }
                }
            }
        }
        return related;
    }

    /**
     * {@code from-to-www-redirect}: for each host of such an Ingress, its twin ({@code www.} added or taken away)
     * redirects there with 308, keeping the scheme and URI, unless the twin has rules of its own (then the annotation
     * is left out for it, as ingress-nginx leaves it out). Returns every twin considered, so that the patch path can
     * leave a change to any of them to a full translation.
     */
    private static Set<String> addWwwRedirects(List<CompiledIngress> ingresses, RouteTable.Builder table,
                                               TranslatorConfig config) {
        Set<String> twins = new HashSet<>();
        for (CompiledIngress c : ingresses) {
            if (!c.wwwRedirect) {
                continue;
            }
            for (CompiledIngress.Step step : c.steps) {
                if (!(step instanceof CompiledIngress.PathRule p) || p.host.isEmpty() || p.host.startsWith("*.")) {
                    continue;
                }
                String twin = p.host.startsWith("www.") ? p.host.substring(4) : "www." + p.host;
                if (!Hosts.isValid(twin) || !twins.add(twin) || table.hasHost(twin)) {
                    continue;
                }
                Policy redirect = Policy.builder().maxBodyBytes(config.maxBodyBytes())
                        .redirect(new Redirect(p.host, 308, true)).build();
                table.add(new Route(twin, "/", PathType.PREFIX, Backend.refused(c.ref.namespace(), c.ref.name(), "-",
                        "from-to-www-redirect to " + p.host), c.source, false, false, redirect));
            }
        }
        return Set.copyOf(twins);
    }

    /**
     * Resolves a path's backend and adds its route to the table, noting a conflict on the step. On a host with
     * regex paths ({@code regexHost}) a non-Exact path is matched as a regular expression, as is any path whose
     * Ingress rewrites (the rewrite needs its groups).
     */
    private void addPath(CompiledIngress.PathRule p, CompiledIngress c, BackendResolver resolver,
                         TlsResolver tls, RouteTable.Builder table, TranslatorConfig config, boolean regexHost) {
        Backend backend = upstreamRefusal(c, p.resolve(resolver, config.serveUnenforcedGuardsOpen()));
        boolean named = !p.host.isEmpty() && !p.host.startsWith("*.");
        Policy policy = withUpstreamTls(c, c.policy(config.maxBodyBytes()), named ? p.host : null, backend);
        PathRegex regex = null;
        if ((regexHost && p.type != PathType.EXACT) || policy.rewriteTarget() != null) {
            regex = p.regex();
            if (regex == null) {
                p.conflict = new Problem(c.ref, p.field() + ".path", Reason.InvalidAnnotation, "host '"
                        + (p.host.isEmpty() ? "*" : p.host) + "' has regular expression paths (an Ingress of it sets"
                        + " use-regex or rewrite-target), and " + p.regexError() + "; the path is skipped");
                return;
            }
        }
        boolean sslRedirect = c.redirects.force() || (c.redirects.ifTls() && tls.hasTls(p.host));
        Route existing = table.add(p.route(backend, c.source, sslRedirect, tls.hasCertificate(p.host), policy,
                regex));
        p.conflict = existing == null ? null : new Problem(c.ref, p.field(), Reason.PathConflict, "host '"
                + (p.host.isEmpty() ? "*" : p.host) + "' path " + p.path + " (" + p.type.kubernetesName()
                + ") is already served by " + (existing.source().equals(c.source)
                        ? "an earlier path of this Ingress" : "Ingress " + existing.source() + ", which is older")
                + "; this path is ignored");
    }

    /**
     * The Ingresses to translate, compiled (remembered from the last translation, or compiled now), oldest first.
     * The order is built from the last translation's, so the sort is close to one pass.
     */
    List<CompiledIngress> taken(List<Ingress> accepted, Map<Ingress, CompiledIngress> used) {
        long mark = ++translations;
        List<CompiledIngress> fresh = new ArrayList<>();
        for (Ingress ingress : accepted) {
            CompiledIngress c = byObject.get(ingress);
            if (c == null) {
                c = CompiledIngress.compile(ingress);
                fresh.add(c);
            }
            if (c.taken != mark) {
                c.taken = mark;
                used.put(ingress, c);
            }
        }
        List<CompiledIngress> out = new ArrayList<>(used.size());
        for (CompiledIngress c : lastOrder) {
            if (c.taken == mark) {
                out.add(c);
            }
        }
        ingressesChanged = !fresh.isEmpty() || out.size() != lastOrder.size();
        out.addAll(fresh);
        out.sort(OLDEST_FIRST);
        return out;
    }

    static final Comparator<CompiledIngress> OLDEST_FIRST = Comparator.comparing(c -> c.order);

    /**
     * The Ingresses with problems after a patch, oldest first: those of the last translation but {@code removed} and
     * {@code replayed}, and the replayed ones that have problems now.
     */
    List<CompiledIngress> problemOwners(List<CompiledIngress> removed, Set<CompiledIngress> replayed) {
        Set<CompiledIngress> dropped = Collections.newSetFromMap(new IdentityHashMap<>());
        dropped.addAll(removed);
        dropped.addAll(replayed);
        List<CompiledIngress> out = new ArrayList<>(problemOwners.size() + 2);
        for (CompiledIngress c : problemOwners) {
            if (!dropped.contains(c)) {
                out.add(c);
            }
        }
        for (CompiledIngress c : replayed) {
            if (!c.problems.isEmpty()) {
                out.add(c);
            }
        }
        out.sort(OLDEST_FIRST); // exact: keys are distinct (orderHasTies is false on this path)
        return out;
    }

    /** Called at the end of a full translation with what it used: keeps that, forgets the rest. */
    void endOfTranslation(Map<Ingress, CompiledIngress> usedIngresses, List<CompiledIngress> taken,
                          TranslatorConfig translatedWith, TlsResolver tlsPass) {
        byObject = usedIngresses;
        lastOrder = taken;
        lastConfig = translatedWith;
        lastTls = tlsPass;
        byHost = null;
        problemOwners = new ArrayList<>();
        orderHasTies = false;
        for (int i = 0; i < taken.size(); i++) {
            CompiledIngress c = taken.get(i);
            if (!c.problems.isEmpty()) {
                problemOwners.add(c);
            }
            orderHasTies |= i > 0 && taken.get(i - 1).order.equals(c.order);
        }
        credentials.endOfTranslation();
    }

    /** Remembers a full translation and its inputs, for {@link Translator}'s cheap paths. */
    void remember(ClusterState state, Translation result, Object defaultFrom, int leading, int trailing) {
        lastResult = result;
        lastIngresses = state.ingresses();
        lastClasses = state.ingressClasses();
        lastSecrets = state.secrets();
        defaultOwner = defaultFrom;
        leadingProblems = leading;
        trailingProblems = trailing;
        uses = null;
    }

    /**
     * Adds the hosts {@code removed} and {@code added} have paths on to {@code hosts}, and moves the Ingresses into
     * and out of {@link #ingressesOn} accordingly.
     */
    void hostsChanged(List<CompiledIngress> removed, List<CompiledIngress> added, Set<String> hosts) {
        Map<String, List<CompiledIngress>> index = byHost();
        for (CompiledIngress c : removed) {
            for (String host : pathHosts(c)) {
                hosts.add(host);
                List<CompiledIngress> on = index.get(host);
                on.remove(c); // by identity: CompiledIngress keeps Object's equals
                if (on.isEmpty()) {
                    index.remove(host);
                }
            }
        }
        for (CompiledIngress c : added) {
            for (String host : pathHosts(c)) {
                hosts.add(host);
                List<CompiledIngress> on = index.computeIfAbsent(host, h -> new ArrayList<>(1));
                int at = on.size();
                while (at > 0 && OLDEST_FIRST.compare(on.get(at - 1), c) > 0) {
                    at--;
                }
                on.add(at, c);
            }
        }
    }

    /** The taken Ingresses with paths on {@code host}, oldest first. */
    List<CompiledIngress> ingressesOn(String host) {
        return byHost().getOrDefault(host, List.of());
    }

    private Map<String, List<CompiledIngress>> byHost() {
        if (byHost == null) {
            byHost = new HashMap<>();
            for (CompiledIngress c : lastOrder) {
                for (String host : pathHosts(c)) {
                    byHost.computeIfAbsent(host, h -> new ArrayList<>(1)).add(c);
                }
            }
        }
        return byHost;
    }

    /** The distinct hosts of an Ingress's valid paths. */
    private static Set<String> pathHosts(CompiledIngress c) {
        Set<String> hosts = null;
        for (CompiledIngress.Step step : c.steps) {
            if (step instanceof CompiledIngress.PathRule p) {
                if (hosts == null) {
                    hosts = new HashSet<>(2);
                }
                hosts.add(p.host);
            }
        }
        return hosts == null ? Set.of() : hosts;
    }

    /**
     * Moves the references of {@code removed} and {@code added} (replayed, so resolved) out of and into
     * {@link #uses}. Returns whether the set of Services referenced changed.
     */
    boolean usesChanged(List<CompiledIngress> removed, List<CompiledIngress> added) {
        Map<String, List<Use>> all = uses();
        Set<String> emptied = new HashSet<>();
        Set<String> created = new HashSet<>();
        for (CompiledIngress c : removed) {
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p
                        && p.resolvedRef() instanceof CompiledIngress.ServiceRef ref) {
                    List<Use> list = all.get(ref.key());
                    if (list != null && list.removeIf(u -> u.step() == p) && list.isEmpty()) {
                        all.remove(ref.key());
                        emptied.add(ref.key());
                    }
                }
            }
        }
        for (CompiledIngress c : added) {
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p
                        && p.resolvedRef() instanceof CompiledIngress.ServiceRef ref) {
                    List<Use> list = all.get(ref.key());
                    if (list == null) {
                        all.put(ref.key(), list = new ArrayList<>(1));
                        if (!emptied.remove(ref.key())) { // replaced by an Ingress of the same Service: no change
                            created.add(ref.key());
                        }
                    }
                    list.add(new Use(c, p, ref, this));
                }
            }
        }
        return !emptied.isEmpty() || !created.isEmpty();
    }

    /**
     * The backends the paths of {@code removed} referenced that no reference left in {@link #uses} (updated by
     * {@link #usesChanged}) has: their endpoint entries go.
     */
    Set<Backend> unused(List<CompiledIngress> removed) {
        Set<Backend> out = new HashSet<>();
        for (CompiledIngress c : removed) {
            for (CompiledIngress.Step step : c.steps) {
                if (step instanceof CompiledIngress.PathRule p && p.resolution != null) {
                    out.add(p.resolution.backend());
                }
            }
        }
        out.removeIf(b -> {
            for (Use u : uses().getOrDefault(b.namespace() + "/" + b.service(), List.of())) {
                if (u.resolution() != null && u.resolution().backend().equals(b)) {
                    return true; // still referenced
                }
            }
            return false;
        });
        return out;
    }

    /** Remembers a translation {@link Translator}'s Ingress-only path made by patching the last one. */
    void patched(ClusterState state, List<CompiledIngress> removed, List<CompiledIngress> added,
                 List<CompiledIngress> newOrder, List<CompiledIngress> owners, Translation result) {
        problemOwners = owners;
        for (CompiledIngress c : removed) {
            byObject.remove(c.ingress);
        }
        for (CompiledIngress c : added) {
            byObject.put(c.ingress, c);
        }
        lastOrder = newOrder;
        lastResult = result;
        lastIngresses = state.ingresses();
        ingressesOnly++;
    }

    /**
     * The references to look at for Services that may have changed: those of {@code changedServices}, or all of them
     * when that is null (not known).
     */
    Iterable<Map.Entry<String, List<Use>>> usesToCheck(Set<String> changedServices) {
        Map<String, List<Use>> all = uses();
        if (changedServices == null) {
            return all.entrySet();
        }
        List<Map.Entry<String, List<Use>>> out = new ArrayList<>();
        for (String key : changedServices) {
            List<Use> list = all.get(key);
            if (list != null) {
                out.add(Map.entry(key, list));
            }
        }
        return out;
    }

    /** The references to each Service in the last translation, by {@code namespace/name}. */
    Map<String, List<Use>> uses() {
        if (uses == null) {
            uses = new HashMap<>();
            for (CompiledIngress c : lastOrder) {
                for (CompiledIngress.Step step : c.steps) {
                    CompiledIngress.ServiceRef ref = step instanceof CompiledIngress.BackendStep b
                            ? b.resolvedRef() : null;
                    if (ref != null) {
                        uses.computeIfAbsent(ref.key(), k -> new ArrayList<>(1)).add(new Use(c, step, ref, this));
                    }
                }
            }
            if (defaultOwner instanceof TranslatorConfig flags && defaultService != null) {
                ObjectRef svc = flags.defaultBackendService();
                uses.computeIfAbsent(svc.namespace() + "/" + svc.name(), k -> new ArrayList<>(1))
                        .add(new Use(null, flags, CompiledIngress.ServiceRef.of(svc.namespace(), svc.name(), null,
                                null), this));
            }
        }
        return uses;
    }

    /** For tests: how many translations took the cheap path (only Services changed). */
    private int servicesOnly;

    /** For tests: how many translations patched the last one for a few changed Ingresses. */
    private int ingressesOnly;

    /** For tests: how many translations took the Services-only path. */
    int servicesOnlyCount() {
        return servicesOnly;
    }

    /** For tests: how many translations patched a few Ingresses in. */
    int ingressesOnlyCount() {
        return ingressesOnly;
    }

    /** For tests: how many parsed Secrets are remembered. */
    int rememberedCredentials() {
        return credentials.size();
    }

    /** For tests: how many Ingresses are remembered. */
    int compiledIngresses() {
        return byObject.size();
    }
}
