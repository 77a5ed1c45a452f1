package dev.pier.watcher.translate;

import static java.util.Objects.requireNonNull;

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
 */
public record TranslatorConfig(String controllerClass, String ingressClassName, boolean watchIngressWithoutClass,
                               ObjectRef defaultBackendService, ObjectRef defaultSslCertificate) {
    public static final String DEFAULT_CONTROLLER_CLASS = "pier.dev/ingress-controller";
    public static final String DEFAULT_INGRESS_CLASS = "pier";

    public TranslatorConfig {
        requireNonNull(controllerClass, "controllerClass");
        requireNonNull(ingressClassName, "ingressClassName");
    }

    public static TranslatorConfig defaults() {
        return new TranslatorConfig(DEFAULT_CONTROLLER_CLASS, DEFAULT_INGRESS_CLASS, false, null, null);
    }
}
