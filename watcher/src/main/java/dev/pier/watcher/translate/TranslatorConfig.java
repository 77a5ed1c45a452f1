package dev.pier.watcher.translate;

import static java.util.Objects.requireNonNull;

import dev.pier.proxy.route.Route;

/**
 * How Pier selects and serves Ingresses.
 *
 * @param controllerClass the {@code spec.controller} of IngressClasses that are Pier's
 * @param ingressClassName Pier's IngressClass name; Ingresses naming it are taken even when no IngressClass object of
 *     that name exists (manifest mode), unless one exists with another controller
 * @param watchIngressWithoutClass take Ingresses that name no class at all
 * @param defaultBackendService where unmatched requests go when no Ingress has a {@code spec.defaultBackend}: the
 *     first port of this Service; null for the built-in 404
 * @param defaultSslCertificate the TLS Secret served when no Ingress's certificate fits a handshake; null for the
 *     generated one
 * @param maxBodyBytes the request body limit of routes whose Ingress sets no {@code proxy-body-size};
 *     {@link Route#NO_LIMIT} for none
 * @param serveUnenforcedGuardsOpen serve the routes of an Ingress with an access-guarding annotation Pier cannot
 *     enforce ({@code auth-url}, {@code limit-rps}...) without it, instead of answering 503. A guard that does not
 *     parse (an allowlist with a bad CIDR) fails closed regardless.
 */
public record TranslatorConfig(String controllerClass, String ingressClassName, boolean watchIngressWithoutClass,
                               ObjectRef defaultBackendService, ObjectRef defaultSslCertificate, long maxBodyBytes,
                               boolean serveUnenforcedGuardsOpen) {
    public static final String DEFAULT_CONTROLLER_CLASS = "pier.dev/ingress-controller";
    public static final String DEFAULT_INGRESS_CLASS = "pier";
    /** ingress-nginx's default {@code proxy-body-size}: 1m. */
    public static final long DEFAULT_MAX_BODY_BYTES = 1L << 20;

    public TranslatorConfig {
        requireNonNull(controllerClass, "controllerClass");
        requireNonNull(ingressClassName, "ingressClassName");
    }

    /** Failing closed on access guards Pier cannot enforce. */
    public TranslatorConfig(String controllerClass, String ingressClassName, boolean watchIngressWithoutClass,
                            ObjectRef defaultBackendService, ObjectRef defaultSslCertificate, long maxBodyBytes) {
        this(controllerClass, ingressClassName, watchIngressWithoutClass, defaultBackendService, defaultSslCertificate,
                maxBodyBytes, false);
    }

    /** This configuration, serving routes with unenforced access guards open or not. */
    public TranslatorConfig withServeUnenforcedGuardsOpen(boolean open) {
        return new TranslatorConfig(controllerClass, ingressClassName, watchIngressWithoutClass, defaultBackendService,
                defaultSslCertificate, maxBodyBytes, open);
    }

    /** With ingress-nginx's default body limit. */
    public TranslatorConfig(String controllerClass, String ingressClassName, boolean watchIngressWithoutClass,
                            ObjectRef defaultBackendService, ObjectRef defaultSslCertificate) {
        this(controllerClass, ingressClassName, watchIngressWithoutClass, defaultBackendService, defaultSslCertificate,
                DEFAULT_MAX_BODY_BYTES);
    }

    /** What {@link #bodyLimit} returns for text that is not a size. */
    public static final long NOT_A_SIZE = -2;

    /**
     * A body limit written as ingress-nginx's {@code proxy-body-size} ({@code 512k}, {@code 8m}, {@code 1g}): its
     * bytes, {@link Route#NO_LIMIT} for {@code 0}, {@link #NOT_A_SIZE} for anything else.
     */
    public static long bodyLimit(String size) {
        long bytes = Annotations.parseSize(size.trim());
        return bytes < 0 ? NOT_A_SIZE : bytes == 0 ? Route.NO_LIMIT : bytes;
    }

    public static TranslatorConfig defaults() {
        return new TranslatorConfig(DEFAULT_CONTROLLER_CLASS, DEFAULT_INGRESS_CLASS, false, null, null);
    }
}
