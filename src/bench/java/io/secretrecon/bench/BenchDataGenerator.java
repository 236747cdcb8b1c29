package io.secretrecon.bench;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.secretrecon.testutil.ReferenceDetector;
import io.secretrecon.testutil.ReferenceDetector.Kept;

import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Writes the benchmark's input and its ground truth.
 *
 * <p>Input: {@code --events} ECS documents (about 1.5 KB each) as Elastic's Kubernetes
 * integration stores audit events (nested objects, with the agent, cloud, host, log and
 * orchestrator fields a real document carries, {@code requestObject}/{@code responseObject} not
 * logged), one file per API server under {@code <out>/audit/}, each file in the order the
 * documents were shipped: event time ({@code event.ingested}) out of order by up to
 * {@code --disorder}. {@code --fingerprints} clients (service accounts, nodes, people) with
 * log-normal activity and one to six secrets each, background traffic of system components
 * (controllers, scheduler, Helm, Flux, Trivy, localhost probes) that the rule's exclusions drop,
 * {@code --secret-share} of all events secret GETs, and {@code --bursts} attack bursts (3 to 40
 * distinct secrets within seconds to five minutes, some forbidden, some repeated).
 *
 * <p>Ground truth, computed from the generator's own model, never from the files: the events
 * the rule's WHERE clause keeps ({@code kept.tsv}), decided on the model's values, and the alerts
 * of {@link ReferenceDetector}, the test suite's naive implementation of SPEC §5, in
 * {@code windows} mode with slide 1m and 5m and in {@code continuous} mode
 * ({@code truth-*.txt}, one canonical alert per line, sorted).
 *
 * <pre>
 * BenchDataGenerator --out DIR [--events 2000000] [--fingerprints 10000] [--files 2]
 *     [--duration-min 120] [--secret-share 0.10] [--disorder-ms 5000] [--bursts events/20000]
 *     [--seed 1]
 * </pre>
 */
public final class BenchDataGenerator {

    static final long LOOKBACK = 6 * 60_000L;
    static final int THRESHOLD = 3;
    static final long UPDATE_INTERVAL = 60_000L;

    private static final Set<String> EXCLUDED_IPS = Set.of("127.0.0.1", "::1");
    private static final Set<String> EXCLUDED_USERS = Set.of("system:kube-controller-manager", "system:kube-scheduler");
    private static final Set<String> EXCLUDED_USERNAMES = Set.of(
            "system:serviceaccount:flux-system:kustomize-controller",
            "system:serviceaccount:flux-system:helm-controller",
            "system:serviceaccount:flux-system:source-controller",
            "system:serviceaccount:security:trivy-operator");

    private static final String[] NAMESPACES = {"payments", "checkout", "web", "data", "monitoring", "auth",
        "search", "orders", "inventory", "kube-system", "ingress-nginx", "cert-manager", "argocd", "logging"};
    private static final String[] APPS = {"api", "worker", "frontend", "gateway", "scheduler", "indexer",
        "exporter", "sync", "billing", "ledger", "notifier", "reporter", "cache", "queue", "auth-proxy"};
    private static final String[] SECRET_KINDS = {"db-credentials", "tls", "api-key", "oauth-client",
        "redis-password", "s3-access", "smtp", "jwt-signing-key", "registry-pull", "webhook-token"};
    private static final String[] SA_AGENTS = {
        "Go-http-client/2.0",
        "%s/v1.8.%d (linux/amd64) kubernetes/v0.31.2",
        "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46",
        "python-kubernetes/31.0.0",
        "vault-k8s/1.4.2 (linux/amd64)",
        "external-secrets/v0.10.4 (linux/amd64) kubernetes/$Format",
    };
    private static final String CLUSTER = "prod-eu-west-1";

    /** One generated audit event: the model the documents and the ground truth both come from. */
    static final class Ev {
        long ingested;
        long writeKey;
        int file;
        String verb;
        String user;
        String[] groups;
        String uid;
        String podName;
        String nodeName;
        String ip;
        String agent;
        String resource;
        String namespace;
        String name;
        String decision = "allow";
        String reason;
        int code = 200;
        String auditId;
    }

    /** A client of the API server: one fingerprint. */
    private static final class Client {
        String user;
        String[] groups;
        String uid;
        String podName;
        String nodeName;
        String ip;
        String agent;
        String[] secrets;
        String[] secretNamespaces;
        String homeNamespace;
        String role;
    }

    private final SplittableRandom random;
    private final long start;
    private final long duration;
    private final int fileCount;
    private final long disorder;
    private final String[] hosts;
    private final long[] logOffsets;
    private final List<Client> clients = new ArrayList<>();
    private double[] cumulativeWeight;
    private final List<Kept> kept = new ArrayList<>();
    private final Set<String> fingerprints = new HashSet<>();
    private final Set<String> keptFingerprints = new HashSet<>();
    private long secretGets;
    private long bytes;

    BenchDataGenerator(long seed, long start, long duration, int files, long disorder) {
        this.random = new SplittableRandom(seed);
        this.start = start;
        this.duration = duration;
        this.fileCount = files;
        this.disorder = disorder;
        this.hosts = new String[files];
        this.logOffsets = new long[files];
        for (int i = 0; i < files; i++) {
            hosts[i] = "ip-10-0-0-" + (11 + i);
            logOffsets[i] = 1_000_000L * random.nextInt(1, 500);
        }
    }

    public static void main(String[] args) throws IOException {
        Path out = null;
        int events = 2_000_000;
        int fingerprintCount = 10_000;
        int files = 2;
        long durationMin = 120;
        double secretShare = 0.10;
        long disorder = 5_000;
        int bursts = -1;
        long seed = 1;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--out": out = Path.of(v); break;
                case "--events": events = Integer.parseInt(v); break;
                case "--fingerprints": fingerprintCount = Integer.parseInt(v); break;
                case "--files": files = Integer.parseInt(v); break;
                case "--duration-min": durationMin = Long.parseLong(v); break;
                case "--secret-share": secretShare = Double.parseDouble(v); break;
                case "--disorder-ms": disorder = Long.parseLong(v); break;
                case "--bursts": bursts = Integer.parseInt(v); break;
                case "--seed": seed = Long.parseLong(v); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out is required");
        }
        if (bursts < 0) {
            bursts = Math.max(5, events / 20_000);
        }
        long t0 = System.nanoTime();
        BenchDataGenerator g = new BenchDataGenerator(seed, Instant.parse("2026-11-02T08:00:00Z").toEpochMilli(),
                durationMin * 60_000L, files, disorder);
        g.population(fingerprintCount);
        g.write(out, events, secretShare, bursts);
        g.truth(out);
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("meta.properties"))) {
            w.write("events=" + events + "\n");
            w.write("bytes=" + g.bytes + "\n");
            w.write("files=" + files + "\n");
            w.write("fingerprints=" + g.fingerprints.size() + "\n");
            w.write("kept_fingerprints=" + g.keptFingerprints.size() + "\n");
            w.write("secret_gets=" + g.secretGets + "\n");
            w.write("kept=" + g.kept.size() + "\n");
            w.write("bursts=" + bursts + "\n");
            w.write("duration_min=" + durationMin + "\n");
            w.write("disorder_ms=" + disorder + "\n");
            w.write("seed=" + seed + "\n");
        }
        System.err.printf(Locale.ROOT, "generated %,d events (%,d bytes, %.0f bytes/event) in %d files, %,d fingerprints,"
                        + " %,d secret GETs, %,d kept, %d bursts in %.1f s%n",
                events, g.bytes, (double) g.bytes / events, files, g.fingerprints.size(), g.secretGets, g.kept.size(), bursts,
                (System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------- population

    private void population(int count) {
        cumulativeWeight = new double[count];
        double sum = 0;
        for (int i = 0; i < count; i++) {
            Client c = new Client();
            int kind = random.nextInt(100);
            if (kind < 78) {
                String ns = pick(NAMESPACES);
                String app = pick(APPS) + "-" + i;
                c.role = "sa";
                c.homeNamespace = ns;
                c.user = "system:serviceaccount:" + ns + ":" + app;
                c.groups = new String[] {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"};
                c.podName = app + "-" + hex(9) + "-" + hex(5);
                c.nodeName = "ip-10-0-" + random.nextInt(1, 32) + "-" + random.nextInt(1, 250) ;
                c.ip = "10.244." + (i / 250 % 250) + "." + (i % 250 + 2);
                String agent = pick(SA_AGENTS);
                c.agent = agent.contains("%s") ? String.format(Locale.ROOT, agent, app.replaceAll("-\\d+$", ""), random.nextInt(10)) : agent;
            } else if (kind < 88) {
                String node = "ip-10-0-" + (i / 250 % 250) + "-" + (i % 250 + 2) ;
                c.role = "node";
                c.homeNamespace = pick(NAMESPACES);
                c.user = "system:node:" + node;
                c.groups = new String[] {"system:nodes", "system:authenticated"};
                c.ip = "10.0." + (i / 250 % 250) + "." + (i % 250 + 2);
                c.agent = "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46";
            } else {
                c.role = "human";
                c.homeNamespace = pick(NAMESPACES);
                c.user = "user-" + i + "@example.com";
                c.groups = new String[] {"oidc:platform-team", "oidc:developers", "system:authenticated"};
                c.ip = (random.nextBoolean() ? "203.0.113." : "198.51.100.") + (i % 250 + 2);
                c.agent = "kubectl/v1.31." + random.nextInt(4) + " (darwin/arm64) kubernetes/5864a46";
            }
            c.uid = uuid();
            int pool = poolSize();
            c.secrets = new String[pool];
            c.secretNamespaces = new String[pool];
            for (int s = 0; s < pool; s++) {
                boolean own = c.role.equals("sa") && s == 0;
                c.secretNamespaces[s] = own || random.nextInt(3) > 0 ? c.homeNamespace : pick(NAMESPACES);
                c.secrets[s] = (own ? c.user.substring(c.user.lastIndexOf(':') + 1) : pick(APPS)) + "-" + pick(SECRET_KINDS)
                        + (random.nextInt(4) == 0 ? "-v" + random.nextInt(2, 9) : "");
            }
            clients.add(c);
            // log-normal activity: a few clients make most of the requests
            sum += Math.exp(random.nextDouble() * 2.5 - 1.25 + gaussian() * 0.6);
            cumulativeWeight[i] = sum;
            fingerprints.add(c.user + "|" + c.ip + "|" + c.agent);
        }
    }

    private int poolSize() {
        int p = random.nextInt(100);
        return p < 68 ? 1 : p < 92 ? 2 : 3 + random.nextInt(4);
    }

    private Client anyClient() {
        double x = random.nextDouble() * cumulativeWeight[cumulativeWeight.length - 1];
        int lo = 0;
        int hi = cumulativeWeight.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulativeWeight[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return clients.get(lo);
    }

    // ---------------------------------------------------------------- traffic

    private void write(Path out, int events, double secretShare, int burstCount) throws IOException {
        Path dir = out.resolve("audit");
        Files.createDirectories(dir);
        List<Ev> bursts = bursts(burstCount);
        int background = Math.max(0, events - bursts.size());
        JsonFactory json = JsonFactory.builder().build();
        OutputStream[] streams = new OutputStream[fileCount];
        JsonGenerator[] gens = new JsonGenerator[fileCount];
        @SuppressWarnings("unchecked")
        PriorityQueue<Ev>[] queues = new PriorityQueue[fileCount];
        for (int f = 0; f < fileCount; f++) {
            streams[f] = new CountingStream(new BufferedOutputStream(
                    Files.newOutputStream(dir.resolve("kube-apiserver-" + f + ".audit.ndjson")), 1 << 20));
            gens[f] = json.createGenerator(streams[f], JsonEncoding.UTF8);
            gens[f].setRootValueSeparator(null);
            queues[f] = new PriorityQueue<>(Comparator.comparingLong((Ev e) -> e.writeKey));
        }
        double step = (double) duration / Math.max(1, background);
        int b = 0;
        for (int i = 0; i < background || b < bursts.size(); ) {
            Ev e;
            long bt = start + (long) (i * step);
            if (b < bursts.size() && (i >= background || bursts.get(b).ingested <= bt)) {
                e = bursts.get(b++);
            } else {
                e = background(bt, secretShare);
                i++;
            }
            account(e);
            e.file = random.nextInt(fileCount);
            e.writeKey = e.ingested + (disorder > 0 ? random.nextLong(disorder) : 0);
            queues[e.file].add(e);
            for (int f = 0; f < fileCount; f++) {
                while (!queues[f].isEmpty() && queues[f].peek().writeKey <= e.ingested) {
                    document(gens[f], f, queues[f].poll());
                }
            }
        }
        for (int f = 0; f < fileCount; f++) {
            while (!queues[f].isEmpty()) {
                document(gens[f], f, queues[f].poll());
            }
            gens[f].close();
            streams[f].close();
            bytes += ((CountingStream) streams[f]).count;
        }
    }

    private Ev background(long t, double secretShare) {
        double x = random.nextDouble();
        if (x < secretShare) {
            double y = random.nextDouble();
            if (y < 0.65) {
                Client c = anyClient();
                int s = random.nextInt(c.secrets.length);
                return clientEvent(t, c, "get", "secrets", c.secretNamespaces[s], c.secrets[s]);
            }
            return excludedSecretGet(t, y);
        }
        if (random.nextInt(100) < 40) {
            Client c = anyClient();
            String resource = pick("pods", "configmaps", "endpoints", "services", "leases", "deployments", "events", "secrets");
            String verb = resource.equals("secrets") ? pick("list", "watch") : pick("get", "list", "watch", "get", "update", "patch");
            return clientEvent(t, c, verb, resource, c.homeNamespace,
                    verb.equals("list") || verb.equals("watch") ? null : pick(APPS) + "-" + random.nextInt(40));
        }
        return systemEvent(t);
    }

    private Ev clientEvent(long t, Client c, String verb, String resource, String ns, String name) {
        Ev e = event(t, verb, c.user, c.ip, c.agent, resource, ns, name);
        e.groups = c.groups;
        e.uid = c.uid;
        e.podName = c.podName;
        e.nodeName = c.nodeName;
        e.reason = "RBAC: allowed by RoleBinding \"" + resource + "-reader/" + ns + "\" of Role \"" + resource
                + "-reader\" to " + (c.role.equals("sa") ? "ServiceAccount" : "User") + " \""
                + c.user.substring(c.user.lastIndexOf(':') + 1) + "\"";
        return e;
    }

    private Ev excludedSecretGet(long t, double y) {
        String ns = pick(NAMESPACES);
        Ev e;
        if (y < 0.75) {
            e = event(t, "get", "system:serviceaccount:kube-system:helm", "10.244.250.9", "Helm/3.16.2", "secrets", ns,
                    "sh.helm.release.v1." + pick(APPS) + ".v" + random.nextInt(1, 30));
        } else if (y < 0.83) {
            e = event(t, "get", "system:kube-controller-manager", "10.0.0.10",
                    "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/tokens-controller",
                    "secrets", ns, pick(APPS) + "-token-" + hex(5));
        } else if (y < 0.85) {
            e = event(t, "get", "system:kube-scheduler", "10.0.0.11", "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46",
                    "secrets", "kube-system", "kube-scheduler-token-" + hex(5));
        } else if (y < 0.92) {
            e = event(t, "get", "system:apiserver", random.nextBoolean() ? "127.0.0.1" : "::1", "kube-apiserver/v1.31.2",
                    "secrets", "kube-system", "bootstrap-token-" + hex(6));
        } else if (y < 0.97) {
            String sa = pick("kustomize-controller", "helm-controller", "source-controller");
            e = event(t, "get", "system:serviceaccount:flux-system:" + sa, "10.244.251." + (10 + sa.length()), "flux/v2.4.0",
                    "secrets", ns, pick(APPS) + "-" + pick(SECRET_KINDS));
        } else {
            e = event(t, "get", "system:serviceaccount:security:trivy-operator", "10.244.252.4", "trivy-operator/0.23.0",
                    "secrets", ns, pick(APPS) + "-" + pick(SECRET_KINDS));
        }
        e.reason = "RBAC: allowed by ClusterRoleBinding \"system:" + e.user.substring(e.user.lastIndexOf(':') + 1)
                + "\" of ClusterRole \"system:" + e.user.substring(e.user.lastIndexOf(':') + 1) + "\"";
        return e;
    }

    private Ev systemEvent(long t) {
        int k = random.nextInt(100);
        String ns = pick(NAMESPACES);
        Ev e;
        if (k < 35) {
            int n = random.nextInt(1, 64);
            e = event(t, pick("update", "get"), "system:node:ip-10-0-9-" + n , "10.0.9." + n,
                    "kubelet/v1.31.2 (linux/amd64) kubernetes/5864a46", "leases", "kube-node-lease", "ip-10-0-9-" + n);
            e.groups = new String[] {"system:nodes", "system:authenticated"};
        } else if (k < 60) {
            e = event(t, pick("get", "update", "list", "watch"), "system:kube-controller-manager", "10.0.0.10",
                    "kube-controller-manager/v1.31.2 (linux/amd64) kubernetes/5864a46/leader-election",
                    pick("leases", "endpoints", "replicasets", "pods", "serviceaccounts"), ns, pick(APPS) + "-" + random.nextInt(30));
        } else if (k < 70) {
            e = event(t, pick("get", "update", "create"), "system:kube-scheduler", "10.0.0.11",
                    "kube-scheduler/v1.31.2 (linux/amd64) kubernetes/5864a46", pick("leases", "pods", "bindings"), ns,
                    pick(APPS) + "-" + hex(5));
        } else if (k < 82) {
            e = event(t, pick("list", "watch", "get"), "system:serviceaccount:monitoring:prometheus", "10.244.253.7",
                    "Prometheus/2.54.1", pick("pods", "endpoints", "services", "nodes"), ns, null);
        } else if (k < 92) {
            e = event(t, pick("get", "list", "watch", "patch"), "system:serviceaccount:argocd:argocd-application-controller",
                    "10.244.253.20", "argocd-application-controller/v2.12.4+b07b5bd", pick("deployments", "services",
                            "configmaps", "ingresses"), ns, pick(APPS));
        } else {
            e = event(t, "get", "system:apiserver", "127.0.0.1", "kube-apiserver/v1.31.2", pick("namespaces", "services"),
                    "default", "kubernetes");
        }
        e.reason = "RBAC: allowed by ClusterRoleBinding \"system:" + e.user.substring(e.user.lastIndexOf(':') + 1)
                + "\" of ClusterRole \"system:" + e.user.substring(e.user.lastIndexOf(':') + 1) + "\"";
        return e;
    }

    /** Attack bursts, sorted by time: 3-40 distinct secrets each, read by one fingerprint. */
    private List<Ev> bursts(int count) {
        List<Ev> out = new ArrayList<>();
        for (int b = 0; b < count; b++) {
            long t = start + (long) (random.nextDouble() * Math.max(1, duration - 600_000L));
            Client c;
            if (b % 2 == 0) {
                c = clients.get(random.nextInt(clients.size()));
            } else {
                c = new Client();
                String ns = pick(NAMESPACES);
                c.role = "sa";
                c.homeNamespace = ns;
                c.user = "system:serviceaccount:" + ns + ":default";
                c.groups = new String[] {"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"};
                c.uid = uuid();
                c.podName = "debug-" + hex(5);
                c.nodeName = "ip-10-0-3-" + random.nextInt(1, 250) ;
                c.ip = "10.244.254." + (b % 250 + 2);
                c.agent = b % 3 == 1 ? "python-requests/2.32.3" : "kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46";
                fingerprints.add(c.user + "|" + c.ip + "|" + c.agent);
            }
            int secrets = 3 + random.nextInt(b % 3 == 0 ? 38 : 6);
            long gap = b % 4 == 0 ? 8_000 : b % 4 == 1 ? 2_000 : 300;
            for (int i = 0; i < secrets; i++) {
                t += 50 + random.nextLong(gap);
                String ns = random.nextInt(3) == 0 ? c.homeNamespace : pick(NAMESPACES);
                Ev e = clientEvent(t, c, "get", "secrets", ns, pick(APPS) + "-" + pick(SECRET_KINDS) + "-" + b + "-" + i);
                if (random.nextInt(4) == 0) {
                    e.decision = "forbid";
                    e.code = 403;
                    e.reason = "";
                }
                out.add(e);
                if (random.nextInt(5) == 0) {
                    out.add(clientEvent(t + random.nextInt(1, 500), c, "get", "secrets", ns, e.name));
                }
            }
        }
        out.sort(Comparator.comparingLong(e -> e.ingested));
        return out;
    }

    private Ev event(long t, String verb, String user, String ip, String agent, String resource, String ns, String name) {
        Ev e = new Ev();
        e.ingested = t;
        e.verb = verb;
        e.user = user;
        e.ip = ip;
        e.agent = agent;
        e.resource = resource;
        e.namespace = ns;
        e.name = name;
        e.auditId = uuid();
        if (e.groups == null) {
            e.groups = new String[] {"system:authenticated"};
        }
        return e;
    }

    /** The rule's WHERE clause (SPEC §1) on the model's values, which are never null or multi-valued here. */
    private void account(Ev e) {
        if (e.verb.equals("get") && e.resource.equals("secrets")) {
            secretGets++;
            if (!EXCLUDED_IPS.contains(e.ip) && !EXCLUDED_USERS.contains(e.user) && !e.name.startsWith("sh.helm.release.")
                    && !EXCLUDED_USERNAMES.contains(e.user)) {
                kept.add(new Kept(e.user, e.user, e.ip, e.agent, e.name, e.namespace, e.decision, e.auditId, e.ingested));
                keptFingerprints.add(e.user + "|" + e.ip + "|" + e.agent);
            }
        }
        if (!e.ip.equals("127.0.0.1") && !e.ip.equals("::1")) {
            fingerprints.add(e.user + "|" + e.ip + "|" + e.agent);
        }
    }

    // ---------------------------------------------------------------- documents

    private void document(JsonGenerator g, int file, Ev e) throws IOException {
        long received = e.ingested - 400 - (e.auditId.charAt(0) & 0x3f) * 40L;
        String receivedIso = micros(received);
        g.writeStartObject();
        g.writeStringField("@timestamp", iso(received));
        g.writeObjectFieldStart("agent");
        g.writeStringField("name", hosts[file]);
        g.writeStringField("type", "filebeat");
        g.writeStringField("version", "8.15.3");
        g.writeEndObject();
        g.writeObjectFieldStart("data_stream");
        g.writeStringField("dataset", "kubernetes.audit_logs");
        g.writeStringField("namespace", "default");
        g.writeStringField("type", "logs");
        g.writeEndObject();
        g.writeObjectFieldStart("ecs");
        g.writeStringField("version", "8.11.0");
        g.writeEndObject();
        g.writeObjectFieldStart("event");
        g.writeStringField("action", e.verb);
        g.writeArrayFieldStart("category");
        g.writeString("web");
        g.writeEndArray();
        g.writeStringField("dataset", "kubernetes.audit_logs");
        g.writeStringField("ingested", iso(e.ingested));
        g.writeStringField("kind", "event");
        g.writeStringField("module", "kubernetes");
        g.writeStringField("outcome", e.decision.equals("allow") ? "success" : "failure");
        g.writeArrayFieldStart("type");
        g.writeString(e.verb.equals("get") || e.verb.equals("list") || e.verb.equals("watch") ? "access" : "change");
        g.writeEndArray();
        g.writeEndObject();
        g.writeObjectFieldStart("host");
        g.writeStringField("name", hosts[file]);
        g.writeEndObject();

        g.writeObjectFieldStart("kubernetes");
        g.writeObjectFieldStart("audit");
        g.writeObjectFieldStart("annotations");
        g.writeStringField("authorization_k8s_io/decision", e.decision);
        g.writeStringField("authorization_k8s_io/reason", e.reason == null ? "" : e.reason);
        g.writeEndObject();
        g.writeStringField("apiVersion", "audit.k8s.io/v1");
        g.writeStringField("auditID", e.auditId);
        g.writeStringField("kind", "Event");
        g.writeStringField("level", "Metadata");
        g.writeObjectFieldStart("objectRef");
        g.writeStringField("apiVersion", apiVersion(e.resource));
        if (e.name != null) {
            g.writeStringField("name", e.name);
        }
        g.writeStringField("namespace", e.namespace);
        g.writeStringField("resource", e.resource);
        g.writeEndObject();
        g.writeStringField("requestReceivedTimestamp", receivedIso);
        g.writeStringField("requestURI", uri(e));
        g.writeObjectFieldStart("responseStatus");
        g.writeNumberField("code", e.code);
        g.writeObjectFieldStart("metadata");
        g.writeEndObject();
        g.writeEndObject();
        g.writeArrayFieldStart("sourceIPs");
        g.writeString(e.ip);
        g.writeEndArray();
        g.writeStringField("stage", "ResponseComplete");
        g.writeStringField("stageTimestamp", micros(received + 2 + (e.auditId.charAt(1) & 0x7)));
        g.writeObjectFieldStart("user");
        if (e.podName != null) {
            g.writeObjectFieldStart("extra");
            g.writeArrayFieldStart("authentication.kubernetes.io/pod-name");
            g.writeString(e.podName);
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeArrayFieldStart("groups");
        for (String group : e.groups) {
            g.writeString(group);
        }
        g.writeEndArray();
        if (e.uid != null) {
            g.writeStringField("uid", e.uid);
        }
        g.writeStringField("username", e.user);
        g.writeEndObject();
        g.writeStringField("userAgent", e.agent);
        g.writeStringField("verb", e.verb);
        g.writeEndObject();
        g.writeEndObject();

        g.writeObjectFieldStart("log");
        g.writeObjectFieldStart("file");
        g.writeStringField("path", "/var/log/kube-audit/audit.log");
        g.writeEndObject();
        g.writeNumberField("offset", logOffsets[file]);
        logOffsets[file] += 1100 + (e.auditId.charAt(2) & 0xff);
        g.writeEndObject();
        g.writeObjectFieldStart("orchestrator");
        g.writeObjectFieldStart("cluster");
        g.writeStringField("name", CLUSTER);
        g.writeEndObject();
        g.writeEndObject();
        g.writeObjectFieldStart("source");
        g.writeStringField("ip", e.ip);
        g.writeEndObject();
        g.writeObjectFieldStart("user");
        g.writeStringField("name", e.user);
        g.writeEndObject();
        g.writeObjectFieldStart("user_agent");
        g.writeStringField("original", e.agent);
        g.writeEndObject();
        g.writeEndObject();
        g.writeRaw('\n');
    }

    private static String apiVersion(String resource) {
        switch (resource) {
            case "leases": return "coordination.k8s.io/v1";
            case "deployments":
            case "replicasets": return "apps/v1";
            case "ingresses": return "networking.k8s.io/v1";
            default: return "v1";
        }
    }

    private static String uri(Ev e) {
        String group = apiVersion(e.resource);
        String base = group.equals("v1") ? "/api/v1" : "/apis/" + group;
        String path = base + "/namespaces/" + e.namespace + "/" + e.resource;
        if (e.name != null) {
            return path + "/" + e.name;
        }
        return path + (e.verb.equals("watch") ? "?allowWatchBookmarks=true&resourceVersion=48213377&timeout=7m41s&watch=true"
                : "?limit=500&resourceVersion=0");
    }

    // ---------------------------------------------------------------- truth

    private void truth(Path out) throws IOException {
        kept.sort(Comparator.comparingLong(Kept::time));
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("kept.tsv"))) {
            for (Kept k : kept) {
                w.write(String.join("\t", k.user(), k.username(), k.ip(), k.agent(), k.name(), k.namespace(),
                        k.decision(), k.auditId(), Long.toString(k.time())));
                w.write('\n');
            }
        }
        lines(out.resolve("truth-windows-1m.txt"), ReferenceDetector.windows(kept, LOOKBACK, 60_000L, 0, THRESHOLD));
        lines(out.resolve("truth-windows-5m.txt"), ReferenceDetector.windows(kept, LOOKBACK, 300_000L, 0, THRESHOLD));
        lines(out.resolve("truth-continuous.txt"), ReferenceDetector.continuous(kept, LOOKBACK, THRESHOLD, UPDATE_INTERVAL));
    }

    private static void lines(Path p, List<String> lines) throws IOException {
        Files.write(p, lines, StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- helpers

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final char[] ALNUM = "bcdfghjklmnpqrstvwxz2456789".toCharArray();

    private String uuid() {
        long hi = random.nextLong();
        long lo = random.nextLong();
        char[] c = new char[36];
        int p = 0;
        for (int i = 0; i < 32; i++) {
            if (i == 8 || i == 12 || i == 16 || i == 20) {
                c[p++] = '-';
            }
            long v = i < 16 ? hi >>> (60 - 4 * i) : lo >>> (60 - 4 * (i - 16));
            c[p++] = HEX[(int) (v & 0xf)];
        }
        return new String(c);
    }

    private String hex(int n) {
        char[] c = new char[n];
        for (int i = 0; i < n; i++) {
            c[i] = ALNUM[random.nextInt(ALNUM.length)];
        }
        return new String(c);
    }

    private double gaussian() {
        // Box-Muller; SplittableRandom has no nextGaussian on Java 17
        double u = 1.0 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }

    /** ISO-8601 UTC with exactly three fraction digits, as Elasticsearch writes a date. */
    private static String iso(long millis) {
        String s = Instant.ofEpochMilli(millis).toString(); // drops a zero fraction
        return s.length() == 20 ? s.substring(0, 19) + ".000Z" : s;
    }

    private static String micros(long millis) {
        String iso = iso(millis);
        return iso.substring(0, iso.length() - 1) + "482Z";
    }

    /** Counts the bytes written through it. */
    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
