package io.secretrecon.testutil;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The oracle's reading of audit logs and of the rule's WHERE clause, independent of the job's
 * parser: Jackson's tree model, ECS documents flattened to dotted names, raw events mapped the
 * way SPEC §2 says. Only well-formed, single-valued data (what the generator writes) is supported.
 */
public final class ReferenceRule {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> EXCLUDED_IPS = Set.of("127.0.0.1", "::1");
    private static final Set<String> EXCLUDED_USERS = Set.of("system:kube-controller-manager", "system:kube-scheduler");
    private static final Set<String> EXCLUDED_USERNAMES = Set.of(
            "system:serviceaccount:flux-system:kustomize-controller",
            "system:serviceaccount:flux-system:helm-controller",
            "system:serviceaccount:flux-system:source-controller",
            "system:serviceaccount:security:trivy-operator");

    private ReferenceRule() {}

    /** Kept events of every file under {@code path} (a file or a directory), with source-ip remote. */
    public static List<ReferenceDetector.Kept> kept(Path path) {
        List<ReferenceDetector.Kept> out = new ArrayList<>();
        try (Stream<Path> files = Files.isDirectory(path) ? Files.walk(path) : Stream.of(path)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                for (String line : lines(f)) {
                    if (!line.isBlank()) {
                        keep(JSON.readTree(line), out);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    private static List<String> lines(Path f) throws IOException {
        try (InputStream in = Files.newInputStream(f)) {
            byte[] bytes = in.readAllBytes();
            if (bytes.length > 1 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
                bytes = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes)).readAllBytes();
            }
            return List.of(new String(bytes, StandardCharsets.UTF_8).split("\n"));
        }
    }

    private static void keep(JsonNode doc, List<ReferenceDetector.Kept> out) {
        ObjectNode ecs = JSON.createObjectNode();
        if ("Event".equals(doc.path("kind").asText()) && doc.path("apiVersion").asText().startsWith("audit.k8s.io/")) {
            ecs.put("event.dataset", "kubernetes.audit_logs");
            ecs.set("event.action", doc.get("verb"));
            ecs.set("user.name", doc.at("/user/username"));
            ecs.set("kubernetes.audit.user.username", doc.at("/user/username"));
            ecs.set("source.ip", doc.get("sourceIPs"));
            ecs.set("user_agent.original", doc.get("userAgent"));
            ecs.set("kubernetes.audit.objectRef.resource", doc.at("/objectRef/resource"));
            ecs.set("kubernetes.audit.objectRef.name", doc.at("/objectRef/name"));
            ecs.set("kubernetes.audit.objectRef.namespace", doc.at("/objectRef/namespace"));
            ecs.set("kubernetes.audit.annotations.authorization_k8s_io/decision",
                    doc.path("annotations").get("authorization.k8s.io/decision"));
            ecs.set("kubernetes.audit.auditID", doc.get("auditID"));
            ecs.set("@timestamp", doc.get("requestReceivedTimestamp"));
        } else {
            flatten("", doc, ecs);
        }
        if (!"kubernetes.audit_logs".equals(text(ecs, "event.dataset")) || !"get".equals(text(ecs, "event.action"))
                || !"secrets".equals(text(ecs, "kubernetes.audit.objectRef.resource"))) {
            return;
        }
        JsonNode ips = ecs.get("source.ip");
        String ip = ips == null ? null : ips.isArray() ? ips.get(ips.size() - 1).asText() : ips.asText();
        String user = text(ecs, "user.name");
        String name = text(ecs, "kubernetes.audit.objectRef.name");
        String username = text(ecs, "kubernetes.audit.user.username");
        if (ip == null || user == null || name == null || username == null || EXCLUDED_IPS.contains(ip)
                || EXCLUDED_USERS.contains(user) || name.startsWith("sh.helm.release.") || EXCLUDED_USERNAMES.contains(username)) {
            return;
        }
        String time = ecs.has("event.ingested") ? text(ecs, "event.ingested") : text(ecs, "@timestamp");
        out.add(new ReferenceDetector.Kept(user, username, ip, text(ecs, "user_agent.original"), name,
                text(ecs, "kubernetes.audit.objectRef.namespace"),
                text(ecs, "kubernetes.audit.annotations.authorization_k8s_io/decision"),
                text(ecs, "kubernetes.audit.auditID"), Instant.parse(time).toEpochMilli()));
    }

    private static void flatten(String prefix, JsonNode node, ObjectNode out) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key + ".", e.getValue(), out);
            } else {
                out.set(key, e.getValue());
            }
        }
    }

    private static String text(ObjectNode ecs, String field) {
        JsonNode v = ecs.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        return v.isArray() ? v.get(0).asText() : v.asText();
    }
}
