package dev.pier.watcher.app;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.watcher.ControllerMetrics;
import dev.pier.watcher.cluster.ClusterSource;
import dev.pier.watcher.manifest.ManifestSource;
import dev.pier.watcher.source.ConfigSink;
import dev.pier.watcher.status.ClusterReporter;
import dev.pier.watcher.status.Leadership;
import dev.pier.watcher.translate.ObjectRef;
import dev.pier.watcher.translate.Translation;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Where the configuration comes from: a manifest directory, or the cluster (with status, Events and leadership). */
final class Sources {
    private static final Logger log = LoggerFactory.getLogger(Sources.class);

    /** A configuration source, not yet started. */
    interface Source extends AutoCloseable {
        /** Loads the first configuration (it is in force on return), then follows changes. */
        void start() throws Exception;

        /** Whether the first configuration is in force. */
        BooleanSupplier ready();
    }

    /** What cluster mode needs beyond the sink: the API, and how status is published and a leader elected. */
    record Cluster(Path kubeconfig, List<String> namespaces, List<String> statusAddresses, ObjectRef publishService,
                   String electionId, String electionNamespace, boolean disableLeaderElection) {}

    private Sources() {}

    static Source manifests(Path dir, ConfigSink sink, ActiveRoutes routes) throws IOException {
        ManifestSource source = new ManifestSource(dir, sink);
        return new Source() {
            @Override
            public void start() {
                source.start();
            }

            @Override
            public BooleanSupplier ready() {
                return routes::ready;
            }

            @Override
            public void close() throws IOException {
                source.close();
            }
        };
    }

    static Source cluster(Cluster settings, ConfigSink sink, ControllerMetrics metrics) {
        KubernetesClient client = new KubernetesClientBuilder().withConfig(settings.kubeconfig() == null
                ? Config.autoConfigure(null) : Config.fromKubeconfig(settings.kubeconfig().toFile())).build();
        String identity = firstNonBlank(System.getenv("POD_NAME"), System.getenv("HOSTNAME"),
                "pier-" + Long.toHexString(System.nanoTime()));
        ClusterReporter reporter = new ClusterReporter(client, settings.statusAddresses(), settings.publishService(),
                identity);
        ClusterSource clusterSource = new ClusterSource(client, settings.namespaces(), state -> {
            Translation t = sink.apply(state);
            reporter.offer(t, state.ingresses());
            return t;
        }, Duration.ofMillis(10), Duration.ofMillis(100));
        metrics.informerReconnects(clusterSource, ClusterSource::outages);
        return new Source() {
            private Leadership leadership;

            @Override
            public void start() throws Exception {
                log.info("watching the Kubernetes API at {}", client.getConfiguration().getMasterUrl());
                clusterSource.start(Duration.ofMinutes(2));
                String ns = firstNonBlank(settings.electionNamespace(), System.getenv("POD_NAMESPACE"),
                        client.getNamespace(), "default");
                Consumer<Boolean> leading = l -> {
                    metrics.leader(l);
                    reporter.leading(l);
                };
                leadership = settings.disableLeaderElection() ? Leadership.always(leading)
                        : Leadership.elect(client, ns, settings.electionId(), identity, Duration.ofSeconds(30), leading);
            }

            @Override
            public BooleanSupplier ready() {
                return clusterSource::ready;
            }

            @Override
            public void close() throws Exception {
                if (leadership != null) {
                    leadership.close(); // releases the Lease: another replica takes over at once
                }
                clusterSource.close();
                reporter.close();
                client.close();
            }
        };
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        return null;
    }
}
