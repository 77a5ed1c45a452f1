package dev.pier.watcher.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pier.testing.TestCerts;
import dev.pier.tls.SelfSigned;
import dev.pier.watcher.manifest.ManifestDirectory;
import dev.pier.watcher.translate.ClusterState;
import dev.pier.watcher.translate.Translation;
import dev.pier.watcher.translate.Translator;
import dev.pier.watcher.translate.TranslatorConfig;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The example manifests the README runs translate cleanly: every route served, no problem reported. */
class ExamplesTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    private static List<HasMetadata> read(String example) throws Exception {
        ManifestDirectory.Snapshot s = new ManifestDirectory(EXAMPLES.resolve(example).resolve("manifests")).read();
        assertThat(s.errors()).isEmpty();
        return new ArrayList<>(s.objects());
    }

    @Test
    void demowebsite() throws Exception {
        Translation t = Translator.translate(ClusterState.of(read("demowebsite")), TranslatorConfig.defaults());

        assertThat(t.problems()).isEmpty();
        assertThat(t.table().match("app1.demowebsite.com", "/").backend().service()).isEqualTo("app1");
        assertThat(t.table().match("demowebsite.com", "/app2/").backend().service()).isEqualTo("app2");
        assertThat(t.table().match("anything.else", "/").backend().service()).isEqualTo("fallback");
    }

    @Test
    void tlsWithTheSecretRunShWrites() throws Exception {
        List<HasMetadata> objects = read("tls");
        objects.removeIf(o -> o.getKind().equals("Secret")); // a Secret left by an earlier run.sh
        TestCerts.Issued cert = TestCerts.issue(SelfSigned.KeyType.RSA_2048, "myapp.com");
        objects.add(new SecretBuilder().withNewMetadata().withNamespace("default").withName("myapp-secret-tls")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .addToData("tls.crt", Base64.getEncoder().encodeToString(cert.certPem()))
                .addToData("tls.key", Base64.getEncoder().encodeToString(cert.traditionalPem())).build());

        Translation t = Translator.translate(ClusterState.of(objects), TranslatorConfig.defaults());

        assertThat(t.problems()).isEmpty();
        assertThat(t.tls().byName().lookup("myapp.com").leaf()).isEqualTo(cert.chain().getFirst());
        assertThat(t.table().match("myapp.com", "/").sslRedirect()).isTrue();
        assertThat(t.endpointsOf(t.table().match("myapp.com", "/")).endpoints()).hasSize(1);
    }
}
