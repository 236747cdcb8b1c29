package io.secretrecon.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.secretrecon.testutil.AlertDocuments;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Compares a contender's alerts with the generator's ground truth and prints one verdict line
 * ({@code yes (N/N)} or {@code NO (...)}); exits 1 on a mismatch.
 *
 * <ul>
 *   <li>{@code --format secret-recon}: the job's alert documents (NDJSON), compared whole in
 *       {@link io.secretrecon.testutil.ReferenceDetector#canonical} form: group, mode, time,
 *       revision, window, counts, names, namespaces, outcomes, first/last seen, audit ids (and so
 *       the alert ids, which are a function of fingerprint and window). Also checks that the
 *       {@code kibana.alert.uuid}s are distinct per revision-1 alert.
 *   <li>{@code --format peer}: a peer's lines {@code start end user username ip agent unique
 *       names namespaces outcomes count} (tab-separated, lists comma-separated in any order),
 *       possibly prefixed by Flink's print sink ({@code 1> }, {@code +I[...]}), compared with the
 *       same projection of the truth.
 * </ul>
 *
 * <pre>AlertCheck --truth FILE --format secret-recon|peer --alerts FILE|DIR</pre>
 */
public final class AlertCheck {

    private static final Pattern PRINT_PREFIX = Pattern.compile("^(\\d+> )?(\\+I\\[)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private AlertCheck() {}

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        List<String> truth = Files.readAllLines(Path.of(a.get("--truth")), StandardCharsets.UTF_8);
        truth.removeIf(String::isBlank);
        String format = a.getOrDefault("--format", "secret-recon");
        List<String> expected = new ArrayList<>();
        List<String> actual = new ArrayList<>();
        String extra = "";
        if (format.equals("secret-recon")) {
            expected.addAll(truth);
            List<String> ids = new ArrayList<>();
            for (Path f : files(Path.of(a.get("--alerts")))) {
                try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                    for (String line = r.readLine(); line != null; line = r.readLine()) {
                        if (!line.isBlank()) {
                            JsonNode doc = JSON.readTree(line);
                            actual.add(AlertDocuments.canonical(doc));
                            if (doc.at("/secret_recon/revision").asInt() == 1) {
                                ids.add(doc.at("/kibana/alert/uuid").asText());
                            }
                        }
                    }
                }
            }
            long distinct = ids.stream().distinct().count();
            if (distinct != ids.size()) {
                extra = ", " + (ids.size() - distinct) + " repeated alert ids";
            }
        } else {
            for (String t : truth) {
                expected.add(projectTruth(t));
            }
            for (Path f : files(Path.of(a.get("--alerts")))) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    if (line.indexOf('\t') > 0) {
                        actual.add(normalisePeer(line));
                    }
                }
            }
        }
        Collections.sort(expected);
        Collections.sort(actual);
        List<String> missing = minus(expected, actual);
        List<String> unexpected = minus(actual, expected);
        if (missing.isEmpty() && unexpected.isEmpty() && extra.isEmpty()) {
            System.out.println("yes (" + actual.size() + "/" + expected.size() + ")");
            return;
        }
        System.out.println("NO (" + actual.size() + " vs " + expected.size() + " expected: " + missing.size() + " missing, "
                + unexpected.size() + " unexpected" + extra + ")");
        missing.stream().limit(3).forEach(m -> System.err.println("  missing:    " + m));
        unexpected.stream().limit(3).forEach(m -> System.err.println("  unexpected: " + m));
        System.exit(1);
    }

    /** The peer projection of a canonical truth line. */
    static String projectTruth(String canonical) {
        String[] p = canonical.split(" \\| ", -1);
        // mode | at | user | username | ip | agent | unique= | names= | ns= | outcome= | rev= | window=S..E | seen= | count= | audit=
        String[] window = p[11].substring("window=".length()).split("\\.\\.");
        return String.join("\t", window[0], window[1], p[2], p[3], p[4], p[5], p[6].substring("unique=".length()),
                list(p[7].substring("names=".length())), list(p[8].substring("ns=".length())),
                list(p[9].substring("outcome=".length())), p[13].substring("count=".length()));
    }

    static String normalisePeer(String line) {
        String s = PRINT_PREFIX.matcher(line).replaceFirst("");
        if (line.contains("+I[") && s.endsWith("]")) {
            s = s.substring(0, s.length() - 1);
        }
        String[] f = s.split("\t", -1);
        for (int i = 0; i < 2 && i < f.length; i++) {
            f[i] = millis(f[i]);
        }
        for (int i = 7; i <= 9 && i < f.length; i++) {
            f[i] = sortedCsv(f[i]);
        }
        return String.join("\t", f);
    }

    /** Epoch milliseconds as text, from epoch milliseconds or SQL's UTC {@code yyyy-MM-dd HH:mm:ss[.SSS]}. */
    private static String millis(String time) {
        if (time.chars().allMatch(Character::isDigit)) {
            return time;
        }
        return Long.toString(LocalDateTime.parse(time.replace(' ', 'T')).toInstant(ZoneOffset.UTC).toEpochMilli());
    }

    private static String list(String bracketed) {
        String inner = bracketed.substring(1, bracketed.length() - 1);
        return sortedCsv(inner.replace(", ", ","));
    }

    private static String sortedCsv(String csv) {
        if (csv.isEmpty() || csv.equals("null")) {
            return "";
        }
        String[] v = csv.split(",");
        Arrays.sort(v);
        return String.join(",", Arrays.stream(v).distinct().toArray(String[]::new));
    }

    private static List<String> minus(List<String> a, List<String> b) {
        Map<String, Integer> counts = new TreeMap<>();
        b.forEach(x -> counts.merge(x, 1, Integer::sum));
        List<String> out = new ArrayList<>();
        for (String x : a) {
            Integer c = counts.get(x);
            if (c == null || c == 0) {
                out.add(x);
            } else {
                counts.put(x, c - 1);
            }
        }
        return out;
    }

    private static List<Path> files(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            return List.of(p);
        }
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
