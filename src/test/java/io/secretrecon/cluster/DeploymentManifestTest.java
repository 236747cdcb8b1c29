package io.secretrecon.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.secretrecon.SecretReconJob;
import io.secretrecon.config.JobSettings;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/Dockerfile} and {@code deploy/flink-deployment.yaml} agree with the job: the jar
 * the build makes is the one the image holds and the FlinkDeployment runs, the entry class is the
 * job's main class, the operator gets what {@code upgradeMode: savepoint} requires, every Flink
 * option is spelled as Flink spells it, and the job settings in the ConfigMap start the job.
 * (There is no Kubernetes here: only the manifests are checked.)
 */
class DeploymentManifestTest {

    private static final Path POM = Path.of("pom.xml");
    private static final Path DOCKERFILE = Path.of("deploy/Dockerfile");
    private static final Path MANIFEST = Path.of("deploy/flink-deployment.yaml");
    private static final String USRLIB = "/opt/flink/usrlib/";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static String jarName;
    private static String flinkVersion;
    private static List<JsonNode> documents;
    private static JsonNode deployment;
    private static Map<String, String> flinkConfiguration;

    @TempDir
    Path tmp;

    @BeforeAll
    static void readManifests() throws Exception {
        Document pom = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(POM.toFile());
        Element project = pom.getDocumentElement();
        String version = text(project, "version");
        String finalName = text(element(project, "build"), "finalName");
        jarName = (finalName != null ? finalName.replace("${project.version}", version)
                : text(project, "artifactId") + "-" + version) + ".jar";
        flinkVersion = text(element(project, "properties"), "flink.version");

        try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(MANIFEST.toFile())) {
            documents = it.readAll().stream().filter(d -> d != null && !d.isNull() && !d.isEmpty()).collect(Collectors.toList());
        }
        List<JsonNode> deployments = ofKind("FlinkDeployment");
        assertThat(deployments).as("one FlinkDeployment in %s", MANIFEST).hasSize(1);
        deployment = deployments.get(0);
        flinkConfiguration = new HashMap<>();
        deployment.at("/spec/flinkConfiguration").fields().forEachRemaining(e -> flinkConfiguration.put(e.getKey(), e.getValue().asText()));
    }

    @Test
    void theImageHoldsTheJarTheBuildMakesAndTheDeploymentRunsIt() throws Exception {
        List<String> lines = Files.readAllLines(DOCKERFILE).stream().map(String::trim)
                .filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.toList());
        Matcher from = Pattern.compile("FROM\\s+flink:(\\d+\\.\\d+)[.\\-].*").matcher(lines.get(0));
        assertThat(from.matches()).as("the Dockerfile starts FROM the official flink image: %s", lines.get(0)).isTrue();
        assertThat(flinkVersion).as("the image's Flink is the pom's").startsWith(from.group(1) + ".");

        List<String[]> copies = new ArrayList<>();
        for (String l : lines) {
            if (l.startsWith("COPY ")) {
                String[] words = l.split("\\s+");
                List<String> paths = new ArrayList<>();
                for (int i = 1; i < words.length; i++) {
                    if (!words[i].startsWith("--")) {
                        paths.add(words[i]);
                    }
                }
                copies.add(paths.toArray(new String[0]));
            }
        }
        assertThat(copies).as("COPY of target/%s to %s", jarName, USRLIB)
                .anySatisfy(c -> assertThat(c).containsExactly("target/" + jarName, USRLIB + jarName));
        assertThat(deployment.at("/spec/job/jarURI").asText()).isEqualTo("local://" + USRLIB + jarName);
    }

    @Test
    void theEntryClassIsTheJobsMainClass() throws Exception {
        String entry = deployment.at("/spec/job/entryClass").asText();
        assertThat(entry).isEqualTo(SecretReconJob.class.getName());
        Method main = Class.forName(entry).getMethod("main", String[].class);
        assertThat(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers())).isTrue();
    }

    @Test
    void itIsAnApplicationDeploymentOfThePomsFlinkVersion() {
        assertThat(deployment.get("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
        String[] v = flinkVersion.split("\\.");
        assertThat(deployment.at("/spec/flinkVersion").asText()).isEqualTo("v" + v[0] + "_" + v[1]);
        assertThat(deployment.at("/spec/job").isObject()).as("spec.job: application mode").isTrue();
        assertThat(deployment.at("/spec/mode").asText("native")).isEqualTo("native");
        assertThat(deployment.at("/spec/job/state").asText()).isEqualTo("running");
    }

    @Test
    void savepointUpgradesHaveTheDirectoriesTheOperatorRequiresAndHighAvailability() {
        assertThat(deployment.at("/spec/job/upgradeMode").asText()).isEqualTo("savepoint");
        assertThat(flinkConfiguration.get("execution.checkpointing.dir")).isNotBlank();
        assertThat(flinkConfiguration.get("execution.checkpointing.savepoint-dir")).isNotBlank();
        assertThat(flinkConfiguration.get("execution.checkpointing.interval")).isNotBlank();
        assertThat(flinkConfiguration.get("execution.checkpointing.externalized-checkpoint-retention")).isEqualTo("RETAIN_ON_CANCELLATION");
        assertThat(flinkConfiguration.get("high-availability.type")).isEqualTo("kubernetes");
        assertThat(flinkConfiguration.get("high-availability.storageDir")).isNotBlank();
        assertThat(flinkConfiguration.get("pipeline.auto-generate-uids")).isEqualTo("false");

        // Local paths must be on a volume every pod mounts (else each pod has its own).
        Set<String> mounts = new HashSet<>();
        deployment.at("/spec/podTemplate/spec/containers").forEach(c -> c.path("volumeMounts")
                .forEach(m -> mounts.add(m.get("mountPath").asText())));
        for (String key : List.of("execution.checkpointing.dir", "execution.checkpointing.savepoint-dir", "high-availability.storageDir")) {
            String dir = flinkConfiguration.get(key);
            if (dir.startsWith("file:")) {
                String path = dir.replaceFirst("^file:(//)?", "");
                assertThat(mounts).as("%s (%s) is on a mounted volume", key, dir).anySatisfy(m -> assertThat(path).startsWith(m + "/"));
            }
        }
    }

    @Test
    void everyFlinkOptionIsSpelledAsFlinkSpellsIt() throws Exception {
        Set<String> known = new HashSet<>();
        for (String cls : List.of("CheckpointingOptions", "StateBackendOptions", "StateRecoveryOptions", "RestartStrategyOptions",
                "JobManagerOptions", "TaskManagerOptions", "HighAvailabilityOptions", "PipelineOptions", "ClusterOptions",
                "CoreOptions", "MetricOptions", "RestOptions", "ExecutionOptions")) {
            for (Field f : Class.forName("org.apache.flink.configuration." + cls).getFields()) {
                if (Modifier.isStatic(f.getModifiers()) && ConfigOption.class.isAssignableFrom(f.getType())) {
                    ConfigOption<?> o = (ConfigOption<?>) f.get(null);
                    known.add(o.key());
                    o.fallbackKeys().forEach(k -> known.add(k.getKey()));
                }
            }
        }
        // The operator's own options and the reporters' free-form ones aside, all must be known.
        List<String> unknown = flinkConfiguration.keySet().stream()
                .filter(k -> !k.startsWith("kubernetes.operator.") && !k.startsWith("metrics.reporter."))
                .filter(k -> !known.contains(k))
                .sorted()
                .collect(Collectors.toList());
        assertThat(unknown).as("options that are not Flink's").isEmpty();
    }

    @Test
    void theJobSettingsOfTheConfigMapStartTheJob() throws Exception {
        List<String> args = new ArrayList<>();
        deployment.at("/spec/job/args").forEach(a -> args.add(a.asText()));
        int at = args.indexOf("--config");
        assertThat(at).as("the job gets --config").isGreaterThanOrEqualTo(0);
        Path configPath = Path.of(args.get(at + 1));

        // Volumes of the pod template: which ConfigMap or Secret is mounted where.
        Map<String, String> mountOfVolume = new HashMap<>();
        deployment.at("/spec/podTemplate/spec/containers").forEach(c -> c.path("volumeMounts")
                .forEach(m -> mountOfVolume.put(m.get("name").asText(), m.get("mountPath").asText())));
        String settingsText = null;
        List<String> secretMounts = new ArrayList<>();
        for (JsonNode volume : deployment.at("/spec/podTemplate/spec/volumes")) {
            String mount = mountOfVolume.get(volume.get("name").asText());
            if (mount == null) {
                continue;
            }
            if (volume.has("secret")) {
                secretMounts.add(mount);
            }
            if (volume.has("configMap") && configPath.getParent().equals(Path.of(mount))) {
                String name = volume.at("/configMap/name").asText();
                JsonNode map = ofKind("ConfigMap").stream().filter(m -> m.at("/metadata/name").asText().equals(name))
                        .findFirst().orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in " + MANIFEST));
                settingsText = map.at("/data/" + configPath.getFileName()).asText(null);
            }
        }
        assertThat(settingsText).as("%s comes from a ConfigMap of the manifest", configPath).isNotNull();

        // ${file:...} secrets must lie in a mounted Secret; here they are stand-in files.
        Matcher ref = Pattern.compile("\\$\\{file:([^}]+)}").matcher(settingsText);
        StringBuilder local = new StringBuilder();
        while (ref.find()) {
            String secretFile = ref.group(1);
            assertThat(secretMounts).as("secret file %s is in a mounted Secret", secretFile)
                    .anySatisfy(m -> assertThat(secretFile).startsWith(m + "/"));
            Path standIn = Files.writeString(tmp.resolve("secret-" + Math.abs(secretFile.hashCode())), "stand-in");
            ref.appendReplacement(local, Matcher.quoteReplacement("${file:" + standIn + "}"));
        }
        ref.appendTail(local);
        Path settingsFile = Files.writeString(tmp.resolve("secret-recon.yaml"), local.toString());

        JobSettings settings = SecretReconJob.loadSettings(new String[] {"--config", settingsFile.toString()});
        assertThat(settings.sourceType()).isEqualTo(JobSettings.SourceType.KAFKA);
        assertThat(settings.sinkTypes()).contains(io.secretrecon.config.OutputType.KAFKA);

        // The topology builds with the deployment's Flink options: exactly-once checks, uids.
        Configuration conf = Configuration.fromMap(flinkConfiguration);
        conf.addAll(SecretReconJob.jobConfiguration(settings));
        StreamExecutionEnvironment env = new StreamExecutionEnvironment(conf);
        SecretReconJob.build(env, settings);
        assertThat(env.getStreamGraph().getJobGraph().getVertices()).isNotEmpty();
    }

    private static List<JsonNode> ofKind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).collect(Collectors.toList());
    }

    private static Element element(Element parent, String name) {
        if (parent == null) {
            return null;
        }
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element && ((Element) n).getTagName().equals(name)) {
                return (Element) n;
            }
        }
        return null;
    }

    private static String text(Element parent, String name) {
        Element e = element(parent, name);
        return e == null ? null : e.getTextContent().trim();
    }
}
