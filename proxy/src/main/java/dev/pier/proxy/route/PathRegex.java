package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A rule path matched as a case-insensitive regular expression anchored at the start of the request path, as
 * ingress-nginx's {@code location ~* "^path"} on a host where an Ingress sets {@code use-regex} or
 * {@code rewrite-target}; and that Ingress's {@code rewrite-target}, applied as nginx's
 * {@code rewrite "(?i)path" target break;}.
 *
 * <p>Matching allocates nothing: each thread keeps one {@link Matcher} per expression and resets it (event loops are
 * few and long-lived). A rewrite allocates its result. Equal when the sources are equal.
 */
public final class PathRegex {
    private final String source;
    private final Pattern pattern;
    private final ThreadLocal<Matcher> matchers;

    private PathRegex(String source, Pattern pattern) {
        this.source = source;
        this.pattern = pattern;
        this.matchers = ThreadLocal.withInitial(() -> pattern.matcher(""));
    }

    /**
     * Compiles {@code path} (Java's regular expression syntax, which covers what Ingress paths use of PCRE).
     *
     * @throws java.util.regex.PatternSyntaxException if it is not a valid expression
     */
    public static PathRegex compile(String path) {
        return new PathRegex(path, Pattern.compile(requireNonNull(path, "path"), Pattern.CASE_INSENSITIVE));
    }

    /** The expression as the Ingress wrote it. */
    public String source() {
        return source;
    }

    /** The highest group number a rewrite may refer to. */
    public int groupCount() {
        return pattern.matcher("").groupCount();
    }

    /** True when the expression matches at the start of {@code uri[0, pathEnd)}. */
    public boolean matchesStart(CharSequence uri, int pathEnd) {
        Matcher m = matchers.get().reset(uri).region(0, pathEnd);
        boolean matched = m.lookingAt();
        m.reset(""); // drop the reference to the request's URI
        return matched;
    }

    /**
     * nginx's rewrite: the first match of the expression in {@code uri}'s path, its groups put into {@code target}
     * ({@code $1} to {@code $9}), becomes the whole path; the query string follows, after {@code &} when the target
     * has one of its own. The path unchanged when the expression does not match.
     */
    public String rewrite(String uri, int pathEnd, String target) {
        Matcher m = pattern.matcher(uri).region(0, pathEnd);
        if (!m.find()) {
            return uri;
        }
        StringBuilder out = new StringBuilder(target.length() + uri.length() - pathEnd + 16);
        for (int i = 0; i < target.length(); i++) {
            char c = target.charAt(i);
            if (c == '$' && i + 1 < target.length() && Character.isDigit(target.charAt(i + 1))) {
                int group = target.charAt(++i) - '0';
                String value = group <= m.groupCount() ? m.group(group) : null;
                if (value != null) {
                    out.append(value);
                }
            } else {
                out.append(c);
            }
        }
        if (out.isEmpty() || out.charAt(0) != '/') {
            out.insert(0, '/');
        }
        if (pathEnd < uri.length()) { // the query string, "?..." in uri
            out.append(out.indexOf("?") >= 0 ? '&' : '?').append(uri, pathEnd + 1, uri.length());
        }
        return out.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof PathRegex r && source.equals(r.source));
    }

    @Override
    public int hashCode() {
        return source.hashCode();
    }

    @Override
    public String toString() {
        return "~* ^" + source;
    }
}
