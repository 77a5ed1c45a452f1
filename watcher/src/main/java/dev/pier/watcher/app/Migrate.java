package dev.pier.watcher.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pier.watcher.manifest.ManifestDirectory;
import dev.pier.watcher.translate.Migration;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pier migrate}: for every Ingress, the annotations it uses and what Pier does with each, then how many move
 * unchanged. Read-only: it lists Ingresses from a manifest directory or the cluster and writes nothing anywhere.
 * Exit code 0 when every Ingress moves unchanged, 1 when some need changes, 2 for a usage error.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, usageHelpWidth = 120,
        description = "Show what moving each Ingress from ingress-nginx to Pier does to it (read-only).%n")
final class Migrate implements Callable<Integer> {
    @Option(names = "--manifests", paramLabel = "DIR", description = "Read the Ingresses in the YAML/JSON files below DIR.")
    Path manifests;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Read the Ingresses of this cluster (default, without --manifests: the in-cluster config, "
                    + "else $KUBECONFIG, else ~/.kube/config).")
    Path kubeconfig;

    @Option(names = "--namespace", paramLabel = "NS", description = "Only this namespace (default: all).")
    String namespace;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (${DEFAULT-VALUE}).")
    String output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!output.equals("text") && !output.equals("json")) {
            err.println("pier migrate: --output must be text or json, got " + output);
            return 2;
        }
        if (manifests != null && !Files.isDirectory(manifests)) {
            err.println("pier migrate: --manifests " + manifests + ": no such directory");
            return 2;
        }
        List<Migration.Report> reports = new ArrayList<>();
        for (Ingress i : ingresses()) {
            if (namespace == null || namespace.equals(i.getMetadata().getNamespace())) {
                reports.add(Migration.of(i));
            }
        }
        reports.sort(Comparator.comparing(Migration.Report::namespace).thenComparing(Migration.Report::name));
        long unchanged = reports.stream().filter(Migration.Report::movesUnchanged).count();
        if (output.equals("json")) {
            Map<String, Object> doc = new LinkedHashMap<>();
            List<Map<String, Object>> list = new ArrayList<>();
            for (Migration.Report r : reports) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("namespace", r.namespace());
                m.put("name", r.name());
                m.put("ingressClass", r.ingressClass());
                m.put("movesUnchanged", r.movesUnchanged());
                m.put("annotations", r.keys());
                list.add(m);
            }
            doc.put("ingresses", list);
            doc.put("summary", Map.of("ingresses", reports.size(), "movesUnchanged", unchanged,
                    "needChanges", reports.size() - unchanged));
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc));
        } else {
            for (Migration.Report r : reports) {
                out.println(r.namespace() + "/" + r.name() + " (class " + (r.ingressClass() == null ? "none"
                        : r.ingressClass()) + "): " + (r.movesUnchanged() ? "moves unchanged" : "needs changes"));
                for (Migration.Key k : r.keys()) {
                    out.println("  " + k.key() + ": " + k.support() + ". " + k.note());
                }
            }
            out.println(reports.size() + (reports.size() == 1 ? " Ingress: " : " Ingresses: ") + unchanged
                    + " move unchanged, " + (reports.size() - unchanged) + " need changes");
            reports.stream().map(Migration.Report::ingressClass).filter(c -> c != null && !c.equals("pier"))
                    .distinct().sorted().forEach(c -> out.println("Class " + c + ": run Pier with --ingress-class "
                            + c + (c.equals("nginx") ? " --controller-class k8s.io/ingress-nginx" : "")
                            + " to serve these Ingresses as they are."));
        }
        out.flush();
        return unchanged == reports.size() ? 0 : 1;
    }

    private List<Ingress> ingresses() throws Exception {
        List<Ingress> out = new ArrayList<>();
        if (manifests != null) {
            for (HasMetadata o : new ManifestDirectory(manifests).read().objects()) {
                if (o instanceof Ingress i) {
                    out.add(i);
                }
            }
            return out;
        }
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(kubeconfig == null
                ? Config.autoConfigure(null) : Config.fromKubeconfig(kubeconfig.toFile())).build()) {
            var ingresses = client.network().v1().ingresses();
            out.addAll((namespace == null ? ingresses.inAnyNamespace() : ingresses.inNamespace(namespace))
                    .list().getItems());
        }
        return out;
    }
}
