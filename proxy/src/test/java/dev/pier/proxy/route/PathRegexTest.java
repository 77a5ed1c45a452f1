package dev.pier.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.PatternSyntaxException;
import org.junit.jupiter.api.Test;

/** The regular expression paths and rewrites of {@code use-regex} and {@code rewrite-target}, as nginx does them. */
class PathRegexTest {
    private static boolean matches(String regex, String uri) {
        int q = uri.indexOf('?');
        return PathRegex.compile(regex).matchesStart(uri, q < 0 ? uri.length() : q);
    }

    private static String rewrite(String regex, String uri, String target) {
        int q = uri.indexOf('?');
        return PathRegex.compile(regex).rewrite(uri, q < 0 ? uri.length() : q, target);
    }

    @Test
    void matchesAtTheStartOfThePathIgnoringCaseAndTheQuery() {
        assertThat(matches("/api/v[0-9]+", "/API/v2/users")).isTrue();
        assertThat(matches("/api", "/apiv2")).as("a regex is no element-wise prefix").isTrue();
        assertThat(matches("/api", "/x/api")).as("anchored at the start").isFalse();
        assertThat(matches("/a$", "/a?b=/a")).isTrue();
        assertThat(matches("/b", "/a?/b")).as("the query is not the path").isFalse();
    }

    @Test
    void rewritesTheWholePathWithGroupsAndKeepsTheQuery() {
        assertThat(rewrite("/something(/|$)(.*)", "/something/new?x=1", "/$2")).isEqualTo("/new?x=1");
        assertThat(rewrite("/something(/|$)(.*)", "/something", "/$2")).isEqualTo("/");
        assertThat(rewrite("/app", "/app/deep/page", "/")).as("no groups: everything to the target").isEqualTo("/");
        assertThat(rewrite("/api/(v1)/(.*)", "/api/v1/users", "/$2/$1")).isEqualTo("/users/v1");
        assertThat(rewrite("/a(.*)", "/a/b?x=1", "/new?via=a")).as("the target's query first")
                .isEqualTo("/new?via=a&x=1");
        assertThat(rewrite("/a", "/a", "$1")).as("a group that did not take part is empty").isEqualTo("/");
    }

    @Test
    void anInvalidExpressionIsRefusedWhenCompiled() {
        assertThatThrownBy(() -> PathRegex.compile("/a(")).isInstanceOf(PatternSyntaxException.class);
    }

    @Test
    void regexRulesComeAfterTheOthersLongestFirst() {
        Backend b = new Backend("ns", "svc", "80");
        RouteTable.Builder builder = RouteTable.builder();
        Route exact = new Route("h", "/a", PathType.EXACT, b, null);
        Route shortRegex = regex("/a", b);
        Route longRegex = regex("/a/b.*", b);
        for (Route r : new Route[] {shortRegex, exact, longRegex}) {
            assertThat(builder.add(r)).isNull();
        }
        assertThat(builder.add(regex("/a", b))).as("the same expression twice").isSameAs(shortRegex);
        RouteTable t = builder.build();
        assertThat(t.match("h", "/a")).as("Exact before every regex").isSameAs(exact);
        assertThat(t.match("h", "/a/bc")).isSameAs(longRegex);
        assertThat(t.match("h", "/A/X")).isSameAs(shortRegex);
        assertThat(t.match("h", "/b")).isSameAs(Route.NOT_FOUND);
    }

    private static Route regex(String path, Backend b) {
        return new Route("h", path, PathType.PREFIX, b, null, false, false, Policy.NONE, PathRegex.compile(path));
    }
}
