package dev.pier.watcher.translate;

import dev.pier.watcher.manifest.ManifestDirectory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** YAML fixtures, parsed by fabric8 as in manifest mode. */
final class Fixtures {
    private Fixtures() {}

    /** The objects in a YAML text, parsed exactly as manifest mode parses files. */
    static List<HasMetadata> objects(String yaml) {
        return new ArrayList<>(ManifestDirectory.parse(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))));
    }

    /** A Service with one port named http (port 80) and a ready EndpointSlice for it on {@code ip:podPort}. */
    static String service(String name, String ip, int podPort) {
        return """
                apiVersion: v1
                kind: Service
                metadata: {name: %1$s}
                spec:
                  ports: [{name: http, port: 80, targetPort: %3$d}]
                ---
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata:
                  name: %1$s-abc
                  labels: {kubernetes.io/service-name: %1$s}
                addressType: IPv4
                ports: [{name: http, port: %3$d}]
                endpoints:
                  - addresses: [%2$s]
                    conditions: {ready: true}
                ---
                """.formatted(name, ip, podPort);
    }

    /** An Ingress with one rule: {@code host} {@code path} ({@code type}) to {@code service}:80. */
    static String ingress(String name, String created, String host, String path, String type, String service) {
        return """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: %s, creationTimestamp: "%s"}
                spec:
                  ingressClassName: pier
                  rules:
                    - host: %s
                      http:
                        paths:
                          - {path: %s, pathType: %s, backend: {service: {name: %s, port: {number: 80}}}}
                ---
                """.formatted(name, created, host, path, type, service);
    }
}
