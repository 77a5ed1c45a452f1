package dev.pier.proxy.admin;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pier.proxy.ActiveRoutes;
import dev.pier.proxy.route.AddressRanges;
import dev.pier.proxy.route.Backend;
import dev.pier.proxy.route.Endpoint;
import dev.pier.proxy.route.EndpointSet;
import dev.pier.proxy.route.EndpointTable;
import dev.pier.proxy.route.PathType;
import dev.pier.proxy.route.Policy;
import dev.pier.proxy.route.Route;
import dev.pier.proxy.route.VirtualHost;
import dev.pier.tls.TlsCredential;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * Writes the table in force as JSON for {@code GET /routes}: every host with its paths in match order, each with its
 * path type, backend Service, endpoints, the Ingress it came from, and why it has no endpoints when it has none; then
 * the problems of the configuration in force; the certificates by server name, each with its subject, DNS names,
 * expiry and SHA-256 fingerprint (never the key).
 */
public final class RoutesJson {
    private static final JsonFactory JSON = new JsonFactory();

    private RoutesJson() {}

    /**
     * The table with each route's endpoints as {@code endpoints} has them, then {@code problems}: what in the
     * configuration Pier could not serve as written.
     */
    public static void write(ActiveRoutes.Published published, EndpointTable endpoints, List<ConfigProblem> problems,
                             OutputStream out) throws IOException {
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
                    writeRoute(g, r, endpoints);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("defaultBackend");
            writeRoute(g, published.table().defaultRoute(), endpoints);
            g.writeArrayFieldStart("problems");
            for (ConfigProblem p : problems) {
                g.writeStartObject();
                g.writeStringField("object", p.object());
                g.writeStringField("field", p.field());
                g.writeStringField("reason", p.reason());
                g.writeStringField("message", p.message());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("certificates");
            for (Map.Entry<String, TlsCredential> e : published.certificates().byName().entries().entrySet()) {
                g.writeStartObject();
                g.writeStringField("serverName", e.getKey());
                writeCertificate(g, e.getValue());
                g.writeEndObject();
            }
            g.writeEndArray();
            TlsCredential defaultCertificate = published.certificates().fallback();
            g.writeFieldName("defaultCertificate");
            if (defaultCertificate == null) {
                g.writeString("generated (self-signed)");
            } else {
                g.writeStartObject();
                writeCertificate(g, defaultCertificate);
                g.writeEndObject();
            }
            g.writeEndObject();
        }
    }

    private static void writeCertificate(JsonGenerator g, TlsCredential c) throws IOException {
        g.writeStringField("subject", c.subject());
        g.writeArrayFieldStart("dnsNames");
        for (String n : c.dnsNames()) {
            g.writeString(n);
        }
        g.writeEndArray();
        g.writeStringField("notAfter", c.notAfter().toString());
        g.writeStringField("sha256", c.fingerprint());
    }

    private static void writeRoute(JsonGenerator g, Route r, EndpointTable endpoints) throws IOException {
        g.writeStartObject();
        if (r.isBuiltInNotFound()) {
            g.writeStringField("builtIn", "404 Not Found");
            g.writeEndObject();
            return;
        }
        g.writeStringField("path", r.path());
        g.writeStringField("pathType", r.pathType().kubernetesName());
        if (r.regex() != null && r.pathType() != PathType.EXACT) {
            g.writeStringField("match", "regular expression, case-insensitive, from the start of the path");
        }
        if (r.sslRedirect()) {
            g.writeStringField("http", "308 to https");
        }
        if (r.hsts()) {
            g.writeBooleanField("hsts", true);
        }
        if (r.source() != null) {
            g.writeStringField("ingress", r.source().toString());
        }
        Backend b = r.backend();
        g.writeStringField("service", b.namespace() + "/" + b.service());
        g.writeStringField("port", b.port());
        if (b.clusterIp()) {
            g.writeStringField("via", "cluster IP (service-upstream)");
        }
        EndpointSet set = endpoints.get(b);
        g.writeArrayFieldStart("endpoints");
        for (Endpoint e : set.endpoints()) {
            g.writeString(e.toString());
        }
        g.writeEndArray();
        if (!set.available()) {
            g.writeStringField("status", "503: " + (set.problem() == null ? "no ready endpoints" : set.problem()));
        }
        writePolicy(g, r.policy());
        g.writeEndObject();
    }

    /** What the route does beside routing, from its annotations: only what is set. */
    private static void writePolicy(JsonGenerator g, Policy p) throws IOException {
        if (p.maxBodyBytes() != Route.NO_LIMIT) {
            g.writeNumberField("maxBodyBytes", p.maxBodyBytes());
        }
        if (p.redirect() != null) {
            g.writeStringField("redirect", p.redirect().code() + " to " + p.redirect().locationFor("$scheme",
                    "$request_uri"));
        }
        if (p.appRoot() != null) {
            g.writeStringField("appRoot", p.appRoot());
        }
        if (p.access() != null) {
            writeCidrs(g, "allow", p.access().allow());
            writeCidrs(g, "deny", p.access().deny());
        }
        if (p.upstreamHost() != null) {
            g.writeStringField("upstreamHost", p.upstreamHost());
        }
        if (p.forwardedPrefix() != null) {
            g.writeStringField("forwardedPrefix", p.forwardedPrefix());
        }
        if (p.rewriteTarget() != null) {
            g.writeStringField("rewriteTarget", p.rewriteTarget());
        }
        if (p.cors() != null) {
            g.writeStringField("cors", p.cors().anyOrigin() ? "any origin" : String.join(", ", p.cors().origins()));
        }
        if (p.locationRewrite() != null) {
            g.writeStringField("locationRewrite", p.locationRewrite().from() + " -> " + p.locationRewrite().to());
        }
        if (p.upstreamTls() != null) {
            g.writeStringField("upstreamProtocol", p.upstreamTls().toString());
        }
        if (p.connectTimeoutMillis() > 0) {
            g.writeNumberField("connectTimeoutSeconds", p.connectTimeoutMillis() / 1000);
        }
        if (p.upstreamTimeoutNanos() > 0) {
            g.writeNumberField("upstreamTimeoutSeconds", p.upstreamTimeoutNanos() / 1_000_000_000L);
        }
    }

    private static void writeCidrs(JsonGenerator g, String field, AddressRanges ranges) throws IOException {
        if (ranges.isEmpty()) {
            return;
        }
        g.writeArrayFieldStart(field);
        for (String cidr : ranges.cidrs()) {
            g.writeString(cidr);
        }
        g.writeEndArray();
    }
}
