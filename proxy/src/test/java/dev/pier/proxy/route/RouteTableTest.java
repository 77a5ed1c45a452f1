package dev.pier.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RouteTableTest {

    /** One rule: "Prefix:/foo" or "Exact:/foo"; the backend's service is named after the rule, to see which won. */
    private static Route rule(String host, String spec) {
        return rule(host, spec, spec);
    }

    private static Route rule(String host, String spec, String service) {
        String[] parts = spec.split(":", 2);
        PathType type = PathType.fromKubernetesName(parts[0]);
        Backend backend = new Backend("default", service, "80");
        return new Route(host, parts[1], type, backend, new Source("default", "ing"));
    }

    private static RouteTable table(String host, String... specs) {
        RouteTable.Builder b = RouteTable.builder();
        for (String s : specs) {
            assertThat(b.add(rule(host, s))).isNull();
        }
        return b.build();
    }

    /** The "Examples" table of the Kubernetes Ingress documentation, row by row, plus the cases around it. */
    static Stream<Arguments> pathExamples() {
        return Stream.of(
                // rules, request path, expected winning rule (null = no match)
                Arguments.of(List.of("Prefix:/"), "/", "Prefix:/"),
                Arguments.of(List.of("Prefix:/"), "/anything/at/all", "Prefix:/"),
                Arguments.of(List.of("Exact:/foo"), "/foo", "Exact:/foo"),
                Arguments.of(List.of("Exact:/foo"), "/bar", null),
                Arguments.of(List.of("Exact:/foo"), "/foo/", null),
                Arguments.of(List.of("Exact:/foo/"), "/foo", null),
                Arguments.of(List.of("Prefix:/foo"), "/foo", "Prefix:/foo"),
                Arguments.of(List.of("Prefix:/foo"), "/foo/", "Prefix:/foo"),
                Arguments.of(List.of("Prefix:/foo/"), "/foo", "Prefix:/foo/"),
                Arguments.of(List.of("Prefix:/foo/"), "/foo/", "Prefix:/foo/"),
                Arguments.of(List.of("Prefix:/aaa/bb"), "/aaa/bbb", null),
                Arguments.of(List.of("Prefix:/aaa/bbb"), "/aaa/bbb", "Prefix:/aaa/bbb"),
                Arguments.of(List.of("Prefix:/aaa/bbb/"), "/aaa/bbb", "Prefix:/aaa/bbb/"),
                Arguments.of(List.of("Prefix:/aaa/bbb"), "/aaa/bbb/", "Prefix:/aaa/bbb"),
                Arguments.of(List.of("Prefix:/aaa/bbb"), "/aaa/bbb/ccc", "Prefix:/aaa/bbb"),
                Arguments.of(List.of("Prefix:/aaa/bbb"), "/aaa/bbbxyz", null),
                Arguments.of(List.of("Prefix:/", "Prefix:/aaa"), "/aaa/ccc", "Prefix:/aaa"),
                Arguments.of(List.of("Prefix:/", "Prefix:/aaa", "Prefix:/aaa/bbb"), "/aaa/bbb", "Prefix:/aaa/bbb"),
                Arguments.of(List.of("Prefix:/", "Prefix:/aaa", "Prefix:/aaa/bbb"), "/ccc", "Prefix:/"),
                Arguments.of(List.of("Prefix:/aaa"), "/ccc", null),
                Arguments.of(List.of("Prefix:/foo", "Exact:/foo"), "/foo", "Exact:/foo"),
                Arguments.of(List.of("Exact:/foo", "Prefix:/foo"), "/foo", "Exact:/foo"),
                Arguments.of(List.of("Prefix:/foo", "Exact:/foo"), "/foo/bar", "Prefix:/foo"),
                // longest wins across types: Exact /foo/ (5) over Prefix /foo (4) for /foo/
                Arguments.of(List.of("Prefix:/foo", "Exact:/foo/"), "/foo/", "Exact:/foo/"),
                // ... but a longer Prefix beats a shorter Exact that does not match anyway
                Arguments.of(List.of("Exact:/foo", "Prefix:/foo/bar"), "/foo/bar", "Prefix:/foo/bar"),
                // never a string prefix: /admin must not capture /administrator
                Arguments.of(List.of("Prefix:/admin"), "/administrator", null),
                // case-sensitive paths
                Arguments.of(List.of("Exact:/Foo"), "/foo", null),
                Arguments.of(List.of("Prefix:/Foo"), "/foo/bar", null),
                // ImplementationSpecific is matched as Prefix
                Arguments.of(List.of("ImplementationSpecific:/api"), "/api/v1", "ImplementationSpecific:/api"),
                Arguments.of(List.of("ImplementationSpecific:/api"), "/apiv1", null));
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @MethodSource("pathExamples")
    void pathMatching(List<String> rules, String path, String expected) {
        RouteTable t = table("example.com", rules.toArray(String[]::new));
        Route r = t.match("example.com", path);
        if (expected == null) {
            assertThat(r).isSameAs(Route.NOT_FOUND);
        } else {
            assertThat(r.backend().service()).isEqualTo(expected);
        }
    }

    @Test
    void queryIsIgnoredForMatchingButNotCopied() {
        RouteTable t = table("example.com", "Exact:/foo");
        String uri = "/foo?x=/bar";
        assertThat(t.match("example.com", uri, uri.indexOf('?')).backend().service()).isEqualTo("Exact:/foo");
        assertThat(t.match("example.com", uri, uri.length())).isSameAs(Route.NOT_FOUND);
    }

    static Stream<Arguments> hostExamples() {
        return Stream.of(
                // configured host, Host header, matches?
                Arguments.of("foo.bar.com", "foo.bar.com", true),
                Arguments.of("foo.bar.com", "FOO.Bar.COM", true),
                Arguments.of("foo.bar.com", "foo.bar.com:8080", true),
                Arguments.of("foo.bar.com", "foo.bar.com.", true),
                Arguments.of("foo.bar.com", "bar.com", false),
                Arguments.of("foo.bar.com", "xfoo.bar.com", false),
                Arguments.of("*.foo.com", "bar.foo.com", true),
                Arguments.of("*.foo.com", "BAR.foo.com:443", true),
                Arguments.of("*.foo.com", "baz.bar.foo.com", false),
                Arguments.of("*.foo.com", "foo.com", false),
                Arguments.of("*.foo.com", ".foo.com", false),
                Arguments.of("foo.bar.com", "[::1]:8080", false),
                Arguments.of("foo.bar.com", null, false));
    }

    @ParameterizedTest(name = "{0} vs Host {1} -> {2}")
    @MethodSource("hostExamples")
    void hostMatching(String host, String header, boolean matches) {
        RouteTable t = table(host, "Prefix:/");
        assertThat(t.match(header, "/").isBuiltInNotFound()).isEqualTo(!matches);
    }

    @Test
    void exactHostBeatsWildcardWhichBeatsHostless() {
        RouteTable.Builder b = RouteTable.builder();
        b.add(rule("", "Prefix:/", "any"));
        b.add(rule("*.foo.com", "Prefix:/", "wild"));
        b.add(rule("a.foo.com", "Prefix:/", "exact"));
        RouteTable t = b.build();
        assertThat(t.match("a.foo.com", "/").backend().service()).isEqualTo("exact");
        assertThat(t.match("b.foo.com", "/").backend().service()).isEqualTo("wild");
        assertThat(t.match("other.org", "/").backend().service()).isEqualTo("any");
        assertThat(t.match(null, "/").backend().service()).isEqualTo("any");
    }

    @Test
    void pathsAreMatchedWithinTheChosenHostOnly() {
        RouteTable.Builder b = RouteTable.builder();
        b.add(rule("", "Prefix:/"));
        b.add(rule("a.foo.com", "Prefix:/api"));
        b.add(rule("*.foo.com", "Prefix:/"));
        RouteTable t = b.build();
        // a.foo.com has rules of its own: /other does not fall through to the wildcard or the host-less rules
        assertThat(t.match("a.foo.com", "/other")).isSameAs(Route.NOT_FOUND);
        assertThat(t.match("a.foo.com", "/api/x").backend().service()).isEqualTo("Prefix:/api");
    }

    @Test
    void unmatchedRequestsGoToTheDefaultRoute() {
        Backend fallback = new Backend("default", "fallback", "80");
        Route def = Route.defaultBackend(fallback, new Source("default", "catch-all"));
        RouteTable.Builder b = RouteTable.builder();
        b.add(rule("foo.com", "Exact:/x"));
        RouteTable t = b.defaultRoute(def).build();
        assertThat(t.match("foo.com", "/y")).isSameAs(def);
        assertThat(t.match("bar.com", "/x")).isSameAs(def);
        assertThat(RouteTable.EMPTY.match("foo.com", "/")).isSameAs(Route.NOT_FOUND);
    }

    @Test
    void sameHostAndPathIsRefusedAndTheFirstKeepsIt() {
        RouteTable.Builder b = RouteTable.builder();
        Route first = rule("foo.com", "Prefix:/app");
        assertThat(b.add(first)).isNull();
        // "/app/" is the same Prefix rule as "/app"
        assertThat(b.add(rule("foo.com", "Prefix:/app/"))).isSameAs(first);
        // ImplementationSpecific has the same semantics as Prefix here
        assertThat(b.add(rule("foo.com", "ImplementationSpecific:/app"))).isSameAs(first);
        // Exact on the same path is a different rule, and so is another host
        assertThat(b.add(rule("foo.com", "Exact:/app"))).isNull();
        assertThat(b.add(rule("bar.com", "Prefix:/app"))).isNull();
    }

    @Test
    void equalInputsGiveEqualTablesWhateverTheInsertionOrder() {
        List<Route> routes = Arrays.asList(rule("b.com", "Prefix:/"), rule("a.com", "Exact:/x"),
                rule("a.com", "Prefix:/x/y"), rule("", "Prefix:/"));
        RouteTable.Builder forward = RouteTable.builder();
        routes.forEach(forward::add);
        RouteTable.Builder backward = RouteTable.builder();
        for (int i = routes.size() - 1; i >= 0; i--) {
            backward.add(routes.get(i));
        }
        RouteTable a = forward.build();
        RouteTable b = backward.build();
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a.hosts()).extracting(VirtualHost::host).containsExactly("", "a.com", "b.com");
        assertThat(a.hosts().get(1).routes()).extracting(Route::path).containsExactly("/x/y", "/x");
        assertThat(a.routeCount()).isEqualTo(4);
    }

    @Test
    void manyHostsAllResolve() {
        RouteTable.Builder b = RouteTable.builder();
        for (int i = 0; i < 5000; i++) {
            b.add(rule("host" + i + ".example.com", "Prefix:/p" + i));
        }
        RouteTable t = b.build();
        for (int i = 0; i < 5000; i++) {
            assertThat(t.match("HOST" + i + ".example.com", "/p" + i + "/x").backend().service())
                    .isEqualTo("Prefix:/p" + i);
        }
        assertThat(t.match("host5000.example.com", "/p1")).isSameAs(Route.NOT_FOUND);
    }

    @Test
    void buildReplacingEqualsAFreshBuildAndKeepsTheOtherHosts() {
        String[] hosts = {"", "a.com", "b.com", "c.com", "*.w.com", "z.com", "m.com", "*.a.com"};
        String[] specs = {"Prefix:/", "Exact:/", "Prefix:/api", "Exact:/api", "Prefix:/api/v1"};
        java.util.Random random = new java.util.Random(11);
        for (int round = 0; round < 500; round++) {
            java.util.Map<String, List<Route>> routes = new java.util.HashMap<>();
            for (String h : hosts) {
                if (random.nextBoolean()) {
                    routes.put(h, randomRoutes(h, specs, random));
                }
            }
            RouteTable before = build(routes, null);
            java.util.Set<String> replaced = new java.util.HashSet<>();
            RouteTable.Builder patch = RouteTable.builder(before);
            for (String h : hosts) {
                if (random.nextInt(3) == 0) {
                    replaced.add(h);
                    List<Route> now = random.nextInt(3) == 0 ? List.of() : randomRoutes(h, specs, random);
                    routes.put(h, now);
                    now.forEach(patch::add);
                }
            }
            Route def = random.nextBoolean() ? Route.NOT_FOUND
                    : Route.defaultBackend(rule("", "Prefix:/", "fallback").backend(), null);

            RouteTable after = patch.defaultRoute(def).buildReplacing(replaced);

            RouteTable fresh = build(routes, def);
            assertThat(after).as("round %d", round).isEqualTo(fresh);
            assertThat(after.hosts()).extracting(VirtualHost::host).isSorted();
            for (String h : hosts) {
                String request = h.startsWith("*.") ? "x" + h.substring(1) : h.isEmpty() ? "other.org" : h;
                for (String path : List.of("/", "/api", "/api/v1/x", "/nope")) {
                    assertThat(after.match(request, path)).as("round %d %s%s", round, request, path)
                            .isSameAs(fresh.match(request, path));
                }
            }
            for (VirtualHost vh : before.hosts()) {
                if (!replaced.contains(vh.host())) {
                    assertThat(after.hosts()).as("an untouched host keeps its object").contains(vh);
                    assertThat(after.hosts().stream().anyMatch(v -> v == vh)).isTrue();
                }
            }
        }
    }

    @Test
    void buildReplacingRefusesARouteOfAHostNotReplaced() {
        RouteTable before = table("a.com", "Prefix:/");
        RouteTable.Builder patch = RouteTable.builder(before);
        patch.add(rule("b.com", "Prefix:/"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> patch.buildReplacing(java.util.Set.of("a.com")))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RouteTable.builder()
                .buildReplacing(java.util.Set.of())).isInstanceOf(IllegalStateException.class);
    }

    /** Routes of one host, each from a random spec; the same spec twice is kept once (the first), as builders do. */
    private static List<Route> randomRoutes(String host, String[] specs, java.util.Random random) {
        java.util.Map<String, Route> out = new java.util.LinkedHashMap<>();
        for (int i = random.nextInt(4); i >= 0; i--) {
            String spec = specs[random.nextInt(specs.length)];
            out.putIfAbsent(spec, rule(host, spec, spec + "-" + random.nextInt(3)));
        }
        return List.copyOf(out.values());
    }

    private static RouteTable build(java.util.Map<String, List<Route>> routes, Route def) {
        RouteTable.Builder b = RouteTable.builder();
        routes.values().forEach(list -> list.forEach(b::add));
        return def == null ? b.build() : b.defaultRoute(def).build();
    }
}
