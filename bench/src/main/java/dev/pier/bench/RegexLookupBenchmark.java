package dev.pier.bench;

import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.PathRegex;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.RouteTable;
import dev.pier.proxy.route.Source;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A regex host ({@code use-regex}): one host with 50 regular-expression paths, tried longest first as ingress-nginx
 * orders them. {@code matched} finds one of the 49 service expressions, {@code fallThrough} tries all 49 before
 * {@code /}; {@code rewrite} adds what {@code rewrite-target} does to the matched request. Checked before measuring.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RegexLookupBenchmark {
    private static final String HOST = "api.example.com";
    private static final String FIRST = "/service-48/v2/items/42?x=1";
    private static final String LAST = "/elsewhere/page";

    private RouteTable table;

    @Setup
    public void setup() {
        RouteTable.Builder b = RouteTable.builder();
        Backend backend = new Backend("default", "svc", "80");
        Source source = new Source("default", "bench");
        for (int i = 0; i < 49; i++) {
            String path = "/service-" + i + "/v[0-9]+/(.*)";
            b.add(new Route(HOST, path, PathType.PREFIX, backend, source, false, false,
                    Policy.builder().rewriteTarget("/$1").build(),
                    PathRegex.compile(path)));
        }
        b.add(new Route(HOST, "/", PathType.PREFIX, backend, source, false, false, Policy.NONE,
                PathRegex.compile("/")));
        table = b.build();
        Route first = table.match(HOST, FIRST, FIRST.indexOf('?'));
        if (!first.path().equals("/service-48/v[0-9]+/(.*)")) {
            throw new IllegalStateException("matched " + first.path());
        }
        if (!table.match(HOST, LAST, LAST.length()).path().equals("/")) {
            throw new IllegalStateException("the fall-through did not reach /");
        }
        if (!rewrite().equals("/items/42?x=1")) {
            throw new IllegalStateException("rewrote to " + rewrite());
        }
    }

    @Benchmark
    public Route matched() {
        return table.match(HOST, FIRST, FIRST.indexOf('?'));
    }

    @Benchmark
    public Route fallThrough() {
        return table.match(HOST, LAST, LAST.length());
    }

    @Benchmark
    public String rewrite() {
        Route r = table.match(HOST, FIRST, FIRST.indexOf('?'));
        return r.regex().rewrite(FIRST, FIRST.indexOf('?'), r.policy().rewriteTarget());
    }
}
