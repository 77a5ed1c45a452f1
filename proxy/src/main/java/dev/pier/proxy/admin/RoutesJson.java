package dev.pier.proxy.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pier.proxy.route.ActiveRoutes;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.VirtualHost;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes the table in force as JSON for {@code GET /routes}: every host with its paths in match order, each with its
 * path type, backend Service, endpoints, the Ingress it came from, and why it has no endpoints when it has none.
 */
public final class RoutesJson {
    private static final JsonFactory JSON = new JsonFactory();

    private RoutesJson() {}

    public static void write(ActiveRoutes.Published published, OutputStream out) throws IOException {
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeNumberField("generation", published.generation());
            g.writeStringField("publishedAt",
                    published.publishedAt() == null ? null : published.publishedAt().toString());
            g.writeArrayFieldStart("hosts");
            for (VirtualHost vh : published.table().hosts()) {
                g.writeStartObject();
                g.writeStringField("host", vh.host().isEmpty() ? "*" : vh.host());
                if (vh.host().isEmpty()) {
                    g.writeStringField("note", "rules without host: serve every host that has no rules of its own");
                }
                g.writeArrayFieldStart("paths");
                for (Route r : vh.routes()) {
                    writeRoute(g, r);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("defaultBackend");
            writeRoute(g, published.table().defaultRoute());
            g.writeEndObject();
        }
    }

    private static void writeRoute(JsonGenerator g, Route r) throws IOException {
        g.writeStartObject();
        if (r.isBuiltInNotFound()) {
            g.writeStringField("builtIn", "404 Not Found");
            g.writeEndObject();
            return;
        }
        g.writeStringField("path", r.path());
        g.writeStringField("pathType", r.pathType().kubernetesName());
        if (r.source() != null) {
            g.writeStringField("ingress", r.source().toString());
        }
        Backend b = r.backend();
        g.writeStringField("service", b.namespace() + "/" + b.service());
        g.writeStringField("port", b.port());
        g.writeArrayFieldStart("endpoints");
        for (Endpoint e : b.endpoints()) {
            g.writeString(e.toString());
        }
        g.writeEndArray();
        if (!b.available()) {
            g.writeStringField("status", "503: " + (b.problem() == null ? "no ready endpoints" : b.problem()));
        }
        g.writeEndObject();
    }
}
