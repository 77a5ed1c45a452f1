package dev.pier.watcher.translate;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which Ingresses are Pier's.
 *
 * <ol>
 *   <li>{@code spec.ingressClassName} set: Pier's when it names an IngressClass whose {@code spec.controller} is
 *       Pier's, or Pier's own class name (when no IngressClass of that name says otherwise).</li>
 *   <li>Otherwise the deprecated {@code kubernetes.io/ingress.class} annotation, if present, is read the same way.</li>
 *   <li>No class at all: Pier's when one of its IngressClasses is marked
 *       {@code ingressclass.kubernetes.io/is-default-class: "true"}, or with {@code --watch-ingress-without-class}.</li>
 * </ol>
 */
final class IngressClassFilter {
    static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
    static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

    private final Set<String> ourClasses = new HashSet<>();
    private final boolean takeClassless;

    IngressClassFilter(List<IngressClass> classes, TranslatorConfig config) {
        boolean ownNameTaken = false;
        boolean defaultClass = false;
        for (IngressClass c : classes) {
            String name = c.getMetadata().getName();
            boolean ours = c.getSpec() != null && config.controllerClass().equals(c.getSpec().getController());
            if (name.equals(config.ingressClassName())) {
                ownNameTaken = true;
            }
            if (ours) {
                ourClasses.add(name);
                Map<String, String> annotations = c.getMetadata().getAnnotations();
                if (annotations != null && "true".equals(annotations.get(DEFAULT_CLASS_ANNOTATION))) {
                    defaultClass = true;
                }
            }
        }
        if (!ownNameTaken) {
            ourClasses.add(config.ingressClassName());
        }
        this.takeClassless = defaultClass || config.watchIngressWithoutClass();
    }

    boolean accepts(Ingress ingress) {
        String cls = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (cls == null || cls.isEmpty()) {
            Map<String, String> annotations = ingress.getMetadata().getAnnotations();
            cls = annotations == null ? null : annotations.get(CLASS_ANNOTATION);
        }
        if (cls == null || cls.isEmpty()) {
            return takeClassless;
        }
        return ourClasses.contains(cls);
    }
}
