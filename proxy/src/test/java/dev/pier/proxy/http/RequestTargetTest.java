package dev.pier.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.proxy.route.PathNormalizer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RequestTargetTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "INVALID", value = {
            "/                          | /",
            "/a/b/c                     | /a/b/c",
            "/a/b/?x=1                  | /a/b/?x=1",
            "/a/./b                     | /a/b",
            "/a/b/.                     | /a/b/",
            "/a/b/..                    | /a/",
            "/a/../../x                 | INVALID",
            "/..                        | INVALID",
            "/public/../admin           | /admin",
            "//admin///x                | /admin/x",
            "/%61dmin                   | /admin",
            "/%2e%2E/x                  | INVALID",
            "/a/%2e%2e/b                | /b",
            "/a%2fb                     | /a%2Fb",
            "/a%2Fb/../c                | /c",
            "/%7euser                   | /~user",
            "/%zz                       | INVALID",
            "/%4                        | INVALID",
            "/a#frag                    | INVALID",
            "''                         | INVALID",
            "/q?a=/../b&c=%2e%2e        | /q?a=/../b&c=%2e%2e",
            "/x/..?q=1                  | /?q=1",
    })
    void normalizesPaths(String raw, String expected) {
        assertThat(PathNormalizer.normalize(raw)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', nullValues = "NULL", value = {
            "/a/../b?x=1                       | NULL         | /b?x=1 | 2",
            "http://example.com/a/b?q          | example.com  | /a/b?q | 4",
            "HTTPS://Example.com:8443          | Example.com:8443 | /  | 1",
            "http://example.com?q=1            | example.com  | /?q=1  | 1",
    })
    void parsesOriginAndAbsoluteForm(String raw, String authority, String uri, int pathEnd) {
        RequestTarget t = RequestTarget.parse(raw);
        assertThat(t).isEqualTo(new RequestTarget(authority, uri, pathEnd));
    }

    @ParameterizedTest
    @CsvSource({"ftp://example.com/x", "http:///x", "*", "example.com/x", "http://example.com/../x"})
    void rejectsTargetsItCannotServe(String raw) {
        assertThat(RequestTarget.parse(raw)).isNull();
    }
}
