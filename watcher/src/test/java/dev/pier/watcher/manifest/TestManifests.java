package dev.pier.watcher.manifest;

/** Manifests for the tests of manifest mode: Services whose one endpoint is a test upstream, and Ingresses to them. */
final class TestManifests {
    private TestManifests() {}

    /** A Service {@code name} with one port, {@code http} 80, and a ready EndpointSlice for it on 127.0.0.1. */
    static String service(String name, int podPort) {
        return service(name, "http", 80, podPort);
    }

    /**
     * A Service {@code name} with one port ({@code portName}, {@code port}), and an EndpointSlice for it with one
     * endpoint, 127.0.0.1 on {@code podPort}. Ends with a newline, without a document separator.
     */
    static String service(String name, String portName, int port, int podPort) {
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

    /**
     * An Ingress of class pier, after a document separator: {@code host}'s {@code paths} (Prefix) to the Service
     * {@code app}, port 80, with {@code annotations} as the inside of a YAML flow map ({@code "key: value, ..."}).
     */
    static String ingress(String name, String host, String annotations, String... paths) {
        StringBuilder rules = new StringBuilder();
        for (String path : paths) {
            rules.append("\n          - {path: ").append(path)
                    .append(", pathType: Prefix, backend: {service: {name: app, port: {number: 80}}}}");
        }
        return """
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata:
                  name: %s
                  annotations: {%s}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: %s
                      http:
                        paths:%s
                """.formatted(name, annotations, host, rules);
    }
}
