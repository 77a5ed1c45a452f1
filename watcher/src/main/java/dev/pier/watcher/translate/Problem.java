package dev.pier.watcher.translate;

/**
 * Something in the input Pier could not serve as written. It affects only the rule or field it names: everything
 * else is served.
 *
 * @param object the object at fault (usually an Ingress)
 * @param field where in it, as a JSON path ({@code spec.rules[0].http.paths[1].backend.service.port})
 * @param reason a stable machine-readable reason, used for Kubernetes Events and metrics
 * @param message what is wrong and what Pier did about it, for humans
 */
public record Problem(ObjectRef object, String field, Reason reason, String message) {

    /** Reasons, named as Kubernetes Event reasons are. */
    public enum Reason {
        ServiceNotFound,
        PortNotFound,
        NoReadyEndpoints,
        PathConflict,
        DefaultBackendConflict,
        InvalidPath,
        InvalidHost,
        InvalidBackend,
        UnsupportedBackend,
        SecretInvalid,
        CertificateMismatch,
        TLSConflict,
        InvalidAnnotation,
        UnsupportedAnnotation,
        /** A manifest file that does not parse: its last good objects stay in force. */
        ManifestInvalid
    }

    @Override
    public String toString() {
        return object + (field.isEmpty() ? "" : " " + field) + ": " + reason + ": " + message;
    }
}
