package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What moving an Ingress from ingress-nginx to Pier does to it, key by key, from the annotation registry that the
 * translation itself uses: for {@code pier migrate}. Pure: Ingresses in, a report out.
 */
public final class Migration {
    private Migration() {}

    /** One annotation of an Ingress and what Pier does with it. */
    public record Key(String key, String value, String support, String note, boolean movesUnchanged) {}

    /** One Ingress: its class, its keys, and whether it serves on Pier as it did on ingress-nginx. */
    public record Report(String namespace, String name, String ingressClass, List<Key> keys) {
        public boolean movesUnchanged() {
            return keys.stream().allMatch(Key::movesUnchanged);
        }
    }

    /** The keys Pier applies (without a prefix), from the registry: for checks that each is documented and tested. */
    public static java.util.Set<String> supportedKeys() {
        java.util.Set<String> keys = new java.util.TreeSet<>();
        for (Annotations.Key k : Annotations.registered().values()) {
            if (k.support() == Annotations.Support.SUPPORTED) {
                keys.add(k.name());
            }
        }
        return java.util.Collections.unmodifiableSet(keys);
    }

    /** The report of one Ingress; keys of other prefixes (cert-manager's, say) are not Pier's business. */
    public static Report of(Ingress ingress) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations() == null ? Map.of()
                : new TreeMap<>(ingress.getMetadata().getAnnotations());
        List<Key> keys = new ArrayList<>();
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            String key = e.getKey();
            String name = key.startsWith(Annotations.NGINX_PREFIX) ? key.substring(Annotations.NGINX_PREFIX.length())
                    : key.startsWith(Annotations.PIER_PREFIX) ? key.substring(Annotations.PIER_PREFIX.length()) : null;
            if (name == null) {
                continue;
            }
            Annotations.Key k = Annotations.lookup(name);
            String note = switch (k.support()) {
                case SUPPORTED -> "applied: " + k.note();
                case NO_OP -> "accepted, no effect needed: " + k.note();
                case GUARD -> k.note() + ": every route of this Ingress answers 503 on Pier until it is removed";
                case UNSUPPORTED -> k.note() + ": served without it";
            };
            boolean unchanged = k.support() == Annotations.Support.SUPPORTED
                    || k.support() == Annotations.Support.NO_OP;
            String support = switch (k.support()) {
                case SUPPORTED -> "supported";
                case NO_OP -> "no-op";
                case GUARD -> "access guard, fails closed";
                case UNSUPPORTED -> "unsupported";
            };
            keys.add(new Key(key, e.getValue(), support, note, unchanged));
        }
        String cls = ingress.getSpec() != null && ingress.getSpec().getIngressClassName() != null
                ? ingress.getSpec().getIngressClassName()
                : ingress.getMetadata().getAnnotations() == null ? null
                : ingress.getMetadata().getAnnotations().get("kubernetes.io/ingress.class");
        return new Report(ingress.getMetadata().getNamespace(), ingress.getMetadata().getName(), cls, keys);
    }
}
