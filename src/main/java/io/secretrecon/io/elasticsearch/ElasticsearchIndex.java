package io.secretrecon.io.elasticsearch;

import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.alert.RuleMetadata;
import io.secretrecon.config.ConfigException;
import org.apache.http.entity.ContentType;
import org.apache.http.entity.StringEntity;
import org.apache.http.util.EntityUtils;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The alert index's mapping: an index template (ECS types for the ECS fields, {@code Esql.*} and
 * {@code secret_recon.*} mapped, {@code dynamic: false} for anything else) installed when it is
 * missing, and a check that an index that already exists maps every alert field with a
 * compatible type.
 *
 * <p>{@link #ensureTemplate(ElasticsearchSettings)} is meant for the job's start-up: a mapping
 * conflict (someone created the index with {@code source.ip} as {@code text}) or refused
 * credentials stop the job with a {@link ConfigException} naming the index and the field; an
 * unreachable cluster is an {@link IOException}. The writer runs the same check when it opens.
 */
public final class ElasticsearchIndex {

    private static final Logger LOG = LoggerFactory.getLogger(ElasticsearchIndex.class);

    /**
     * Bumped when the template changes; written as the template's {@code version}. A template
     * that secret-recon installed with a lower version is replaced at start-up. Version 2 maps
     * the two flags an alert carries only when true; version 3 maps {@code secret_recon.status}
     * (early alerts).
     */
    public static final int TEMPLATE_VERSION = 3;
    private static final String MANAGED_BY = "secret-recon";
    /** Above Elasticsearch's built-in templates (100) and below what an administrator would use to override. */
    static final int TEMPLATE_PRIORITY = 200;
    /** ECS's default: a longer keyword is kept in _source but not indexed, and the alert still lands. */
    static final int KEYWORD_IGNORE_ABOVE = 1024;

    /** Every field of the alert document (SPEC §6) with its Elasticsearch type. */
    public static final Map<String, String> FIELDS;

    static {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("@timestamp", "date");
        f.put("event.kind", "keyword");
        f.put("event.created", "date");
        f.put("user.name", "keyword");
        f.put("kubernetes.audit.user.username", "keyword");
        f.put("source.ip", "ip");
        f.put("user_agent.original", "keyword");
        f.put("Esql.unique_credentials", "long");
        f.put("Esql.secrets_names", "keyword");
        f.put("Esql.namespaces", "keyword");
        f.put("Esql.outcome", "keyword");
        f.put("kibana.alert.uuid", "keyword");
        f.put("kibana.alert.rule.name", "keyword");
        f.put("kibana.alert.rule.rule_id", "keyword");
        f.put("kibana.alert.severity", "keyword");
        f.put("kibana.alert.risk_score", "long");
        f.put("threat.framework", "keyword");
        f.put("threat.tactic.id", "keyword");
        f.put("threat.tactic.name", "keyword");
        f.put("threat.technique.id", "keyword");
        f.put("threat.technique.name", "keyword");
        f.put("threat.technique.subtechnique.id", "keyword");
        f.put("threat.technique.subtechnique.name", "keyword");
        f.put("secret_recon.mode", "keyword");
        f.put("secret_recon.revision", "long");
        f.put("secret_recon.status", "keyword");
        f.put("secret_recon.window.start", "date");
        f.put("secret_recon.window.end", "date");
        f.put("secret_recon.first_seen", "date");
        f.put("secret_recon.last_seen", "date");
        f.put("secret_recon.event_count", "long");
        f.put("secret_recon.audit_ids", "keyword");
        f.put("secret_recon.values_truncated", "boolean");
        f.put("secret_recon.unique_credentials_lower_bound", "boolean");
        FIELDS = Collections.unmodifiableMap(f);
    }

    /** Types an existing index may use for a field the alerts need as the key's type. */
    private static final Map<String, Set<String>> COMPATIBLE = Map.of(
            "keyword", Set.of("keyword", "constant_keyword", "wildcard"),
            "date", Set.of("date", "date_nanos"),
            "long", Set.of("long", "integer", "short", "byte", "unsigned_long", "double", "float", "half_float", "scaled_float"),
            "ip", Set.of("ip"),
            "boolean", Set.of("boolean"));

    private ElasticsearchIndex() {}

    /**
     * Installs the index template if it is missing and checks the index if it exists; opens and
     * closes its own client.
     *
     * @throws ConfigException a mapping conflict, refused credentials or missing privileges: the
     *     job cannot write alerts with these settings
     * @throws IOException Elasticsearch cannot be reached or is not ready (429, 5xx)
     */
    public static void ensureTemplate(ElasticsearchSettings settings) throws IOException {
        try (RestClient client = ElasticsearchClients.create(settings, 2)) {
            ensureTemplate(client, settings);
        }
    }

    static void ensureTemplate(RestClient client, ElasticsearchSettings settings) throws IOException {
        if (settings.installTemplate()) {
            installTemplateIfMissing(client, settings);
        }
        checkExistingIndex(client, settings);
    }

    // ------------------------------------------------------------------ template

    private static void installTemplateIfMissing(RestClient client, ElasticsearchSettings settings) throws IOException {
        String name = settings.templateName();
        Response existing = perform(client, settings, new Request("GET", "/_index_template/" + name), 404);
        Integer olderVersion = null;
        if (existing.getStatusLine().getStatusCode() == 200) {
            olderVersion = olderManagedVersion(JsonTree.parse(EntityUtils.toByteArray(existing.getEntity())));
            if (olderVersion == null) {
                LOG.info("Index template {} exists; left as it is", name);
                return;
            }
        }
        Request put = new Request("PUT", "/_index_template/" + name);
        if (olderVersion == null) {
            put.addParameter("create", "true"); // two writers starting at once: the second one's PUT is refused, not applied
        } else {
            LOG.info("Index template {} was installed by an older release (version {}); replacing it with version {}",
                    name, olderVersion, TEMPLATE_VERSION);
        }
        put.setEntity(new StringEntity(templateJson(settings.index()), ContentType.APPLICATION_JSON));
        Response r = perform(client, settings, put, 400);
        if (r.getStatusLine().getStatusCode() == 400) {
            String body = EntityUtils.toString(r.getEntity());
            if (!body.contains("already exists")) {
                throw ConfigException.forKey(ElasticsearchSettings.INDEX, "Elasticsearch refused the index template " + name + ": " + errorOf(body));
            }
        } else {
            LOG.info("Installed index template {} (version {}) for {}", name, TEMPLATE_VERSION, patterns(settings.index()));
        }
    }

    /**
     * The version of an existing template (the answer of {@code GET _index_template/NAME}) if
     * secret-recon installed it ({@code _meta.managed_by}) and it is older than this release's;
     * else null: a template somebody else wrote, or a newer one, is left as it is.
     */
    static Integer olderManagedVersion(Object answer) {
        if (!(answer instanceof Map) || !(((Map<?, ?>) answer).get("index_templates") instanceof List)) {
            return null;
        }
        List<?> templates = (List<?>) ((Map<?, ?>) answer).get("index_templates");
        if (templates.size() != 1 || !(templates.get(0) instanceof Map)) {
            return null;
        }
        Object template = ((Map<?, ?>) templates.get(0)).get("index_template");
        if (!(template instanceof Map)) {
            return null;
        }
        Object meta = ((Map<?, ?>) template).get("_meta");
        Object version = ((Map<?, ?>) template).get("version");
        boolean ours = meta instanceof Map && MANAGED_BY.equals(((Map<?, ?>) meta).get("managed_by"));
        if (!ours || !(version instanceof Number) || ((Number) version).longValue() >= TEMPLATE_VERSION) {
            return null;
        }
        return ((Number) version).intValue();
    }

    static List<String> patterns(String index) {
        return List.of(index, index + "-*");
    }

    /** The composable index template for an index. */
    public static String templateJson(String index) {
        StringWriter w = new StringWriter(4096);
        try (JsonGenerator g = JsonTree.JSON.createGenerator(w)) {
            g.writeStartObject();
            g.writeArrayFieldStart("index_patterns");
            for (String p : patterns(index)) {
                g.writeString(p);
            }
            g.writeEndArray();
            g.writeNumberField("priority", TEMPLATE_PRIORITY);
            g.writeNumberField("version", TEMPLATE_VERSION);
            g.writeObjectFieldStart("_meta");
            g.writeStringField("description", "secret-recon alerts of the rule \"" + RuleMetadata.RULE_NAME + "\"");
            g.writeStringField("managed_by", MANAGED_BY);
            g.writeEndObject();
            g.writeObjectFieldStart("template");
            g.writeObjectFieldStart("settings");
            g.writeStringField("index.auto_expand_replicas", "0-1"); // green on one node, a replica on more
            g.writeEndObject();
            g.writeObjectFieldStart("mappings");
            g.writeBooleanField("dynamic", false);
            writeProperties(g, tree());
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    /** {@link #FIELDS} as nested objects: name to type (a String) or to the next level (a Map). */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> tree() {
        Map<String, Object> root = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : FIELDS.entrySet()) {
            String[] path = e.getKey().split("\\.");
            Map<String, Object> level = root;
            for (int i = 0; i < path.length - 1; i++) {
                level = (Map<String, Object>) level.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
            }
            level.put(path[path.length - 1], e.getValue());
        }
        return root;
    }

    @SuppressWarnings("unchecked")
    private static void writeProperties(JsonGenerator g, Map<String, Object> level) throws IOException {
        g.writeObjectFieldStart("properties");
        for (Map.Entry<String, Object> e : level.entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            if (e.getValue() instanceof String) {
                g.writeStringField("type", (String) e.getValue());
                if (e.getValue().equals("keyword")) {
                    g.writeNumberField("ignore_above", KEYWORD_IGNORE_ABOVE);
                }
            } else {
                writeProperties(g, (Map<String, Object>) e.getValue());
            }
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    // ------------------------------------------------------------------ existing index

    private static void checkExistingIndex(RestClient client, ElasticsearchSettings settings) throws IOException {
        String index = settings.index();
        Response r = perform(client, settings, new Request("GET", "/" + index + "/_mapping"), 404);
        if (r.getStatusLine().getStatusCode() == 404) {
            return; // created from the template with the first alert
        }
        Object all = JsonTree.parse(EntityUtils.toByteArray(r.getEntity()));
        if (!(all instanceof Map)) {
            throw new IOException("unexpected answer to GET /" + index + "/_mapping");
        }
        for (Map.Entry<?, ?> concrete : ((Map<?, ?>) all).entrySet()) {
            Map<String, Object> mappings = JsonTree.object(concrete.getValue(), "mappings");
            List<String> conflicts = new ArrayList<>();
            Map<String, String> missing = new LinkedHashMap<>();
            compare(mappings, conflicts, missing);
            if (!conflicts.isEmpty()) {
                throw ConfigException.forKey(ElasticsearchSettings.INDEX, "the existing index " + concrete.getKey()
                        + " maps " + String.join(", ", conflicts) + ": alerts cannot be written there. Delete or reindex it"
                        + " (the template " + settings.templateName() + " gives the right mapping to a new index), or set "
                        + ElasticsearchSettings.INDEX + " to another index");
            }
            if (!missing.isEmpty()) {
                addMissing(client, settings, concrete.getKey().toString(), missing);
            }
        }
    }

    /** Compares a concrete index's mappings with {@link #FIELDS}. */
    static void compare(Map<String, Object> mappings, List<String> conflicts, Map<String, String> missing) {
        Map<String, Object> properties = mappings == null ? null : JsonTree.object(mappings, "properties");
        for (Map.Entry<String, String> field : FIELDS.entrySet()) {
            String found = typeAt(properties, field.getKey().split("\\."), 0);
            String wanted = field.getValue();
            if (found == null) {
                missing.put(field.getKey(), wanted);
            } else if (!COMPATIBLE.get(wanted).contains(found)) {
                conflicts.add(field.getKey() + " as " + found + " (the alerts need " + wanted + ")");
            }
        }
    }

    /**
     * The type mapped at a dotted path ("object" where a leaf was expected, "a T field at P" where
     * the path runs into a leaf P), or null if nothing is mapped there. Dotted names in the mapping ({@code subobjects: false}) are followed too.
     */
    private static String typeAt(Map<String, Object> properties, String[] path, int from) {
        if (properties == null) {
            return null;
        }
        for (int to = from + 1; to <= path.length; to++) {
            String key = String.join(".", java.util.Arrays.copyOfRange(path, from, to));
            Object node = properties.get(key);
            if (!(node instanceof Map)) {
                continue;
            }
            String type = JsonTree.text(node, "type");
            if (to == path.length) {
                if (type != null) {
                    return type;
                }
                return JsonTree.object(node, "properties") != null ? "object" : null;
            }
            if (type != null && !type.equals("object")) {
                // a leaf where the alert has an object: a conflict for every field below, whatever its type
                return "a " + type + " field at " + String.join(".", java.util.Arrays.copyOfRange(path, 0, to));
            }
            String below = typeAt(JsonTree.object(node, "properties"), path, to);
            if (below != null) {
                return below;
            }
        }
        return null;
    }

    private static void addMissing(RestClient client, ElasticsearchSettings settings, String concrete, Map<String, String> missing)
            throws IOException {
        StringWriter w = new StringWriter();
        try (JsonGenerator g = JsonTree.JSON.createGenerator(w)) {
            g.writeStartObject();
            Map<String, Object> root = new LinkedHashMap<>();
            for (Map.Entry<String, String> e : missing.entrySet()) {
                String[] path = e.getKey().split("\\.");
                Map<String, Object> level = root;
                for (int i = 0; i < path.length - 1; i++) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> next = (Map<String, Object>) level.computeIfAbsent(path[i], k -> new LinkedHashMap<String, Object>());
                    level = next;
                }
                level.put(path[path.length - 1], e.getValue());
            }
            writeProperties(g, root);
            g.writeEndObject();
        }
        Request put = new Request("PUT", "/" + concrete + "/_mapping");
        put.setEntity(new StringEntity(w.toString(), ContentType.APPLICATION_JSON));
        perform(client, settings, put);
        LOG.info("Added the alert fields {} to the mapping of the existing index {}", missing.keySet(), concrete);
    }

    // ------------------------------------------------------------------ requests

    /**
     * Performs a request; the statuses in {@code accepted} are answers, 429 and 5xx are an
     * {@link IOException} (try again later), anything else a {@link ConfigException}.
     */
    private static Response perform(RestClient client, ElasticsearchSettings settings, Request request, int... accepted)
            throws IOException {
        try {
            return client.performRequest(request);
        } catch (ResponseException e) {
            Response r = e.getResponse();
            int status = r.getStatusLine().getStatusCode();
            for (int a : accepted) {
                if (status == a) {
                    return r;
                }
            }
            String error = errorOf(r.getEntity() == null ? "" : EntityUtils.toString(r.getEntity()));
            String what = request.getMethod() + " " + request.getEndpoint();
            if (status == 429 || status >= 500) {
                throw new IOException(what + " answered HTTP " + status + ": " + error);
            }
            if (status == 401) {
                throw ConfigException.forKey(settings.usesApiKey() ? ElasticsearchSettings.API_KEY : ElasticsearchSettings.USERNAME,
                        "Elasticsearch at " + settings.hosts() + " refused " + settings.authDescription() + " (HTTP 401)"
                                + (settings.authorizationHeader() == null ? ": it needs credentials, set " + ElasticsearchSettings.USERNAME
                                        + " and " + ElasticsearchSettings.PASSWORD + " or " + ElasticsearchSettings.API_KEY : "")
                                + ": " + error);
            }
            if (status == 403) {
                throw ConfigException.forKey(ElasticsearchSettings.USERNAME, "Elasticsearch refused " + what + " for "
                        + settings.authDescription() + " (HTTP 403): the user needs the privileges manage_index_templates"
                        + " (or set " + ElasticsearchSettings.TEMPLATE_INSTALL + ": false) and, on the index, view_index_metadata,"
                        + " manage and write: " + error);
            }
            throw ConfigException.forKey(ElasticsearchSettings.INDEX, what + " answered HTTP " + status + ": " + error);
        }
    }

    static String errorOf(String body) {
        try {
            Object tree = JsonTree.parse(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Object error = tree instanceof Map ? ((Map<?, ?>) tree).get("error") : null;
            String described = JsonTree.describeError(error);
            if (described != null) {
                return described;
            }
        } catch (IOException | RuntimeException notJson) {
            // fall through to the text itself
        }
        return body.length() > 500 ? body.substring(0, 500) + "..." : body;
    }
}
