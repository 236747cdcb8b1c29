package io.secretrecon;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.spi.ToolProvider;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The package graph of {@code target/classes}, as {@code jdeps} sees it: no cycle, and the
 * detection core ({@code detect}, {@code rule}) free of connectors and of the job's edges
 * ({@code io}, {@code pipeline}).
 */
class PackageStructureTest {

    private static final String ROOT = "io.secretrecon";

    @Test
    void thePackageGraphHasNoCycle() {
        Map<String, Set<String>> graph = ownGraph(dependencies());
        List<String> cycle = findCycle(graph);
        assertThat(cycle).as("a cycle among %s", graph).isEmpty();
    }

    @Test
    void theDetectionCoreImportsNoConnectorAndNoEdge() {
        Map<String, Set<String>> deps = dependencies();
        for (String core : List.of(ROOT + ".detect", ROOT + ".rule")) {
            assertThat(deps.getOrDefault(core, Set.of()))
                    .as("what %s depends on", core)
                    .noneMatch(p -> p.startsWith(ROOT + ".io") || p.startsWith(ROOT + ".pipeline")
                            || p.startsWith(ROOT + ".config") || p.startsWith("org.apache.flink.connector")
                            || p.startsWith("org.apache.kafka"));
        }
    }

    /** Package to the packages it depends on, from {@code jdeps -verbose:package}. */
    private static Map<String, Set<String>> dependencies() {
        Path classes = Path.of("target/classes");
        assertThat(Files.isDirectory(classes)).as("compiled classes at %s", classes).isTrue();
        ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
        StringWriter out = new StringWriter();
        int rc = jdeps.run(new PrintWriter(out), new PrintWriter(new StringWriter()),
                "-verbose:package", "-filter:none", classes.toString());
        assertThat(rc).as("jdeps exit code; output:%n%s", out).isZero();
        Map<String, Set<String>> deps = new TreeMap<>();
        Matcher m = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)", Pattern.MULTILINE).matcher(out.toString());
        while (m.find()) {
            deps.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
        }
        assertThat(deps).as("jdeps found the project's packages").containsKey(ROOT + ".detect");
        return deps;
    }

    private static Map<String, Set<String>> ownGraph(Map<String, Set<String>> deps) {
        Map<String, Set<String>> own = new TreeMap<>();
        deps.forEach((from, tos) -> {
            if (from.startsWith(ROOT)) {
                Set<String> targets = new TreeSet<>();
                for (String to : tos) {
                    if (to.startsWith(ROOT) && !to.equals(from)) {
                        targets.add(to);
                    }
                }
                own.put(from, targets);
            }
        });
        return own;
    }

    /** One cycle as a path of packages, or empty. */
    private static List<String> findCycle(Map<String, Set<String>> graph) {
        Map<String, Integer> state = new TreeMap<>(); // 1 on the path, 2 done
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, state, path)) {
                String repeated = path.get(path.size() - 1);
                return path.subList(path.indexOf(repeated), path.size());
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> graph, Map<String, Integer> state, List<String> path) {
        Integer s = state.get(node);
        if (s != null) {
            if (s == 1) {
                path.add(node);
                return true;
            }
            return false;
        }
        state.put(node, 1);
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (visit(next, graph, state, path)) {
                return true;
            }
        }
        path.remove(path.size() - 1);
        state.put(node, 2);
        return false;
    }
}
