package dev.pier.watcher.app;

import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.ProxyConfig;
import dev.pier.proxy.ProxyServer;
import dev.pier.proxy.Telemetry;
import dev.pier.proxy.TrustedProxies;
import dev.pier.proxy.admin.AdminServer;
import dev.pier.proxy.log.AccessLog;
import dev.pier.proxy.metrics.ProxyMetrics;
import dev.pier.watcher.ConfigApplier;
import dev.pier.watcher.ControllerMetrics;
import dev.pier.watcher.Metrics;
import dev.pier.watcher.translate.ObjectRef;
import dev.pier.watcher.translate.TranslatorConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Pier's command line: the flags, and the order things start in: the admin server (so {@code /healthz} answers at
 * once), the configuration source (the first table in force), the proxy's listeners, then {@code /readyz} turns 200.
 * The sources are in {@link Sources}, the shutdown sequence in {@link Shutdown}.
 */
@Command(name = "pier", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        abbreviateSynopsis = true, usageHelpWidth = 120, subcommands = Migrate.class,
        description = "Pier: a Kubernetes Ingress controller.%n")
public final class Main implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Option(names = "--manifests", paramLabel = "DIR",
            description = "Serve the Kubernetes objects (Ingress, Service, EndpointSlice, ...) in the YAML/JSON files "
                    + "below DIR, and follow their changes. No cluster needed. Without it, Pier watches the cluster.")
    Path manifests;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Watch the cluster of this kubeconfig. Default: the in-cluster config, else $KUBECONFIG, "
                    + "else ~/.kube/config. Ignored with --manifests.")
    Path kubeconfig;

    @Option(names = "--watch-namespace", paramLabel = "NS", split = ",",
            description = "Watch only these namespaces (repeatable or comma-separated); default all.")
    List<String> watchNamespaces = new ArrayList<>();

    @Option(names = "--publish-status-address", paramLabel = "ADDR", split = ",",
            description = "Write these IPs/hostnames to status.loadBalancer of served Ingresses (cluster mode).")
    List<String> publishStatusAddresses = new ArrayList<>();

    @Option(names = "--publish-service", paramLabel = "NAMESPACE/NAME",
            description = "Else write this Service's load-balancer addresses (or its ClusterIP) to Ingress status.")
    String publishService;

    @Option(names = "--election-id", paramLabel = "NAME", defaultValue = "pier-leader",
            description = "Name of the Lease the replicas elect a status writer with (${DEFAULT-VALUE}).")
    String electionId;

    @Option(names = "--election-namespace", paramLabel = "NS",
            description = "Namespace of that Lease (default: $POD_NAMESPACE, else the client's namespace).")
    String electionNamespace;

    @Option(names = "--disable-leader-election",
            description = "This replica always writes Ingress status and Events (single replica).")
    boolean disableLeaderElection;

    @Option(names = "--bind-address", paramLabel = "ADDR", defaultValue = "0.0.0.0", description = "Address to listen on (${DEFAULT-VALUE}).")
    InetAddress bindAddress;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "8080", description = "HTTP traffic port (${DEFAULT-VALUE}).")
    int httpPort;

    @Option(names = "--https-port", paramLabel = "PORT", defaultValue = "8443",
            description = "HTTPS traffic port; -1 serves no HTTPS (${DEFAULT-VALUE}).")
    int httpsPort;

    @Option(names = "--https-redirect-port", paramLabel = "PORT",
            description = "Port in the Location of HTTP-to-HTTPS redirects, the one clients reach HTTPS on "
                    + "(default: 443 in a cluster, where a Service maps 443 to --https-port; --https-port with "
                    + "--manifests).")
    Integer httpsRedirectPort;

    @Option(names = "--default-ssl-certificate", paramLabel = "NAMESPACE/NAME",
            description = "TLS Secret served when no Ingress's certificate fits (default: a generated self-signed one).")
    String defaultSslCertificate;

    @Option(names = "--tls-engine", paramLabel = "ENGINE", defaultValue = "auto",
            description = "TLS implementation: auto (OpenSSL when it loads, else the JDK's), openssl or jdk "
                    + "(${DEFAULT-VALUE}).")
    String tlsEngine;

    @Option(names = "--hsts", paramLabel = "VALUE", defaultValue = ProxyConfig.DEFAULT_HSTS,
            description = "Strict-Transport-Security value on HTTPS responses of hosts with a certificate of their "
                    + "own; \"off\" sends none (${DEFAULT-VALUE}).")
    String hsts;

    @Option(names = "--http2", defaultValue = "true", negatable = true, fallbackValue = "true",
            description = "Offer HTTP/2 to HTTPS clients through ALPN (${DEFAULT-VALUE}).")
    boolean http2;

    @Option(names = "--access-log", defaultValue = "true", negatable = true, fallbackValue = "true",
            arity = "0..1", description = "One JSON line per request on stdout (${DEFAULT-VALUE}).")
    boolean accessLog;

    @Option(names = "--metrics-per-host", description = "Add the rule's host as a label of request metrics.")
    boolean metricsPerHost;

    @Option(names = "--trusted-proxies", split = ",", paramLabel = "CIDR",
            description = "Peers whose X-Forwarded-For is believed (load balancers in front of Pier): appended to "
                    + "instead of replaced, and the client address is taken from it.")
    List<String> trustedProxies = new ArrayList<>();

    @Option(names = "--proxy-protocol",
            description = "Traffic connections start with a PROXY protocol v1 or v2 header (from a load balancer).")
    boolean proxyProtocol;

    @Option(names = "--admin-port", paramLabel = "PORT", defaultValue = "10254",
            description = "Port of /healthz, /readyz, /routes and /metrics (${DEFAULT-VALUE}).")
    int adminPort;

    @Option(names = "--ingress-class", paramLabel = "NAME", defaultValue = TranslatorConfig.DEFAULT_INGRESS_CLASS,
            description = "Pier's IngressClass name (${DEFAULT-VALUE}).")
    String ingressClass;

    @Option(names = "--controller-class", paramLabel = "NAME", defaultValue = TranslatorConfig.DEFAULT_CONTROLLER_CLASS,
            description = "The spec.controller of Pier's IngressClasses (${DEFAULT-VALUE}).")
    String controllerClass;

    @Option(names = "--watch-ingress-without-class",
            description = "Also serve Ingresses that name no IngressClass.")
    boolean watchWithoutClass;

    @Option(names = "--default-backend-service", paramLabel = "NAMESPACE/NAME",
            description = "Send requests no rule matches to the first port of this Service, instead of Pier's 404.")
    String defaultBackendService;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Event-loop threads for traffic; 0 means one per CPU (${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(names = "--upstream-connect-timeout", paramLabel = "DURATION", defaultValue = "5s", converter = DurationConverter.class,
            description = "Time to connect to an endpoint before 504 (${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--upstream-timeout", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
            description = "Longest upstream silence during a request before 504 (${DEFAULT-VALUE}).")
    Duration upstreamTimeout;

    @Option(names = "--client-idle-timeout", paramLabel = "DURATION", defaultValue = "75s", converter = DurationConverter.class,
            description = "Idle keep-alive client connections close after this (${DEFAULT-VALUE}).")
    Duration clientIdleTimeout;

    @Option(names = "--upstream-keepalive-connections", paramLabel = "N",
            defaultValue = "" + ProxyConfig.DEFAULT_UPSTREAM_KEEPALIVE_CONNECTIONS,
            description = "Idle connections kept open to each endpoint, per event loop (${DEFAULT-VALUE}, as "
                    + "ingress-nginx's upstream-keepalive-connections); 0 closes each after its request.")
    int upstreamKeepaliveConnections;

    @Option(names = "--shutdown-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "On SIGTERM, /readyz turns 503 and traffic is still accepted this long, so endpoint "
                    + "controllers stop sending new connections first (5s in a cluster, 0s with --manifests).")
    Duration shutdownDelay;

    /** In a cluster, endpoint controllers need the delay to stop sending traffic; locally nothing does. */
    static final Duration CLUSTER_SHUTDOWN_DELAY = Duration.ofSeconds(5);

    /** The shutdown delay in force: the flag's, else 5 s in a cluster and none with {@code --manifests}. */
    Duration shutdownDelay() {
        return shutdownDelay != null ? shutdownDelay : manifests != null ? Duration.ZERO : CLUSTER_SHUTDOWN_DELAY;
    }

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "25s", converter = DurationConverter.class,
            description = "Then requests in flight get this long to finish before connections are closed "
                    + "(${DEFAULT-VALUE}).")
    Duration shutdownGrace;

    @Option(names = "--proxy-body-size", paramLabel = "SIZE", defaultValue = "1m",
            description = "Largest request body of a route whose Ingress sets no proxy-body-size annotation, as "
                    + "ingress-nginx's: 512k, 8m, 1g, or 0 for no limit; larger gets 413 (${DEFAULT-VALUE}).")
    String proxyBodySize;

    @Option(names = "--max-header-size", paramLabel = "BYTES", defaultValue = "32768",
            description = "Largest request header block in bytes; larger gets 431 (${DEFAULT-VALUE}).")
    int maxHeaderSize;

    @Option(names = "--serve-unenforced-guards-open",
            description = "Serve the routes of an Ingress whose access-guarding annotation Pier cannot enforce yet "
                    + "(auth-url, limit-rps...) open, without it, instead of answering 503. Logged at start.")
    boolean serveUnenforcedGuardsOpen;

    @Option(names = "--enable-underscores-in-headers",
            description = "Forward request headers whose names have underscores (dropped by default, as nginx does).")
    boolean underscoresInHeaders;

    public static void main(String[] args) {
        nettyDefaults(System.getProperties()); // before any Netty class loads
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line as {@link #main} runs it: a flag it cannot parse gets one line that names it and a pointer to
     * {@code --help} (exit 2), not the whole help, which would scroll the error away.
     */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("pier: " + e.getMessage());
            c.getErr().println("Run 'pier --help' for the flags.");
            return 2;
        });
        return cli;
    }

    /**
     * Netty settings Pier chooses unless the command line sets them. Below a 512 MiB heap Netty's buffer allocator
     * turns "low memory" and gives up its per-thread magazines: every buffer an event loop takes or returns then goes
     * through a lock and a shared queue (21% of the event loop's Java time in a keep-alive profile). Pier's allocating
     * threads are its event loops, one per core, for which those magazines are meant; measured in the same rounds,
     * keep-alive p50 fell 2-4% and the peak RSS moved 3-12 MiB. {@code -Dio.netty.allocator.lowMemory=true} restores
     * Netty's choice.
     */
    static void nettyDefaults(Properties properties) {
        properties.putIfAbsent("io.netty.allocator.lowMemory", "false");
    }

    @Override
    public Integer call() throws Exception {
        ProxyConfig proxyConfig;
        TranslatorConfig translatorConfig;
        Sources.Cluster cluster;
        try {
            proxyConfig = proxyConfig();
            translatorConfig = translatorConfig();
            if (manifests != null && !Files.isDirectory(manifests)) {
                throw new UsageError("--manifests " + manifests + ": no such directory");
            }
            cluster = manifests == null ? cluster() : null;
        } catch (UsageError e) {
            System.err.println("pier: " + e.getMessage());
            return 2;
        }

        log.info("Pier {} on Java {}", BuildInfo.CURRENT, Runtime.version());
        if (serveUnenforcedGuardsOpen) {
            log.warn("--serve-unenforced-guards-open: Ingresses with access-guarding annotations Pier cannot enforce"
                    + " (auth-url, auth-type, limit-*...) are served WITHOUT them, open to every client");
        }
        PrometheusMeterRegistry registry = Metrics.registry();
        BuildInfo.CURRENT.register(registry);
        ControllerMetrics controllerMetrics = new ControllerMetrics(registry);
        ProxyMetrics proxyMetrics = new ProxyMetrics(registry, metricsPerHost);
        AccessLog accessLogWriter = accessLog
                ? new AccessLog(new FileOutputStream(FileDescriptor.out), proxyMetrics.droppedLogLines()) : null;
        ActiveRoutes routes = new ActiveRoutes();
        ConfigApplier applier = new ConfigApplier(routes, translatorConfig, controllerMetrics);
        Sources.Source source = cluster == null ? Sources.manifests(manifests, applier, routes)
                : Sources.cluster(cluster, applier, controllerMetrics);

        // Admin first: /healthz answers while the first configuration loads; /readyz says when it is in force and
        // every traffic listener accepts.
        Readiness readiness = new Readiness(source.ready());
        AdminServer admin;
        try {
            admin = AdminServer.start(proxyConfig, routes, readiness, registry::scrape, applier::problems);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // a bind failure arrives as Netty's (checked) NativeIoException
            System.err.println("pier: cannot listen on the admin port " + bindAddress.getHostAddress() + ":"
                    + adminPort + ": " + e.getMessage());
            source.close();
            return 1;
        }
        try {
            source.start();
        } catch (Exception e) {
            Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null
                    ? e.getCause() : e;
            System.err.println("pier: cannot load the first configuration: " + cause);
            admin.close();
            source.close();
            return 1;
        }
        ProxyServer proxy;
        try {
            proxy = ProxyServer.start(proxyConfig, routes, new Telemetry(proxyMetrics, accessLogWriter));
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            System.err.println("pier: cannot listen on the traffic ports " + bindAddress.getHostAddress() + ":"
                    + httpPort + (httpsPort >= 0 ? " and " + httpsPort : "") + ": " + e.getMessage());
            admin.close();
            source.close();
            return 1;
        }
        readiness.listening(); // ProxyServer.start returns once both listeners are bound
        log.info("admin on port {}: /healthz /readyz /routes /metrics", admin.port());

        Shutdown shutdown = new Shutdown(readiness, proxy, source, admin, accessLogWriter, shutdownDelay(),
                shutdownGrace);
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown::run, "pier-shutdown"));
        shutdown.await();
        return 0;
    }

    /** A flag whose value cannot be used: one line on standard error, exit code 2. */
    static final class UsageError extends Exception {
        UsageError(String message) {
            super(message);
        }
    }

    /** The data plane's settings from the flags. */
    ProxyConfig proxyConfig() throws UsageError {
        ProxyConfig.TlsEngine engine;
        try {
            engine = ProxyConfig.TlsEngine.valueOf(tlsEngine.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--tls-engine must be auto, openssl or jdk, got " + tlsEngine);
        }
        TrustedProxies trusted;
        try {
            trusted = TrustedProxies.parse(trustedProxies);
        } catch (IllegalArgumentException e) {
            throw new UsageError("--trusted-proxies: " + e.getMessage());
        }
        if (upstreamKeepaliveConnections < 0) {
            throw new UsageError("--upstream-keepalive-connections must be 0 or more, got "
                    + upstreamKeepaliveConnections);
        }
        int redirectPort = httpsRedirectPort != null ? httpsRedirectPort : manifests != null ? httpsPort : 443;
        ProxyConfig defaults = ProxyConfig.defaults();
        return defaults.withBindAddress(bindAddress).withPorts(httpPort, httpsPort, adminPort)
                .withIoThreads(ioThreads).withLimits(8 * 1024, maxHeaderSize)
                .withTimeouts(connectTimeout, upstreamTimeout, clientIdleTimeout)
                .withUpstreamKeepalive(upstreamKeepaliveConnections)
                .withTls(defaults.tls().withPort(httpsPort).withEngine(engine).withRedirectPort(redirectPort)
                        .withHsts("off".equalsIgnoreCase(hsts) || hsts.isBlank() ? null : hsts).withHttp2(http2))
                .withClientAddress(trusted, proxyProtocol)
                .withUnderscoresInHeaders(underscoresInHeaders);
    }

    /** The translation's settings from the flags. */
    TranslatorConfig translatorConfig() throws UsageError {
        long bodyLimit = TranslatorConfig.bodyLimit(proxyBodySize);
        if (bodyLimit == TranslatorConfig.NOT_A_SIZE) {
            throw new UsageError("--proxy-body-size must be a size in bytes, or with k, m or g (8m), or 0 for no "
                    + "limit, got " + proxyBodySize);
        }
        return new TranslatorConfig(controllerClass, ingressClass, watchWithoutClass,
                ref("Service", "--default-backend-service", defaultBackendService),
                ref("Secret", "--default-ssl-certificate", defaultSslCertificate),
                bodyLimit, serveUnenforcedGuardsOpen);
    }

    /** Cluster mode's settings from the flags. */
    Sources.Cluster cluster() throws UsageError {
        if (kubeconfig != null && !Files.isReadable(kubeconfig)) {
            throw new UsageError("--kubeconfig " + kubeconfig + ": no such readable file");
        }
        return new Sources.Cluster(kubeconfig, watchNamespaces, publishStatusAddresses,
                ref("Service", "--publish-service", publishService), electionId, electionNamespace,
                disableLeaderElection);
    }

    private static ObjectRef ref(String kind, String flag, String value) throws UsageError {
        if (value == null) {
            return null;
        }
        ObjectRef ref = ObjectRef.parse(kind, value);
        if (ref == null) {
            throw new UsageError(flag + " must be NAMESPACE/NAME, got " + value);
        }
        return ref;
    }

    /** Durations as {@code 500ms}, {@code 5s}, {@code 2m}, or ISO-8601 ({@code PT5S}). */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            String v = value.trim();
            try {
                if (v.startsWith("P") || v.startsWith("p")) {
                    return Duration.parse(v);
                }
                if (v.endsWith("ms")) {
                    return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                }
                long n = Long.parseLong(v.substring(0, Math.max(0, v.length() - 1)));
                return switch (v.charAt(v.length() - 1)) {
                    case 's' -> Duration.ofSeconds(n);
                    case 'm' -> Duration.ofMinutes(n);
                    case 'h' -> Duration.ofHours(n);
                    default -> throw new NumberFormatException();
                };
            } catch (RuntimeException e) { // NumberFormatException, DateTimeParseException, an empty value
                throw new CommandLine.TypeConversionException("'" + value
                        + "' is not a duration: write a number and a unit, 500ms, 5s, 2m or 1h (or ISO-8601, PT5S)");
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"pier " + BuildInfo.CURRENT};
        }
    }
}
