package dev.pier.watcher.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code pier migrate} on manifests as ingress-nginx users write them (from its documented examples). */
class MigrateTest {
    private static final Path EXAMPLES = Path.of("src/test/resources/migrate");

    @TempDir
    Path dir;

    private record Run(int exit, String out, String err) {}

    private static Run migrate(String... args) {
        CommandLine cli = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] all = new String[args.length + 1];
        all[0] = "migrate";
        System.arraycopy(args, 0, all, 1, args.length);
        int exit = cli.execute(all);
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void listsEachIngressesKeysWithWhatPierDoesAndTheSummary() {
        Run r = migrate("--manifests", EXAMPLES.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("web/blog (class nginx): moves unchanged")
                .contains("web/admin (class nginx): needs changes")
                .contains("nginx.ingress.kubernetes.io/auth-url: access guard, fails closed.")
                .contains("nginx.ingress.kubernetes.io/whitelist-source-range: supported.")
                .contains("web/shop (class nginx): moves unchanged")
                .contains("nginx.ingress.kubernetes.io/rewrite-target: supported.")
                .contains("nginx.ingress.kubernetes.io/upstream-hash-by: unsupported.")
                .contains("nginx.ingress.kubernetes.io/proxy-buffering: no-op.")
                .doesNotContain("cert-manager.io")
                .contains("3 Ingresses: 2 move unchanged, 1 need changes")
                .contains("run Pier with --ingress-class nginx --controller-class k8s.io/ingress-nginx");
    }

    @Test
    void everyIngressMovingUnchangedExitsZero() throws Exception {
        String blog = Files.readString(EXAMPLES.resolve("ingresses.yaml")).split("---\n")[2];
        Files.writeString(dir.resolve("blog.yaml"), blog);
        Run r = migrate("--manifests", dir.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("1 Ingress: 1 move unchanged, 0 need changes");
    }

    @Test
    void jsonForScripts() throws Exception {
        Run r = migrate("--manifests", EXAMPLES.toString(), "--output", "json", "--namespace", "web");
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.at("/summary/ingresses").asInt()).isEqualTo(3);
        assertThat(doc.at("/summary/needChanges").asInt()).isEqualTo(1);
        assertThat(doc.at("/ingresses/0/name").asText()).isEqualTo("admin");
        assertThat(doc.at("/ingresses/0/annotations/0/key").asText()).isEqualTo("nginx.ingress.kubernetes.io/auth-url");
        assertThat(doc.at("/ingresses/0/annotations/0/support").asText()).isEqualTo("access guard, fails closed");
        assertThat(doc.at("/ingresses/0/movesUnchanged").asBoolean()).isFalse();
    }

    @Test
    void usageErrorsAreOneLineAndExitTwo() {
        assertThat(migrate("--manifests", "/nonexistent/x").exit()).isEqualTo(2);
        Run r = migrate("--manifests", EXAMPLES.toString(), "--output", "yaml");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err().strip()).isEqualTo("pier migrate: --output must be text or json, got yaml");
    }
}
