package io.secretrecon.testutil;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** What an alert index should hold, in the canonical form of {@link ReferenceDetector#canonical}. */
public final class ElasticsearchAlerts {

    private ElasticsearchAlerts() {}

    /**
     * The documents an index holds after every revision was written with external versions: per
     * incident (fingerprint and window start) only the highest revision, sorted.
     */
    public static List<String> highestRevisions(Collection<String> canonicalAlerts) {
        Map<String, String> best = new LinkedHashMap<>();
        Map<String, Integer> bestRevision = new LinkedHashMap<>();
        for (String alert : canonicalAlerts) {
            String[] f = alert.split(" \\| ", -1);
            String incident = String.join("|", f[0], f[2], f[3], f[4], f[5], f[11].substring(0, f[11].indexOf("..")));
            int revision = Integer.parseInt(f[10].substring("rev=".length()));
            if (!bestRevision.containsKey(incident) || bestRevision.get(incident) < revision) {
                bestRevision.put(incident, revision);
                best.put(incident, alert);
            }
        }
        List<String> out = new ArrayList<>(best.values());
        out.sort(null);
        return out;
    }

    /** The canonical form of each document's {@code _source}, sorted. */
    public static List<String> canonical(Map<String, JsonNode> hitsById) {
        List<String> out = new ArrayList<>();
        hitsById.values().forEach(h -> out.add(AlertDocuments.canonical(h.get("_source"))));
        out.sort(null);
        return out;
    }

    /**
     * Polls {@code actual} until it equals {@code expected} or the deadline passes, and returns
     * its last value (the caller asserts on it, for a readable difference).
     */
    public static <T> T awaitEqual(Supplier<T> actual, T expected, Duration deadline) {
        long end = System.nanoTime() + deadline.toNanos();
        T last = actual.get();
        while (!last.equals(expected) && System.nanoTime() < end) {
            try {
                Thread.sleep(250); // a poll interval, not a synchronisation: the loop waits on the condition
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return last;
            }
            last = actual.get();
        }
        return last;
    }
}
