package io.secretrecon.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.event.EventTimes;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Writes realistic, seeded (so deterministic) Kubernetes audit traffic: mostly benign system
 * traffic (controllers, kubelets, Helm reading its release secrets, Flux, Trivy, probes from
 * localhost, watch/list/get on pods, config maps and leases), some users reading one or two
 * secrets, near misses (three secrets spread over more than the lookback) and a few attack
 * bursts of secret GETs by one client (some forbidden, some through a proxy), as raw
 * {@code audit.k8s.io/v1} events, as ECS documents, or both mixed.
 *
 * <pre>
 * WorkloadGenerator --output FILE|DIR [--events 5000] [--seed 42] [--start 2026-11-02T08:00:00Z]
 *                   [--duration 2h] [--bursts 6] [--format raw|ecs|mixed] [--files 1] [--gzip false]
 *                   [--ingest-delay-ms 0]
 * </pre>
 *
 * With {@code --files N > 1} the output is a directory of N files, one per "API server", each
 * covering the whole time range in time order, as rotated logs of several API servers are.
 */
public final class WorkloadGenerator {

    private static final JsonFactory JSON = JsonFactory.builder().build();

    /** One generated audit event, before it is written in one format or the other. */
    public static final class Event {
        public long received;
        public String verb;
        public String user;
        public List<String> groups = List.of("system:authenticated");
        public List<String> sourceIps;
        public String userAgent;
        public String resource;
        public String namespace;
        public String name;
        public String decision = "allow";
        public int code = 200;
        public String auditId;
        public String stage = "ResponseComplete";
    }

    private final Random random;
    private final long start;
    private final long duration;
    private final List<Event> events = new ArrayList<>();

    public WorkloadGenerator(long seed, long start, long duration) {
        this.random = new Random(seed);
        this.start = start;
        this.duration = duration;
    }

    public static void main(String[] args) throws IOException {
        String output = null;
        int count = 5000;
        long seed = 42;
        long start = EventTimes.parse("2026-11-02T08:00:00Z");
        long duration = 2 * 3600_000L;
        int bursts = 6;
        String format = "mixed";
        int files = 1;
        boolean gzip = false;
        long ingestDelay = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--output": output = v; break;
                case "--events": count = Integer.parseInt(v); break;
                case "--seed": seed = Long.parseLong(v); break;
                case "--start": start = EventTimes.parse(v); break;
                case "--duration": duration = org.apache.flink.util.TimeUtils.parseDuration(v).toMillis(); break;
                case "--bursts": bursts = Integer.parseInt(v); break;
                case "--format": format = v; break;
                case "--files": files = Integer.parseInt(v); break;
                case "--gzip": gzip = Boolean.parseBoolean(v); break;
                case "--ingest-delay-ms": ingestDelay = Long.parseLong(v); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (output == null) {
            throw new IllegalArgumentException("--output is required");
        }
        WorkloadGenerator g = new WorkloadGenerator(seed, start, duration);
        List<Event> generated = g.generate(count, bursts);
        g.write(generated, Path.of(output), files, Format.valueOf(format.toUpperCase(Locale.ROOT)), gzip, ingestDelay);
        System.err.println("wrote " + generated.size() + " audit events to " + output);
    }

    /** How events are written. */
    public enum Format { RAW, ECS, MIXED }

    /** Generates about {@code count} benign events plus {@code bursts} attack bursts, by time. */
    public List<Event> generate(int count, int bursts) {
        events.clear();
        for (int i = 0; i < count; i++) {
            benign(start + (long) (random.nextDouble() * duration));
        }
        for (int b = 0; b < bursts; b++) {
            long at = start + (long) (random.nextDouble() * Math.max(1, duration - 600_000L));
            burst(b, at);
        }
        for (int n = 0; n < Math.max(1, bursts / 2); n++) {
            nearMiss(n, start + (long) (random.nextDouble() * Math.max(1, duration - 1_200_000L)));
        }
        events.sort(Comparator.comparingLong(e -> e.received));
        return new ArrayList<>(events);
    }

    private static final String[] NAMESPACES = {"default", "payments", "kube-system", "monitoring", "web", "data"};
    private static final String[] NODES = {"node-a", "node-b", "node-c"};

    private void benign(long t) {
        int kind = random.nextInt(100);
        String ns = pick(NAMESPACES);
        if (kind < 30) {
            String node = pick(NODES);
            add(t, pick("watch", "list", "get"), "system:node:" + node, ip("10.0.1.", node.charAt(5)), "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46",
                    pick("pods", "configmaps", "nodes"), ns, "obj-" + random.nextInt(40));
        } else if (kind < 45) {
            add(t, pick("get", "update"), "system:kube-controller-manager", "10.0.0.10", "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election",
                    random.nextBoolean() ? "secrets" : "leases", ns, "ctrl-" + random.nextInt(30));
        } else if (kind < 52) {
            add(t, "get", "system:kube-scheduler", "10.0.0.11", "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46",
                    random.nextBoolean() ? "secrets" : "leases", "kube-system", "sched-" + random.nextInt(5));
        } else if (kind < 60) {
            add(t, "get", "system:serviceaccount:kube-system:helm", "10.0.2.20", "Helm/3.16.2",
                    "secrets", ns, "sh.helm.release.v1.app-" + random.nextInt(12) + ".v" + (1 + random.nextInt(9)));
        } else if (kind < 66) {
            String sa = pick("kustomize-controller", "helm-controller", "source-controller");
            add(t, "get", "system:serviceaccount:flux-system:" + sa, "10.0.3.30", "flux/v2.4.0",
                    "secrets", ns, "flux-" + random.nextInt(20));
        } else if (kind < 70) {
            add(t, "get", "system:serviceaccount:security:trivy-operator", "10.0.4.40", "trivy-operator/0.23.0",
                    "secrets", ns, "scan-" + random.nextInt(20));
        } else if (kind < 78) {
            add(t, "get", "system:apiserver", random.nextBoolean() ? "127.0.0.1" : "::1", "kube-apiserver/v1.31.2",
                    "secrets", "kube-system", "probe-" + random.nextInt(10));
        } else if (kind < 90) {
            add(t, pick("list", "watch", "get"), "system:serviceaccount:monitoring:prometheus", "10.0.5.50", "Prometheus/2.54.1",
                    pick("pods", "endpoints", "services"), ns, "mon-" + random.nextInt(50));
        } else {
            // people and apps that read one or two secrets: never a burst
            String who = "dev-" + random.nextInt(6) + "@example.com";
            add(t, "get", who, "203.0.113." + (10 + who.charAt(4) - '0'), "kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46",
                    "secrets", ns, "app-config-" + random.nextInt(2));
        }
    }

    private void burst(int b, long at) {
        String user = b % 2 == 0 ? "system:serviceaccount:web:frontend" : "mallory-" + b + "@example.com";
        String ip = "198.51.100." + (20 + b);
        String agent = b % 3 == 2 ? "python-requests/2.32.3" : "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46";
        int secrets = 3 + random.nextInt(b % 3 == 0 ? 38 : 6);
        boolean proxied = b % 4 == 3;
        long t = at;
        for (int i = 0; i < secrets; i++) {
            t += 200 + random.nextInt(b % 2 == 0 ? 4000 : 40_000);
            Event e = add(t, "get", user, ip, agent, "secrets", pick(NAMESPACES), "target-" + b + "-" + i);
            if (proxied) {
                e.sourceIps = List.of("192.0.2.7", ip);
            }
            if (random.nextInt(4) == 0) {
                e.decision = "forbid";
                e.code = 403;
            }
            if (random.nextInt(5) == 0) {
                add(t + 1 + random.nextInt(500), "get", user, ip, agent, "secrets", e.namespace, e.name); // a repeat
            }
        }
    }

    private void nearMiss(int n, long at) {
        String user = "carol-" + n + "@example.com";
        String ip = "192.0.2." + (100 + n);
        for (int i = 0; i < 3; i++) {
            add(at + i * 190_000L, "get", user, ip, "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46", "secrets", "default", "near-" + n + "-" + i);
        }
    }

    private Event add(long t, String verb, String user, String sourceIp, String agent, String resource, String ns, String name) {
        Event e = new Event();
        e.received = t;
        e.verb = verb;
        e.user = user;
        e.sourceIps = List.of(sourceIp);
        e.userAgent = agent;
        e.resource = resource;
        e.namespace = ns;
        e.name = name;
        e.auditId = new UUID(random.nextLong(), random.nextLong()).toString();
        events.add(e);
        return e;
    }

    private static String ip(String prefix, char c) {
        return prefix + (c - 'a' + 1);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    /** Writes the events to one file, or to {@code files} files in a directory. */
    public void write(List<Event> list, Path output, int files, Format format, boolean gzip, long ingestDelay) throws IOException {
        List<List<Event>> parts = new ArrayList<>();
        for (int i = 0; i < files; i++) {
            parts.add(new ArrayList<>());
        }
        for (Event e : list) {
            parts.get(random.nextInt(files)).add(e);
        }
        if (files > 1) {
            Files.createDirectories(output);
        } else if (output.getParent() != null) {
            Files.createDirectories(output.getParent());
        }
        for (int i = 0; i < files; i++) {
            Path p = files > 1 ? output.resolve("kube-apiserver-" + i + ".audit.log" + (gzip ? ".gz" : "")) : output;
            try (OutputStream raw = Files.newOutputStream(p);
                    OutputStream out = gzip ? new GZIPOutputStream(raw) : raw;
                    Writer w = new java.io.OutputStreamWriter(out, StandardCharsets.UTF_8)) {
                for (Event e : parts.get(i)) {
                    boolean ecs = format == Format.ECS || (format == Format.MIXED && random.nextBoolean());
                    w.write(ecs ? ecs(e, ingestDelay, random.nextInt(3)) : raw(e));
                    w.write('\n');
                }
            }
        }
    }

    /** The event as the API server's log backend writes it. */
    public static String raw(Event e) {
        return json(g -> {
            g.writeStringField("kind", "Event");
            g.writeStringField("apiVersion", "audit.k8s.io/v1");
            g.writeStringField("level", "Metadata");
            g.writeStringField("auditID", e.auditId);
            g.writeStringField("stage", e.stage);
            g.writeStringField("requestURI", uri(e));
            g.writeStringField("verb", e.verb);
            g.writeObjectFieldStart("user");
            g.writeStringField("username", e.user);
            strings(g, "groups", e.groups);
            g.writeEndObject();
            strings(g, "sourceIPs", e.sourceIps);
            g.writeStringField("userAgent", e.userAgent);
            g.writeObjectFieldStart("objectRef");
            g.writeStringField("resource", e.resource);
            g.writeStringField("namespace", e.namespace);
            g.writeStringField("name", e.name);
            g.writeStringField("apiVersion", "v1");
            g.writeEndObject();
            g.writeObjectFieldStart("responseStatus");
            g.writeObjectFieldStart("metadata");
            g.writeEndObject();
            g.writeNumberField("code", e.code);
            g.writeEndObject();
            g.writeStringField("requestReceivedTimestamp", micros(e.received));
            g.writeStringField("stageTimestamp", micros(e.received + 3));
            g.writeObjectFieldStart("annotations");
            g.writeStringField("authorization.k8s.io/decision", e.decision);
            g.writeStringField("authorization.k8s.io/reason", "");
            g.writeEndObject();
        });
    }

    /**
     * The event as Elastic's Kubernetes integration stores it. {@code style} 0 writes nested
     * objects, 1 dotted keys, 2 a mix.
     */
    public static String ecs(Event e, long ingestDelay, int style) {
        return json(g -> {
            g.writeStringField("@timestamp", EventTimes.format(e.received));
            if (style == 1) {
                g.writeStringField("event.dataset", "kubernetes.audit_logs");
                g.writeStringField("event.action", e.verb);
                g.writeStringField("event.ingested", EventTimes.format(e.received + ingestDelay));
                g.writeStringField("user.name", e.user);
                strings(g, "source.ip", e.sourceIps);
                g.writeStringField("user_agent.original", e.userAgent);
                g.writeStringField("kubernetes.audit.auditID", e.auditId);
                g.writeStringField("kubernetes.audit.user.username", e.user);
                g.writeStringField("kubernetes.audit.objectRef.resource", e.resource);
                g.writeStringField("kubernetes.audit.objectRef.namespace", e.namespace);
                g.writeStringField("kubernetes.audit.objectRef.name", e.name);
                g.writeStringField("kubernetes.audit.annotations.authorization_k8s_io/decision", e.decision);
                return;
            }
            g.writeObjectFieldStart("event");
            g.writeStringField("dataset", "kubernetes.audit_logs");
            g.writeStringField("action", e.verb);
            g.writeStringField("kind", "event");
            g.writeStringField("outcome", "allow".equals(e.decision) ? "success" : "failure");
            g.writeStringField("ingested", EventTimes.format(e.received + ingestDelay));
            g.writeEndObject();
            g.writeObjectFieldStart("user");
            g.writeStringField("name", e.user);
            g.writeEndObject();
            g.writeObjectFieldStart("source");
            strings(g, "ip", e.sourceIps);
            g.writeEndObject();
            g.writeObjectFieldStart("user_agent");
            g.writeStringField("original", e.userAgent);
            g.writeEndObject();
            g.writeObjectFieldStart("kubernetes");
            g.writeObjectFieldStart("audit");
            g.writeStringField("auditID", e.auditId);
            g.writeStringField("verb", e.verb);
            g.writeStringField("stage", e.stage);
            g.writeObjectFieldStart("user");
            g.writeStringField("username", e.user);
            strings(g, "groups", e.groups);
            g.writeEndObject();
            if (style == 2) {
                g.writeStringField("objectRef.resource", e.resource);
                g.writeStringField("objectRef.namespace", e.namespace);
                g.writeStringField("objectRef.name", e.name);
            } else {
                g.writeObjectFieldStart("objectRef");
                g.writeStringField("resource", e.resource);
                g.writeStringField("namespace", e.namespace);
                g.writeStringField("name", e.name);
                g.writeEndObject();
            }
            g.writeObjectFieldStart("annotations");
            g.writeStringField("authorization_k8s_io/decision", e.decision);
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    private static String uri(Event e) {
        return "/api/v1/namespaces/" + e.namespace + "/" + e.resource + ("get".equals(e.verb) ? "/" + e.name : "");
    }

    private static String micros(long millis) {
        String iso = EventTimes.format(millis);
        return iso.substring(0, iso.length() - 1) + "123Z";
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static String json(Body body) {
        StringWriter w = new StringWriter(512);
        try (JsonGenerator g = JSON.createGenerator(w)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return w.toString();
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String v : values) {
            g.writeString(v);
        }
        g.writeEndArray();
    }
}
