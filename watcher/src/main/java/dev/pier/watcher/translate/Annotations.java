package dev.pier.watcher.translate;

import dev.pier.proxy.route.Access;
import dev.pier.proxy.route.AddressRanges;
import dev.pier.proxy.route.Cors;
import dev.pier.proxy.route.LocationRewrite;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Redirect;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.UpstreamTls;
import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The one registry of the Ingress annotations Pier reads: ingress-nginx's ({@code nginx.ingress.kubernetes.io/KEY})
 * and Pier's own ({@code pier.dev/KEY}, which wins when both are set). Every key under either prefix is in one of
 * four kinds, and none is ever dropped silently:
 *
 * <ul>
 *   <li>{@link Support#SUPPORTED}: parsed and validated once, when the Ingress is compiled, into a typed policy; an
 *       invalid value is an {@code InvalidAnnotation} problem and the route keeps its default behaviour.
 *   <li>{@link Support#NO_OP}: what the key asks for is what Pier does anyway (it streams bodies, say); accepted
 *       without a warning.
 *   <li>{@link Support#GUARD}: the key guards access (authentication, allowlists, rate limits) and Pier cannot enforce
 *       it yet. It fails closed: every route of the Ingress answers 503 rather than serve the application open, and
 *       an {@code UnsupportedAnnotation} problem says why.
 *   <li>{@link Support#UNSUPPORTED}, and every key not listed: an {@code UnsupportedAnnotation} problem (a Warning
 *       Event once per Ingress and key, the {@code pier_unsupported_annotations} gauge, a line in {@code /routes}'s
 *       problems), and the Ingress is served without it.
 * </ul>
 *
 * <p>Adding an annotation: its entry here, the policy it yields, the step that applies it, and their tests.
 */
final class Annotations {
    static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";
    static final String PIER_PREFIX = "pier.dev/";

    /** What Pier does with a key. */
    enum Support { SUPPORTED, NO_OP, GUARD, UNSUPPORTED }

    /** One key, without its prefix, and what Pier does with it. */
    record Key(String name, Support support, String note) {}

    /**
     * The policies an Ingress's annotations give.
     *
     * @param redirects the HTTPS redirect settings, which the translation combines with the TLS sections
     * @param unenforcedGuard the first access-guarding key Pier cannot apply (its routes fail closed); null for none
     * @param guardBroken an access guard did not parse: the routes fail closed whatever the configuration says
     * @param refusal why its Service backends cannot be served at all (a backend protocol Pier does not speak yet):
     *     they answer 503; null when they can
     * @param route what each of its routes does beside routing
     * @param bodyLimitSet whether {@code proxy-body-size} is set (validly); if not, the configured default applies
     * @param serviceUpstream {@code service-upstream}: proxy to each Service's cluster IP, not its endpoints
     * @param regex {@code use-regex} or {@code rewrite-target}: every non-Exact path of the Ingress's hosts, whichever
     *     Ingress it comes from, is a case-insensitive regular expression, as in ingress-nginx
     * @param wwwRedirect {@code from-to-www-redirect}: the www (or non-www) twin of each of its hosts redirects there
     * @param aliases {@code server-alias}: more host names that serve what its hosts serve
     * @param proxySsl {@code proxy-ssl-secret} with {@code backend-protocol: HTTPS}: the Secret the translation reads
     *     the upstream's CA and Pier's client certificate from; null for none
     */
    record Policies(Redirects redirects, String unenforcedGuard, boolean guardBroken, String refusal, Policy route,
                    boolean bodyLimitSet, boolean serviceUpstream, boolean regex, boolean wwwRedirect,
                    List<String> aliases, ProxySsl proxySsl) {
        static final Policies DEFAULT = new Policies(Redirects.DEFAULT, null, false, null, Policy.NONE, false, false,
                false, false, List.of(), null);
    }

    /**
     * {@code proxy-ssl-secret} and what it is for: the Secret (of the Ingress's namespace), whether its
     * {@code ca.crt} verifies the upstream ({@code proxy-ssl-verify}), how deep ({@code proxy-ssl-verify-depth}), and
     * the name checked ({@code proxy-ssl-name}; {@code ""} for the rule's host).
     */
    record ProxySsl(String field, String secret, boolean verify, int depth, String name) {}

    private static final String STREAMS = "Pier streams request and response bodies without buffering them";

    /** What to use instead of the snippets' common uses. */
    private static final String SNIPPET = "nginx configuration is never executed by Pier (ingress-nginx disables"
            + " snippets by default too); use the annotation for what it did: a redirect (return 301/302):"
            + " permanent-redirect or temporal-redirect; a rewrite: rewrite-target; CORS headers: enable-cors; the"
            + " upstream's Host (proxy_set_header Host): upstream-vhost; the client's address from a load balancer"
            + " (real_ip): --trusted-proxies or the PROXY protocol; other added headers (add_header,"
            + " more_set_headers, proxy_set_header) have no equivalent yet";

    private static final Map<String, Key> KEYS = index(
            new Key("ssl-redirect", Support.SUPPORTED,
                    "redirect plain HTTP to HTTPS for hosts with a TLS section (default true), with 308"),
            new Key("force-ssl-redirect", Support.SUPPORTED,
                    "redirect plain HTTP to HTTPS even without a TLS section (default false), with 308"),
            new Key("proxy-body-size", Support.SUPPORTED,
                    "larger request bodies get 413 (nginx sizes: 8m, 512k, 1g; 0 for no limit); without it,"
                            + " --proxy-body-size (1m)"),
            new Key("permanent-redirect", Support.SUPPORTED, "every request is redirected to this URL, with 301"),
            new Key("permanent-redirect-code", Support.SUPPORTED, "the status of permanent-redirect (300 to 308)"),
            new Key("temporal-redirect", Support.SUPPORTED,
                    "every request is redirected to this URL, with 302; it wins over permanent-redirect"),
            new Key("temporal-redirect-code", Support.SUPPORTED, "the status of temporal-redirect (300 to 308)"),

            new Key("proxy-buffering", Support.NO_OP, STREAMS),
            new Key("proxy-request-buffering", Support.NO_OP, STREAMS),
            new Key("proxy-buffer-size", Support.NO_OP, STREAMS),
            new Key("proxy-buffers-number", Support.NO_OP, STREAMS),
            new Key("proxy-max-temp-file-size", Support.NO_OP, STREAMS),
            new Key("client-body-buffer-size", Support.NO_OP, STREAMS),

            guard("auth-url"), guard("auth-method"), guard("auth-signin"), guard("auth-signin-redirect-param"),
            guard("auth-response-headers"), guard("auth-request-redirect"), guard("auth-cache-key"),
            guard("auth-cache-duration"), guard("auth-snippet"), guard("auth-proxy-set-headers"),
            guard("auth-always-set-cookie"), guard("auth-keepalive"), guard("enable-global-auth"),
            guard("auth-type"), guard("auth-secret"), guard("auth-secret-type"), guard("auth-realm"),
            guard("auth-tls-secret"), guard("auth-tls-verify-client"), guard("auth-tls-verify-depth"),
            guard("auth-tls-error-page"), guard("auth-tls-pass-certificate-to-upstream"), guard("auth-tls-match-cn"),
            new Key("upstream-vhost", Support.SUPPORTED,
                    "the Host header the upstream receives (X-Forwarded-Host keeps the client's)"),
            new Key("x-forwarded-prefix", Support.SUPPORTED, "sent to the upstream as X-Forwarded-Prefix"),
            new Key("app-root", Support.SUPPORTED, "a request for / is redirected (302) to this path"),
            new Key("from-to-www-redirect", Support.SUPPORTED, "requests for www.HOST go to HOST (or for HOST to"
                    + " www.HOST), with 308, unless an Ingress has rules for that host"),
            new Key("proxy-redirect-from", Support.SUPPORTED, "with proxy-redirect-to: a Location or Refresh header"
                    + " of the upstream that starts with this gets proxy-redirect-to instead"),
            new Key("proxy-redirect-to", Support.SUPPORTED, "what replaces proxy-redirect-from in Location headers"),
            new Key("server-alias", Support.SUPPORTED, "more host names, comma-separated, that serve what the"
                    + " Ingress's hosts serve; a name that is the host of an Ingress rule is left out"),
            new Key("backend-protocol", Support.SUPPORTED, "HTTP (the default) or HTTPS to the endpoints; GRPC, GRPCS,"
                    + " FCGI and AUTO_HTTP are not supported yet: the routes answer 503 rather than speak HTTP/1.1"),
            new Key("proxy-ssl-server-name", Support.SUPPORTED, "with backend-protocol HTTPS: \"on\" sends the server"
                    + " name (proxy-ssl-name, else the rule's host); off by default"),
            new Key("proxy-ssl-name", Support.SUPPORTED, "the server name sent with proxy-ssl-server-name on"),
            new Key("proxy-ssl-secret", Support.SUPPORTED, "with backend-protocol HTTPS: a Secret of the Ingress's"
                    + " namespace (namespace/name) whose ca.crt verifies the upstream (proxy-ssl-verify on) and whose"
                    + " tls.crt and tls.key Pier presents to it"),
            new Key("proxy-ssl-verify-depth", Support.SUPPORTED, "how far from a ca.crt certificate the upstream's"
                    + " may be: 1 (the default) when a CA certificate issued it"),
            new Key("proxy-ssl-verify", Support.SUPPORTED, "\"off\" (the default) does not verify the upstream's"
                    + " certificate; \"on\" cannot be enforced yet and fails closed (503)"),
            new Key("rewrite-target", Support.SUPPORTED, "the path the upstream receives, with $1 to $9 from the path's"
                    + " groups; makes the host's paths regular expressions, as use-regex does"),
            new Key("enable-cors", Support.SUPPORTED, "CORS headers on responses to allowed origins, and preflight"
                    + " requests answered 204 by Pier"),
            new Key("cors-allow-origin", Support.SUPPORTED, "allowed origins, comma-separated (default *);"
                    + " https://*.example.com allows one level of subdomains"),
            new Key("cors-allow-methods", Support.SUPPORTED, "Access-Control-Allow-Methods"),
            new Key("cors-allow-headers", Support.SUPPORTED, "Access-Control-Allow-Headers"),
            new Key("cors-expose-headers", Support.SUPPORTED, "Access-Control-Expose-Headers"),
            new Key("cors-allow-credentials", Support.SUPPORTED, "Access-Control-Allow-Credentials (default true)"),
            new Key("cors-max-age", Support.SUPPORTED, "Access-Control-Max-Age in seconds (default 1728000)"),
            new Key("proxy-connect-timeout", Support.SUPPORTED, "seconds to open a connection to an endpoint, then"
                    + " the next endpoint, then 504 (without it, --connect-timeout)"),
            new Key("proxy-read-timeout", Support.SUPPORTED, "seconds the upstream may stay silent while a request"
                    + " is in flight, then 504 (one timer both ways; without it, --upstream-timeout)"),
            new Key("proxy-send-timeout", Support.SUPPORTED, "as proxy-read-timeout, when that is not set: Pier"
                    + " times upstream silence both ways with one timer"),
            new Key("use-regex", Support.SUPPORTED, "every non-Exact path of the Ingress's hosts is a case-insensitive"
                    + " regular expression matched at the start of the path, longest first"),
            new Key("service-upstream", Support.SUPPORTED,
                    "proxy to the Service's cluster IP and port instead of its endpoints (kube-proxy balances)"),
            new Key("allowlist-source-range", Support.SUPPORTED,
                    "only clients in these CIDRs may use the Ingress's paths; others get 403"),
            new Key("whitelist-source-range", Support.SUPPORTED, "the old name of allowlist-source-range"),
            new Key("denylist-source-range", Support.SUPPORTED,
                    "clients in these CIDRs get 403 on the Ingress's paths"),
            guard("limit-connections"), guard("limit-rps"), guard("limit-rpm"), guard("limit-burst-multiplier"),
            guard("limit-whitelist"), guard("limit-allowlist"), guard("global-rate-limit"),
            guard("global-rate-limit-window"), guard("global-rate-limit-key"), guard("global-rate-limit-ignored-cidrs"),
            guard("satisfy"),

            new Key("configuration-snippet", Support.UNSUPPORTED, SNIPPET),
            new Key("server-snippet", Support.UNSUPPORTED, SNIPPET),
            new Key("stream-snippet", Support.UNSUPPORTED, "nginx configuration is never executed by Pier; TCP and UDP"
                    + " services are not supported"));


    private Annotations() {}

    private static Key guard(String name) {
        return new Key(name, Support.GUARD, "it guards access and Pier cannot enforce it yet");
    }

    private static Map<String, Key> index(Key... keys) {
        Map<String, Key> m = new LinkedHashMap<>();
        for (Key k : keys) {
            m.put(k.name(), k);
        }
        return Map.copyOf(m);
    }

    /** What Pier does with {@code name} (a key without its prefix): its entry, or unsupported when it has none. */
    static Key lookup(String name) {
        Key k = KEYS.get(name);
        return k != null ? k : new Key(name, Support.UNSUPPORTED, "Pier does not support it yet");
    }

    /** Every registered key, for documentation and {@code pier migrate}. */
    static Map<String, Key> registered() {
        return KEYS;
    }

    /**
     * Reads an Ingress's annotations once, at compile time: the policies they give, and a problem for each key Pier
     * does not apply or whose value is invalid, in the order of the keys.
     */
    static Policies read(Ingress ingress, ObjectRef ref, List<Problem> problems) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        if (annotations == null || annotations.isEmpty()) {
            return Policies.DEFAULT;
        }
        String guard = null;
        for (Map.Entry<String, String> e : new TreeMap<>(annotations).entrySet()) {
            String name = name(e.getKey());
            if (name == null) {
                continue; // not ours: kubernetes.io/, cert-manager.io/ and the like
            }
            Key key = lookup(name);
            String field = "metadata.annotations." + e.getKey();
            switch (key.support()) {
                case SUPPORTED, NO_OP -> { }
                case GUARD -> {
                    if (guard == null) {
                        guard = e.getKey();
                    }
                    problems.add(new Problem(ref, field, Reason.UnsupportedAnnotation, key.note()
                            + ": every route of this Ingress answers 503 rather than serve the application open"
                            + " (unless Pier runs with --serve-unenforced-guards-open)"));
                }
                case UNSUPPORTED -> problems.add(new Problem(ref, field, Reason.UnsupportedAnnotation,
                        key.note() + "; the Ingress is served without it"));
            }
        }
        Redirects redirects = new Redirects(flag(annotations, "ssl-redirect", true, ref, problems),
                flag(annotations, "force-ssl-redirect", false, ref, problems));
        Redirect redirect = redirect(annotations, "temporal-redirect", 302, ref, problems);
        if (redirect == null) {
            redirect = redirect(annotations, "permanent-redirect", 301, ref, problems);
        }
        String[] failed = new String[1];
        AddressRanges allow = ranges(annotations, "allowlist-source-range", ref, problems, failed);
        if (allow == null) {
            allow = ranges(annotations, "whitelist-source-range", ref, problems, failed);
        }
        AddressRanges deny = ranges(annotations, "denylist-source-range", ref, problems, failed);
        UpstreamTls upstreamTls = upstreamTls(annotations, ref, problems);
        ProxySsl proxySsl = proxySsl(annotations, upstreamTls, ref, problems, failed);
        if (failed[0] != null) {
            guard = failed[0]; // an access guard that cannot be read fails closed, whatever the configuration
        }
        Access access = allow == null && deny == null ? null
                : new Access(allow == null ? AddressRanges.NONE : allow, deny == null ? AddressRanges.NONE : deny);
        Long bodyLimit = size(annotations, "proxy-body-size", ref, problems);
        String rewrite = rewriteTarget(annotations, ref, problems);
        Long read = seconds(annotations, "proxy-read-timeout", ref, problems);
        Long send = seconds(annotations, "proxy-send-timeout", ref, problems);
        long timeoutNanos = read != null ? read * 1_000_000_000L : send != null ? send * 1_000_000_000L : 0;
        boolean regex = flag(annotations, "use-regex", false, ref, problems)
                || value(annotations, "rewrite-target") != null;
        String refusal = unservable(annotations);
        if (refusal != null) {
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "backend-protocol"),
                    Reason.UnsupportedAnnotation, refusal));
        }
        Policy route = Policy.builder()
                .maxBodyBytes(bodyLimit == null ? Route.NO_LIMIT : bodyLimit)
                .redirect(redirect)
                .access(access)
                .upstreamHost(upstreamHost(annotations, ref, problems))
                .forwardedPrefix(path(annotations, "x-forwarded-prefix", ref, problems))
                .appRoot(path(annotations, "app-root", ref, problems))
                .rewriteTarget(rewrite)
                .upstreamTimeoutNanos(timeoutNanos)
                .cors(cors(annotations, ref, problems))
                .connectTimeoutMillis(connectTimeoutMillis(annotations, ref, problems))
                .locationRewrite(locationRewrite(annotations, ref, problems))
                .upstreamTls(upstreamTls)
                .build();
        return new Policies(redirects, guard, failed[0] != null, refusal, route, bodyLimit != null,
                flag(annotations, "service-upstream", false, ref, problems), regex,
                flag(annotations, "from-to-www-redirect", false, ref, problems), aliases(annotations, ref, problems),
                proxySsl);
    }

    static final String CORS_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
    static final String CORS_HEADERS = "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,"
            + "Content-Type,Range,Authorization";
    private static final Pattern CORS_ORIGIN = Pattern.compile("[a-z][a-z0-9+.-]*://(\\*\\.)?[a-z0-9.-]+(:[0-9]+)?");
    private static final Pattern CORS_METHOD_LIST = Pattern.compile("([A-Za-z]+,?\\s?)+");
    private static final Pattern CORS_HEADER_LIST = Pattern.compile("(([A-Za-z0-9_-]+|\\*),?\\s?)+");

    /**
     * {@code enable-cors} with its {@code cors-*} keys and ingress-nginx's defaults; null when CORS is not enabled.
     * An origin that is not {@code scheme://host[:port]} (or {@code scheme://*.host[:port]}) is reported and skipped,
     * as ingress-nginx skips it; another invalid value is reported and its default applies.
     */
    private static Cors cors(Map<String, String> annotations, ObjectRef ref, List<Problem> problems) {
        if (!flag(annotations, "enable-cors", false, ref, problems)) {
            return null;
        }
        boolean any = false;
        List<String> origins = new ArrayList<>();
        String rawOrigins = value(annotations, "cors-allow-origin");
        if (rawOrigins == null) {
            any = true;
        } else {
            for (String part : rawOrigins.split(",")) {
                String o = part.trim().toLowerCase(Locale.ROOT);
                if (o.equals("*")) {
                    any = true;
                } else if (CORS_ORIGIN.matcher(o).matches()) {
                    origins.add(o);
                } else if (!o.isEmpty()) {
                    problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "cors-allow-origin"),
                            Reason.InvalidAnnotation, "'" + part.trim() + "' is not an origin (scheme://host[:port]);"
                                    + " skipped"));
                }
            }
        }
        String methods = listOr(annotations, "cors-allow-methods", CORS_METHOD_LIST, CORS_METHODS, ref, problems);
        String headers = listOr(annotations, "cors-allow-headers", CORS_HEADER_LIST, CORS_HEADERS, ref, problems);
        String expose = listOr(annotations, "cors-expose-headers", CORS_HEADER_LIST, null, ref, problems);
        Long maxAge = seconds(annotations, "cors-max-age", ref, problems);
        return new Cors(any, any ? List.of() : origins, methods, headers, expose,
                flag(annotations, "cors-allow-credentials", true, ref, problems), maxAge == null ? 1_728_000 : maxAge);
    }

    /** A comma-separated list that must match {@code shape}; otherwise reported, and {@code fallback}. */
    private static String listOr(Map<String, String> annotations, String name, Pattern shape, String fallback,
                                 ObjectRef ref, List<Problem> problems) {
        String raw = value(annotations, name);
        if (raw == null) {
            return fallback;
        }
        String v = raw.trim();
        if (shape.matcher(v).matches()) {
            return v;
        }
        problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, name), Reason.InvalidAnnotation,
                "'" + raw + "' is not a comma-separated list of names; " + (fallback == null ? "none is sent"
                        : "the default applies (" + fallback + ")")));
        return fallback;
    }

    /** {@code proxy-connect-timeout} in milliseconds, at most an hour; 0 when absent or invalid. */
    private static int connectTimeoutMillis(Map<String, String> annotations, ObjectRef ref, List<Problem> problems) {
        Long s = seconds(annotations, "proxy-connect-timeout", ref, problems);
        return s == null ? 0 : (int) Math.min(s, 3600) * 1000;
    }

    /**
     * {@code proxy-redirect-from} and {@code -to}: both set, neither with a space or an nginx variable; {@code off}
     * and {@code default} (nginx's own settings) mean none. Otherwise reported, and none.
     */
    private static LocationRewrite locationRewrite(Map<String, String> annotations, ObjectRef ref,
                                                   List<Problem> problems) {
        String from = value(annotations, "proxy-redirect-from");
        String to = value(annotations, "proxy-redirect-to");
        if (from == null && to == null) {
            return null;
        }
        from = from == null ? null : from.trim();
        to = to == null ? null : to.trim();
        if ("off".equals(from) || "default".equals(from)) {
            return null;
        }
        String why = from == null || to == null ? "needs both proxy-redirect-from and proxy-redirect-to"
                : from.isEmpty() || !plain(from) || !plain(to) ? "has a space, a quote or an nginx variable" : null;
        if (why != null) {
            boolean fromAtFault = from != null && (to != null ? from.isEmpty() || !plain(from) : true);
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations,
                    fromAtFault ? "proxy-redirect-from" : "proxy-redirect-to"), Reason.InvalidAnnotation,
                    "the Location rewrite " + why + "; Location headers pass as sent"));
            return null;
        }
        return new LocationRewrite(from, to);
    }

    /** {@code server-alias}: host names (a one-label wildcard allowed); one that is not is reported and skipped. */
    private static List<String> aliases(Map<String, String> annotations, ObjectRef ref, List<Problem> problems) {
        String raw = value(annotations, "server-alias");
        if (raw == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (Hosts.isValid(name)) {
                out.add(name);
            } else if (!name.isEmpty()) {
                problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "server-alias"),
                        Reason.InvalidAnnotation, "'" + part.trim() + "' is not a host name; skipped"));
            }
        }
        return List.copyOf(out);
    }

    /**
     * {@code proxy-ssl-secret}, {@code proxy-ssl-verify} and {@code proxy-ssl-verify-depth}. Their values are checked
     * whatever the protocol; they matter with HTTPS only. The Secret must be of the Ingress's namespace
     * ({@code namespace/name} as ingress-nginx writes it, or a bare name). Verification without a Secret to verify
     * with, or a Secret of another namespace, fails the Ingress closed ({@code failed}): its routes answer 503 rather
     * than trust an upstream that was meant to be checked.
     */
    private static ProxySsl proxySsl(Map<String, String> annotations, UpstreamTls upstreamTls, ObjectRef ref,
                                     List<Problem> problems, String[] failed) {
        Boolean verify = onOff(annotations, "proxy-ssl-verify", ref, problems);
        int depth = 1;
        String depthValue = value(annotations, "proxy-ssl-verify-depth");
        if (depthValue != null) {
            Integer d = depthValue.trim().matches("[0-9]{1,2}") ? Integer.valueOf(depthValue.trim()) : null;
            if (d == null || d < 1) {
                problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "proxy-ssl-verify-depth"),
                        Reason.InvalidAnnotation, "'" + depthValue + "' is not a depth from 1 to 99; 1 applies"));
            } else {
                depth = d;
            }
        }
        String secretKey = keyOf(annotations, "proxy-ssl-secret");
        String secret = value(annotations, "proxy-ssl-secret");
        if (secret != null) {
            secret = secret.trim();
            int slash = secret.indexOf('/');
            String namespace = slash < 0 ? ref.namespace() : secret.substring(0, slash);
            String name = secret.substring(slash + 1);
            String why = !namespace.equals(ref.namespace()) ? "names a Secret of another namespace; an Ingress may"
                    + " only use Secrets of its own"
                    : !name.matches("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?") ? "is not namespace/name of a Secret"
                    : null;
            if (why != null) {
                problems.add(new Problem(ref, "metadata.annotations." + secretKey, Reason.InvalidAnnotation, "'"
                        + secret + "' " + why + (upstreamTls == null ? ""
                        : "; every route of this Ingress answers 503 rather than reach the upstream unchecked")));
                if (upstreamTls != null) {
                    failed[0] = secretKey;
                }
                return null;
            }
            secret = name;
        }
        if (upstreamTls == null) {
            return null; // HTTP to the upstream: nothing to verify or present
        }
        if (Boolean.TRUE.equals(verify) && secret == null) {
            String key = keyOf(annotations, "proxy-ssl-verify");
            problems.add(new Problem(ref, "metadata.annotations." + key, Reason.InvalidAnnotation, "verifying the"
                    + " upstream needs proxy-ssl-secret with the CA certificates in ca.crt: every route of this"
                    + " Ingress answers 503 rather than trust an unverified upstream"));
            failed[0] = key;
            return null;
        }
        if (secret == null) {
            return null;
        }
        String name = value(annotations, "proxy-ssl-name");
        name = name == null || !Hosts.isValid(name.trim().toLowerCase(Locale.ROOT)) ? ""
                : name.trim().toLowerCase(Locale.ROOT);
        return new ProxySsl("metadata.annotations." + secretKey, secret, Boolean.TRUE.equals(verify), depth, name);
    }

    /**
     * {@code backend-protocol} with its {@code proxy-ssl-*} keys: null for HTTP; TLS for HTTPS. An unknown protocol
     * is reported and HTTP applies; the protocols Pier does not speak yet refuse the routes ({@link #unservable}).
     */
    private static UpstreamTls upstreamTls(Map<String, String> annotations, ObjectRef ref, List<Problem> problems) {
        // the proxy-ssl-* values are checked whatever the protocol, so that a typo is seen before HTTPS is turned on
        Boolean sniOn = onOff(annotations, "proxy-ssl-server-name", ref, problems);
        String name = value(annotations, "proxy-ssl-name");
        if (name != null && !Hosts.isValid(name.trim().toLowerCase(Locale.ROOT))) {
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "proxy-ssl-name"),
                    Reason.InvalidAnnotation, "'" + name + "' is not a host name; the rule's host is sent"));
            name = null;
        }
        String protocol = value(annotations, "backend-protocol");
        if (protocol == null || protocol.trim().equalsIgnoreCase("HTTP") || unservable(annotations) != null) {
            return null;
        }
        if (!protocol.trim().equalsIgnoreCase("HTTPS")) {
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "backend-protocol"),
                    Reason.InvalidAnnotation, "'" + protocol + "' is not a backend protocol (HTTP, HTTPS, GRPC,"
                            + " GRPCS, FCGI, AUTO_HTTP); HTTP applies"));
            return null;
        }
        if (!Boolean.TRUE.equals(sniOn)) {
            return UpstreamTls.NO_SNI;
        }
        return new UpstreamTls(name == null ? "" : name.trim().toLowerCase(Locale.ROOT)); // "": the rule's host
    }

    /**
     * An {@code on}/{@code off} key ({@code true}/{@code false} too): its value, null when absent, or null with an
     * {@code InvalidAnnotation} problem (off applies) when it is neither.
     */
    private static Boolean onOff(Map<String, String> annotations, String name, ObjectRef ref,
                                 List<Problem> problems) {
        String v = value(annotations, name);
        if (v == null) {
            return null;
        }
        String t = v.trim().toLowerCase(Locale.ROOT);
        if (t.equals("on") || t.equals("true")) {
            return true;
        }
        if (t.equals("off") || t.equals("false")) {
            return false;
        }
        problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, name), Reason.InvalidAnnotation,
                "'" + v + "' is not on or off; off applies"));
        return null;
    }

    /** Why a backend protocol cannot be served yet (its routes answer 503), or null. */
    static String unservable(Map<String, String> annotations) {
        String protocol = value(annotations, "backend-protocol");
        if (protocol == null) {
            return null;
        }
        String p = protocol.trim().toUpperCase(Locale.ROOT);
        return p.equals("GRPC") || p.equals("GRPCS") || p.equals("FCGI") || p.equals("AUTO_HTTP")
                ? "backend-protocol " + p + " is not supported yet: 503 rather than speak HTTP/1.1 to it" : null;
    }

    private static boolean plain(String v) {
        return v.chars().noneMatch(c -> c <= ' ' || c == 0x7f || c == '$' || c == '"');
    }

    /** The longest timeout taken, in seconds: a year. */
    private static final long MAX_SECONDS = 365L * 24 * 3600;

    /**
     * A timeout in whole seconds, as ingress-nginx reads it ({@code "120"}); null when absent. Anything else (a unit,
     * zero, a negative number) is an {@code InvalidAnnotation} problem and the default applies.
     */
    private static Long seconds(Map<String, String> annotations, String name, ObjectRef ref, List<Problem> problems) {
        String raw = value(annotations, name);
        if (raw == null) {
            return null;
        }
        String v = raw.trim();
        if (!v.isEmpty() && v.length() <= 9 && v.chars().allMatch(Character::isDigit)) {
            long s = Long.parseLong(v);
            if (s > 0 && s <= MAX_SECONDS) {
                return s;
            }
        }
        problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, name), Reason.InvalidAnnotation,
                "'" + raw + "' is not a whole number of seconds from 1 to " + MAX_SECONDS + "; the default applies"));
        return null;
    }

    /**
     * {@code rewrite-target}: a path, with {@code $1} to {@code $9} for the groups of the rule path; other nginx
     * variables are not supported (reported, and the path is not rewritten).
     */
    private static String rewriteTarget(Map<String, String> annotations, ObjectRef ref, List<Problem> problems) {
        String raw = value(annotations, "rewrite-target");
        if (raw == null) {
            return null;
        }
        String v = raw.trim();
        String why = null;
        for (int i = 0; i < v.length() && why == null; i++) {
            char c = v.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '"' || c == '#') {
                why = "contains a space, a control character, '\"' or '#'";
            } else if (c == '$' && (i + 1 == v.length() || !Character.isDigit(v.charAt(i + 1)))) {
                why = "uses an nginx variable; Pier supports $1 to $9, the groups of the path";
            }
        }
        if (why == null && v.isEmpty()) {
            why = "is empty";
        }
        if (why != null) {
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "rewrite-target"),
                    Reason.InvalidAnnotation, "'" + raw + "' " + why + "; the path is not rewritten"));
            return null;
        }
        return v;
    }

    /** {@code upstream-vhost}: a host name, optionally with a port; an invalid one is reported and ignored. */
    private static String upstreamHost(Map<String, String> annotations, ObjectRef ref, List<Problem> problems) {
        String raw = value(annotations, "upstream-vhost");
        if (raw == null) {
            return null;
        }
        String v = raw.trim().toLowerCase(Locale.ROOT);
        int colon = v.lastIndexOf(':');
        String host = colon < 0 ? v : v.substring(0, colon);
        String port = colon < 0 ? "" : v.substring(colon + 1);
        if (!Hosts.isValid(host) || host.startsWith("*") || !port.chars().allMatch(Character::isDigit)
                || port.length() > 5 || (colon >= 0 && port.isEmpty())) {
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, "upstream-vhost"),
                    Reason.InvalidAnnotation, "'" + raw + "' is not a host name (with an optional port); ignored"));
            return null;
        }
        return v;
    }

    /**
     * A path key ({@code x-forwarded-prefix}, {@code app-root}): starts with {@code /}, no space, control character
     * or nginx variable; an invalid one is reported and ignored.
     */
    private static String path(Map<String, String> annotations, String name, ObjectRef ref, List<Problem> problems) {
        String raw = value(annotations, name);
        if (raw == null) {
            return null;
        }
        String v = raw.trim();
        boolean ok = v.startsWith("/") && v.chars().noneMatch(c -> c <= ' ' || c == 0x7f || c == '$' || c == '"');
        if (!ok) {
            problems.add(new Problem(ref, "metadata.annotations." + keyOf(annotations, name),
                    Reason.InvalidAnnotation, "'" + raw + "' is not a path (starting with /, no spaces or"
                            + " variables); ignored"));
            return null;
        }
        return v;
    }

    /** The annotation a value was read from: Pier's key when set, else ingress-nginx's. */
    private static String keyOf(Map<String, String> annotations, String name) {
        return (annotations.containsKey(PIER_PREFIX + name) ? PIER_PREFIX : NGINX_PREFIX) + name;
    }

    /**
     * A CIDR list key (comma-separated), Pier's own key winning; null when absent. One that does not parse is an
     * {@code InvalidAnnotation} problem and, since it guards access, makes the Ingress fail closed
     * ({@code failed[0]} names it).
     */
    private static AddressRanges ranges(Map<String, String> annotations, String name, ObjectRef ref,
                                        List<Problem> problems, String[] failed) {
        String raw = value(annotations, name);
        if (raw == null) {
            return null;
        }
        String key = (annotations.containsKey(PIER_PREFIX + name) ? PIER_PREFIX : NGINX_PREFIX) + name;
        try {
            AddressRanges r = AddressRanges.parse(List.of(raw.split(",")));
            if (r.isEmpty()) {
                throw new IllegalArgumentException("no address or CIDR");
            }
            return r;
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(ref, "metadata.annotations." + key, Reason.InvalidAnnotation, e.getMessage()
                    + ": this list guards access, so every route of this Ingress answers 503 rather than serve the"
                    + " application open"));
            if (failed[0] == null) {
                failed[0] = key;
            }
            return null;
        }
    }

    /**
     * A redirect key and its {@code -code} key: an absolute http(s) URL, used as written (nginx variables such as
     * {@code $request_uri} are refused, as recent ingress-nginx refuses them); the code 300 to 308. Pier's own keys
     * win; an invalid value is reported and means no redirect.
     */
    private static Redirect redirect(Map<String, String> annotations, String name, int defaultCode, ObjectRef ref,
                                     List<Problem> problems) {
        String url = value(annotations, name);
        if (url == null) {
            return null;
        }
        String urlKey = (annotations.containsKey(PIER_PREFIX + name) ? PIER_PREFIX : NGINX_PREFIX) + name;
        if (!isRedirectUrl(url.trim())) {
            problems.add(new Problem(ref, "metadata.annotations." + urlKey, Reason.InvalidAnnotation, "'" + url
                    + "' is not an absolute http or https URL without variables; no redirect"));
            return null;
        }
        int code = defaultCode;
        String rawCode = value(annotations, name + "-code");
        if (rawCode != null) {
            String codeKey = (annotations.containsKey(PIER_PREFIX + name + "-code") ? PIER_PREFIX : NGINX_PREFIX)
                    + name + "-code";
            try {
                code = Integer.parseInt(rawCode.trim());
            } catch (NumberFormatException e) {
                code = -1;
            }
            if (code < 300 || code > 308) {
                problems.add(new Problem(ref, "metadata.annotations." + codeKey, Reason.InvalidAnnotation, "'"
                        + rawCode + "' is not a redirect status (300 to 308); " + defaultCode + " is used"));
                code = defaultCode;
            }
        }
        return new Redirect(url.trim(), code);
    }

    /** The value of a key under Pier's prefix, else under ingress-nginx's, else null. */
    private static String value(Map<String, String> annotations, String name) {
        String v = annotations.get(PIER_PREFIX + name);
        return v != null ? v : annotations.get(NGINX_PREFIX + name);
    }

    private static boolean isRedirectUrl(String url) {
        for (int i = 0; i < url.length(); i++) {
            char c = url.charAt(i);
            if (c <= ' ' || c == 0x7f || c == '$' || c == '"') {
                return false;
            }
        }
        try {
            java.net.URI uri = new java.net.URI(url);
            return uri.getHost() != null && ("http".equalsIgnoreCase(uri.getScheme())
                    || "https".equalsIgnoreCase(uri.getScheme()));
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /**
     * A size key's value in bytes, as nginx writes sizes ({@code 1024}, {@code 512k}, {@code 8m}, {@code 1g}), with
     * {@code 0} as {@link Route#NO_LIMIT}; null when unset, so that the configured default applies. Pier's own key
     * wins; an invalid value is reported and counts as unset.
     */
    private static Long size(Map<String, String> annotations, String name, ObjectRef ref, List<Problem> problems) {
        Long value = null;
        for (String prefix : List.of(NGINX_PREFIX, PIER_PREFIX)) {
            String raw = annotations.get(prefix + name);
            if (raw == null) {
                continue;
            }
            long bytes = parseSize(raw.trim());
            if (bytes < 0) {
                problems.add(new Problem(ref, "metadata.annotations." + prefix + name, Reason.InvalidAnnotation,
                        "'" + raw + "' is not a size (a number of bytes, or with k, m or g: 8m); ignored"));
            } else {
                value = bytes == 0 ? Route.NO_LIMIT : bytes;
            }
        }
        return value;
    }

    /** Bytes of an nginx size ({@code 512}, {@code 8k}, {@code 1m}, {@code 1g}), or -1 when it is not one. */
    static long parseSize(String s) {
        if (s.isEmpty()) {
            return -1;
        }
        char unit = Character.toLowerCase(s.charAt(s.length() - 1));
        long multiplier = switch (unit) {
            case 'k' -> 1L << 10;
            case 'm' -> 1L << 20;
            case 'g' -> 1L << 30;
            default -> 1;
        };
        String digits = multiplier == 1 ? s : s.substring(0, s.length() - 1);
        if (digits.isEmpty() || digits.length() > 12 || !digits.chars().allMatch(Character::isDigit)) {
            return -1;
        }
        return Long.parseLong(digits) * multiplier;
    }

    /** The key without its prefix, or null when it has neither of Pier's prefixes. */
    private static String name(String annotation) {
        if (annotation.startsWith(NGINX_PREFIX)) {
            return annotation.substring(NGINX_PREFIX.length());
        }
        if (annotation.startsWith(PIER_PREFIX)) {
            return annotation.substring(PIER_PREFIX.length());
        }
        return null;
    }

    /** A boolean key's value: ingress-nginx's, then Pier's own (which wins); an invalid value keeps the fallback. */
    private static boolean flag(Map<String, String> annotations, String name, boolean fallback, ObjectRef ref,
                                List<Problem> problems) {
        boolean value = fallback;
        for (String prefix : List.of(NGINX_PREFIX, PIER_PREFIX)) {
            String raw = annotations.get(prefix + name);
            if (raw == null) {
                continue;
            }
            switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> value = true;
                case "false" -> value = false;
                default -> problems.add(new Problem(ref, "metadata.annotations." + prefix + name,
                        Reason.InvalidAnnotation, "'" + raw + "' is not \"true\" or \"false\"; ignored"));
            }
        }
        return value;
    }
}
