package dev.pier.watcher.translate;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.PathNormalizer;
import dev.pier.proxy.route.PathRegex;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.Source;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.PatternSyntaxException;

/**
 * What a translation needs of one Ingress that depends on that Ingress alone: its hosts and paths validated, its
 * backend references checked, its annotations read, and the problems all of that found. Compiled once per Ingress
 * object and replayed by every translation while the object is unchanged; what depends on other objects (Services,
 * endpoints, Secrets, older Ingresses) is decided at replay.
 *
 * <p>The steps keep the order of the Ingress's fields, so a replay reports problems in the same order as reading the
 * Ingress front to back would.
 */
final class CompiledIngress {
    final Ingress ingress;
    final ObjectRef ref;
    final Source source;
    /** Orders Ingresses oldest first: creation time, then namespace, then name (NUL-separated). */
    final String order;
    /** False when the Ingress has no spec: it is served (taken by its class) but contributes nothing. */
    final boolean hasSpec;
    final Redirects redirects;
    /** What its paths do beside routing, from its annotations (body limit, redirect, access lists...). */
    final Policy policy;
    /** Whether its annotations set the body limit; if not, {@link #policy(long)} applies the configured default. */
    private final boolean bodyLimitSet;
    private Policy withDefaultLimit; // the policy with the last default applied, reused across translations
    final List<Step> steps;
    /** Whether the Ingress has {@code spec.tls} sections: they decide certificates and redirects of other hosts. */
    final boolean hasTls;
    /** Whether the Ingress has a valid {@code spec.defaultBackend}: it may decide the table's default route. */
    final boolean hasDefaultBackend;
    /** {@code use-regex} or {@code rewrite-target}: every non-Exact path of its hosts is a regular expression. */
    final boolean regex;
    /** {@code from-to-www-redirect}: the www (or non-www) twin of each of its hosts redirects to it. */
    final boolean wwwRedirect;
    /** {@code server-alias}: more host names that serve what its hosts serve. */
    final List<String> aliases;
    /** {@code proxy-ssl-secret} with HTTPS to the upstream: read from the Secret at translation; null for none. */
    final Annotations.ProxySsl proxySsl;
    // Confined to the translating thread, like the whole cache:
    /** The number of the last translation that took this Ingress. */
    long taken;
    /** The problems of its steps in the last replay, in step order ({@link #problems()}). */
    List<Problem> problems = List.of();

    /** One thing the replay does, in field order. */
    sealed interface Step permits Fixed, DefaultBackend, PathRule {}

    /** A problem of the Ingress alone (an invalid host, path, backend or annotation). */
    record Fixed(Problem problem) implements Step {}

    /** A step that sends requests to a backend: what it resolved to in the last replay, and its conflict. */
    abstract static class BackendStep {
        final Target target;
        // the last replay's results; confined to the translating thread
        BackendResolver.Resolution resolution;
        /**
         * Set when the replay could not serve the step: an older Ingress (or an earlier path of this one) holds what
         * it claims, or its path is not the regular expression its host needs.
         */
        Problem conflict;
        /** Whether the last replay resolved a Service reference ({@link #resolution} is then current). */
        boolean resolvedLast;

        BackendStep(Target target) {
            this.target = target;
        }

        /**
         * The backend: a Service reference resolved (again only when its Service changed), or the fixed one; a guarded
         * reference is refused unless {@code serveGuardsOpen} and the guard parsed.
         */
        Backend resolve(BackendResolver resolver, boolean serveGuardsOpen) {
            ServiceRef ref = target instanceof ServiceRef s ? s
                    : target instanceof Guarded g && serveGuardsOpen && !g.broken() ? g.ref() : null;
            resolvedLast = ref != null;
            if (ref != null) {
                resolution = resolver.resolve(ref, resolution);
                return resolution.backend();
            }
            return target instanceof Guarded g ? g.refused() : ((FixedBackend) target).backend();
        }

        /** The Service reference the last replay resolved, or null. */
        ServiceRef resolvedRef() {
            if (!resolvedLast) {
                return null;
            }
            return target instanceof Guarded g ? g.ref() : (ServiceRef) target;
        }
    }

    /** {@code spec.defaultBackend}, valid as written. */
    static final class DefaultBackend extends BackendStep implements Step {
        DefaultBackend(Target target) {
            super(target);
        }
    }

    /**
     * One valid path of a rule. Holds the route the last replay built, so a replay with the same backend and flags
     * hands out the same {@link Route} object: the proxy's per-route state (meters) then carries over.
     */
    static final class PathRule extends BackendStep implements Step {
        final String host;
        final String path;
        final PathType type;
        final int rule;
        final int index;
        Route last; // the last replay's route
        private PathRegex regex; // compiled when first needed: when its host has regex paths
        private String regexError;

        PathRule(String host, String path, PathType type, Target target, int rule, int index, PathRegex regex) {
            super(target);
            this.regex = regex;
            this.host = host;
            this.path = path;
            this.type = type;
            this.rule = rule;
            this.index = index;
        }

        String field() {
            return pathField(rule, index);
        }

        /** Its path as a regular expression, or null when it is not one ({@link #regexError} says why). */
        PathRegex regex() {
            if (regex == null && regexError == null) {
                regexError = invalidRegex(path);
                if (regexError == null) {
                    regex = PathRegex.compile(path);
                }
            }
            return regex;
        }

        String regexError() {
            return regexError;
        }

        /** The route of this path, the last one when nothing it carries changed (its identity keys the meters). */
        Route route(Backend backend, Source source, boolean sslRedirect, boolean hsts, Policy policy,
                    PathRegex matchedBy) {
            Route r = last;
            if (r == null || !r.backend().equals(backend) || r.sslRedirect() != sslRedirect || r.hsts() != hsts
                    || !r.policy().equals(policy) || r.regex() != matchedBy) {
                r = new Route(host, path, type, backend, source, sslRedirect, hsts, policy, matchedBy);
                last = r;
            }
            return r;
        }
    }

    /** Where a valid backend reference points. */
    sealed interface Target permits ServiceRef, FixedBackend, Guarded {}

    /**
     * A Service port in the Ingress's namespace, resolved at replay.
     *
     * @param key {@code namespace/name}
     * @param portName the port by name, or null
     * @param portNumber the port by number, or null; both null means the Service's first port
     */
    record ServiceRef(String namespace, String name, String key, String portName, Integer portNumber,
                      boolean clusterIp) implements Target {
        /** A reference served by the Service's endpoints. */
        static ServiceRef of(String namespace, String name, String portName, Integer portNumber) {
            return of(namespace, name, portName, portNumber, false);
        }

        /** A reference served by the Service's endpoints, or with {@code clusterIp} by its cluster IP. */
        static ServiceRef of(String namespace, String name, String portName, Integer portNumber, boolean clusterIp) {
            return new ServiceRef(namespace, name, namespace + "/" + name,
                    portName == null || portName.isEmpty() ? null : portName, portName == null || portName.isEmpty()
                            ? portNumber : null, clusterIp);
        }

        /** The port as the Ingress wrote it, for messages and the routes dump. */
        String portLabel() {
            return portName != null ? portName : portNumber != null ? String.valueOf(portNumber) : "first";
        }
    }

    /** A backend that resolves to the same thing whatever the cluster holds (an unsupported resource backend). */
    record FixedBackend(Backend backend) implements Target {}

    /**
     * A Service reference of an Ingress with an access guard Pier cannot enforce ({@code key}): the {@code refused}
     * backend (503), unless the configuration serves such routes open and the guard is not {@code broken} (an
     * allowlist that did not parse always fails closed).
     */
    record Guarded(ServiceRef ref, String key, boolean broken, Backend refused) implements Target {}

    private CompiledIngress(Ingress ingress, ObjectRef ref, boolean hasSpec, Annotations.Policies policies,
                            List<Step> steps) {
        this.ingress = ingress;
        this.ref = ref;
        this.source = new Source(ref.namespace(), ref.name());
        String created = ingress.getMetadata().getCreationTimestamp();
        this.order = (created == null ? "" : created) + '\0' + (ref.namespace() == null ? "" : ref.namespace()) + '\0'
                + ref.name();
        this.hasSpec = hasSpec;
        this.redirects = policies.redirects();
        this.policy = policies.route();
        this.bodyLimitSet = policies.bodyLimitSet();
        this.steps = steps;
        this.hasTls = hasSpec && ingress.getSpec().getTls() != null && !ingress.getSpec().getTls().isEmpty();
        boolean defaultBackend = false;
        for (Step s : steps) {
            defaultBackend |= s instanceof DefaultBackend;
        }
        this.hasDefaultBackend = defaultBackend;
        this.regex = policies.regex();
        this.wwwRedirect = policies.wwwRedirect();
        this.aliases = policies.aliases();
        this.proxySsl = policies.proxySsl();
    }

    /**
     * Its paths' policy under a default body limit ({@code --proxy-body-size}), which its own
     * {@code proxy-body-size} overrides.
     */
    Policy policy(long defaultMaxBodyBytes) {
        if (bodyLimitSet) {
            return policy;
        }
        Policy p = withDefaultLimit;
        if (p == null || p.maxBodyBytes() != defaultMaxBodyBytes) {
            withDefaultLimit = p = policy.withMaxBodyBytes(defaultMaxBodyBytes);
        }
        return p;
    }

    /**
     * The problems of the steps as the last replay left them, in step order: a fixed problem, an unresolvable
     * Service, a conflict. The one definition of the order a replay reports in.
     */
    List<Problem> problems() {
        List<Problem> out = null;
        for (Step step : steps) {
            Problem first = null;
            Problem second = null;
            switch (step) {
                case Fixed f -> first = f.problem();
                case DefaultBackend d -> {
                    first = d.resolvedLast ? d.resolution.problem(ref, "spec.defaultBackend.service") : null;
                    second = d.conflict;
                }
                case PathRule p -> {
                    first = p.resolvedLast && p.resolution.reason() != null
                            ? p.resolution.problem(ref, p.field() + ".backend.service") : null;
                    second = p.conflict;
                }
            }
            if (first != null || second != null) {
                out = out == null ? new ArrayList<>(2) : out;
                if (first != null) {
                    out.add(first);
                }
                if (second != null) {
                    out.add(second);
                }
            }
        }
        return out == null ? List.of() : List.copyOf(out);
    }

    static CompiledIngress compile(Ingress ingress) {
        ObjectRef ref = ObjectRef.of(ingress);
        if (ingress.getSpec() == null) {
            return new CompiledIngress(ingress, ref, false, Annotations.Policies.DEFAULT, List.of());
        }
        List<Step> steps = new ArrayList<>();
        List<Problem> annotationProblems = new ArrayList<>();
        Annotations.Policies policies = Annotations.read(ingress, ref, annotationProblems);
        for (Problem p : annotationProblems) {
            steps.add(new Fixed(p));
        }
        IngressBackend def = ingress.getSpec().getDefaultBackend();
        if (def != null) {
            Target target = target(def, ref, -1, -1, policies, steps);
            if (target != null) {
                steps.add(new DefaultBackend(target));
            }
        }
        List<IngressRule> rules = ingress.getSpec().getRules();
        for (int r = 0; rules != null && r < rules.size(); r++) {
            compileRule(rules.get(r), r, ref, policies, steps);
        }
        return new CompiledIngress(ingress, ref, true, policies, List.copyOf(steps));
    }

    /** The field of a backend: rule {@code r}'s path {@code p}, or the default backend when {@code r < 0}. */
    private static String backendField(int r, int p) {
        return r < 0 ? "spec.defaultBackend" : pathField(r, p) + ".backend";
    }

    /** The field of rule {@code r}'s path {@code p}, for problems (built only when there is one). */
    static String pathField(int r, int p) {
        return "spec.rules[" + r + "].http.paths[" + p + "]";
    }

    private static void compileRule(IngressRule rule, int r, ObjectRef ref, Annotations.Policies policies,
                                    List<Step> steps) {
        String field = "spec.rules[" + r + "]";
        String host = rule.getHost() == null ? "" : rule.getHost().toLowerCase(Locale.ROOT);
        if (!host.isEmpty() && !Hosts.isValid(host)) {
            steps.add(new Fixed(new Problem(ref, field + ".host", Reason.InvalidHost, "'" + rule.getHost()
                    + "' is not a DNS name or a one-label wildcard (*.example.com); the rule is skipped")));
            return;
        }
        if (rule.getHttp() == null || rule.getHttp().getPaths() == null) {
            return;
        }
        List<HTTPIngressPath> paths = rule.getHttp().getPaths();
        for (int p = 0; p < paths.size(); p++) {
            HTTPIngressPath path = paths.get(p);
            PathType type = PathType.fromKubernetesName(path.getPathType());
            if (type == null) {
                steps.add(new Fixed(new Problem(ref, pathField(r, p) + ".pathType", Reason.InvalidPath, "pathType '"
                        + path.getPathType()
                        + "' must be Exact, Prefix or ImplementationSpecific; the path is skipped")));
                continue;
            }
            String value = path.getPath();
            if ((value == null || value.isEmpty()) && type == PathType.IMPLEMENTATION_SPECIFIC) {
                value = "/";
            }
            boolean asRegex = policies.regex() && type != PathType.EXACT; // use-regex: the Ingress's own paths
            String invalid = asRegex ? invalidRegex(value) : invalidPath(value);
            if (invalid != null) {
                steps.add(new Fixed(new Problem(ref, pathField(r, p) + ".path", asRegex ? Reason.InvalidAnnotation
                        : Reason.InvalidPath, invalid + "; the path is skipped")));
                continue;
            }
            Target target = target(path.getBackend(), ref, r, p, policies, steps);
            if (target != null) {
                steps.add(new PathRule(host, value, type, target, r, p, asRegex ? PathRegex.compile(value) : null));
            }
        }
    }

    /**
     * The reference's target, or null (with a problem step) when the reference itself is malformed. With an
     * unenforced guard (an access-guarding annotation Pier cannot enforce) a valid reference becomes a backend that
     * answers 503: fail closed, never the application served open.
     */
    private static Target target(IngressBackend b, ObjectRef ref, int rule, int path, Annotations.Policies policies,
                                 List<Step> steps) {
        String guard = policies.unenforcedGuard();
        if (b == null || (b.getService() == null) == (b.getResource() == null)) {
            steps.add(new Fixed(new Problem(ref, backendField(rule, path), Reason.InvalidBackend,
                    "a backend needs exactly one of service or resource; the path is skipped")));
            return null;
        }
        if (b.getResource() != null) {
            String msg = "resource backends (" + b.getResource().getKind() + " " + b.getResource().getName()
                    + ") are not supported";
            steps.add(new Fixed(new Problem(ref, backendField(rule, path) + ".resource", Reason.UnsupportedBackend, msg
                    + "; the route answers 503")));
            return new FixedBackend(Backend.refused(ref.namespace(), b.getResource().getName(), "-", msg));
        }
        var svc = b.getService();
        if (svc.getName() == null || svc.getName().isEmpty() || svc.getPort() == null
                || (svc.getPort().getNumber() == null
                        && (svc.getPort().getName() == null || svc.getPort().getName().isEmpty()))) {
            steps.add(new Fixed(new Problem(ref, backendField(rule, path) + ".service", Reason.InvalidBackend,
                    "a service backend needs a name and a port number or name; the path is skipped")));
            return null;
        }
        // Same namespace as the Ingress, always: v1 has no cross-namespace Service references.
        ServiceRef service = ServiceRef.of(ref.namespace(), svc.getName(), svc.getPort().getName(),
                svc.getPort().getNumber(), policies.serviceUpstream());
        Object port = svc.getPort().getNumber() != null ? svc.getPort().getNumber() : svc.getPort().getName();
        if (policies.refusal() != null) {
            return new FixedBackend(Backend.refused(ref.namespace(), svc.getName(), String.valueOf(port),
                    policies.refusal()));
        }
        if (guard != null) {
            return new Guarded(service, guard, policies.guardBroken(), Backend.refused(ref.namespace(), svc.getName(),
                    String.valueOf(port), "annotation " + guard + (policies.guardBroken()
                            ? " guards access and does not parse: 503 rather than open"
                            : " guards access and Pier cannot enforce it yet: 503 rather than open")));
        }
        return service;
    }

    /**
     * What every rule path needs, plain or regular expression: it starts with {@code /}, fits a table, and has no
     * space or control character (nor, for a plain path, {@code ?} or {@code #}). The reason it has not, or null.
     */
    private static String invalidShape(String path, boolean plain) {
        if (path == null || path.isEmpty() || path.charAt(0) != '/') {
            return "path '" + path + "' must start with /";
        }
        if (path.length() > Route.MAX_PATH_LENGTH) {
            return "path is longer than " + Route.MAX_PATH_LENGTH + " characters";
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= ' ' || c == 0x7f || (plain && (c == '?' || c == '#'))) {
                return "path '" + path + "' contains a character a request path cannot (space, control"
                        + (plain ? ", ? or #)" : ")");
            }
        }
        return null;
    }

    /** Why a path cannot be served, or null when it can. */
    private static String invalidPath(String path) {
        String shape = invalidShape(path, true);
        if (shape != null) {
            return shape;
        }
        String normal = PathNormalizer.normalize(path);
        if (!path.equals(normal)) {
            return "path '" + path + "' is not in normal form: requests are normalized before matching, so it could"
                    + " never match" + (normal == null ? "" : "; write '" + normal + "'");
        }
        return null;
    }

    /**
     * Why a path cannot be served as a regular expression ({@code use-regex}), or null when it can: it starts with
     * {@code /}, has no space or control character, and compiles.
     */
    static String invalidRegex(String path) {
        String shape = invalidShape(path, false);
        if (shape != null) {
            return shape;
        }
        try {
            PathRegex.compile(path);
            return null;
        } catch (PatternSyntaxException e) {
            return "path '" + path + "' is not a regular expression (use-regex): " + e.getDescription() + " near"
                    + " index " + e.getIndex();
        }
    }
}
