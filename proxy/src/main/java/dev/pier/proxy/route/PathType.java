package dev.pier.proxy.route;

/** The {@code pathType} of an Ingress path, with its matching semantics. */
public enum PathType {
    /** The whole path, case-sensitive: {@code /foo} matches {@code /foo} only, not {@code /foo/}. */
    EXACT("Exact"),
    /**
     * Element-wise prefix on {@code /}: {@code /foo} matches {@code /foo}, {@code /foo/} and {@code /foo/bar}, never
     * {@code /foobar}; a trailing slash in the rule is ignored; {@code /} matches every path.
     */
    PREFIX("Prefix"),
    /** Pier gives {@code ImplementationSpecific} the {@link #PREFIX} semantics. */
    IMPLEMENTATION_SPECIFIC("ImplementationSpecific");

    private final String kubernetesName;

    PathType(String kubernetesName) {
        this.kubernetesName = kubernetesName;
    }

    /** The name used in Ingress manifests: {@code Exact}, {@code Prefix}, {@code ImplementationSpecific}. */
    public String kubernetesName() {
        return kubernetesName;
    }

    /** Parses the manifest name; returns null for anything else (including null). */
    public static PathType fromKubernetesName(String name) {
        for (PathType t : values()) {
            if (t.kubernetesName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    boolean isExact() {
        return this == EXACT;
    }
}
