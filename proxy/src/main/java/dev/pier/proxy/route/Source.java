package dev.pier.proxy.route;

import static java.util.Objects.requireNonNull;

/** The Ingress a route came from, for the routes dump, logs and (later) metrics labels. */
public record Source(String namespace, String name) {
    public Source {
        requireNonNull(namespace, "namespace");
        requireNonNull(name, "name");
    }

    @Override
    public String toString() {
        return namespace + "/" + name;
    }
}
