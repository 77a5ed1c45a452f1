package dev.pier.watcher.translate;

import dev.pier.watcher.translate.Problem.Reason;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An Ingress's HTTP-to-HTTPS redirect settings, from ingress-nginx's annotations or Pier's own (which win when both are
 * set):
 *
 * <ul>
 *   <li>{@code ssl-redirect} (default {@code "true"}): redirect plain-HTTP requests for hosts with a TLS section.
 *   <li>{@code force-ssl-redirect} (default {@code "false"}): redirect even without a TLS section (TLS ends in front
 *       of Pier).
 * </ul>
 *
 * @param ifTls redirect hosts that have a TLS section
 * @param force redirect every host of this Ingress
 */
record Redirects(boolean ifTls, boolean force) {
    static final String NGINX_PREFIX = "nginx.ingress.kubernetes.io/";
    static final String PIER_PREFIX = "pier.dev/";

    static Redirects of(Ingress ingress, ObjectRef ref, List<Problem> problems) {
        Map<String, String> annotations = ingress.getMetadata().getAnnotations();
        if (annotations == null || annotations.isEmpty()) {
            return new Redirects(true, false);
        }
        return new Redirects(flag(annotations, "ssl-redirect", true, ref, problems),
                flag(annotations, "force-ssl-redirect", false, ref, problems));
    }

    private static boolean flag(Map<String, String> annotations, String name, boolean fallback, ObjectRef ref,
                                List<Problem> problems) {
        boolean value = fallback;
        for (String prefix : List.of(NGINX_PREFIX, PIER_PREFIX)) { // Pier's own last: it wins
            String raw = annotations.get(prefix + name);
            if (raw == null) {
                continue;
            }
            switch (raw.trim().toLowerCase(Locale.ROOT)) {
                case "true" -> value = true;
                case "false" -> value = false;
                default -> problems.add(new Problem(ref, "metadata.annotations." + prefix + name,
                        Reason.InvalidAnnotation, "'" + raw + "' is not \"true\" or \"false\"; ignored"));
            }
        }
        return value;
    }
}
