package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** A Kubernetes object by kind, namespace and name. */
public record ObjectRef(String kind, String namespace, String name) {
    public static ObjectRef of(HasMetadata o) {
        return new ObjectRef(o.getKind(), o.getMetadata().getNamespace(), o.getMetadata().getName());
    }

    /** Parses {@code namespace/name}; null when the text is not of that form. */
    public static ObjectRef parse(String kind, String namespacedName) {
        int slash = namespacedName.indexOf('/');
        if (slash <= 0 || slash == namespacedName.length() - 1 || namespacedName.indexOf('/', slash + 1) >= 0) {
            return null;
        }
        return new ObjectRef(kind, namespacedName.substring(0, slash), namespacedName.substring(slash + 1));
    }

    @Override
    public String toString() {
        return kind + " " + namespace + "/" + name;
    }
}
