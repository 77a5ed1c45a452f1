package dev.pier.watcher.manifest;

/** Manifests for the tests of manifest mode: a Service whose one endpoint is a test upstream on 127.0.0.1. */
final class LoopbackService {
    private LoopbackService() {}

    /** A Service {@code name} with one port, {@code http} 80, and a ready EndpointSlice for it on 127.0.0.1. */
    static String yaml(String name, int podPort) {
        return yaml(name, "http", 80, podPort);
    }

    /**
     * A Service {@code name} with one port ({@code portName}, {@code port}), and an EndpointSlice for it with one
     * endpoint, 127.0.0.1 on {@code podPort}. Ends with a newline, without a document separator.
     */
    static String yaml(String name, String portName, int port, int podPort) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s}
                spec: {ports: [{name: %2$s, port: %3$d}]}
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: %1$s-x, labels: {kubernetes.io/service-name: %1$s}}
                addressType: IPv4
                ports: [{name: %2$s, port: %4$d}]
                endpoints: [{addresses: [127.0.0.1]}]
                """.formatted(name, portName, port, podPort);
    }
}
