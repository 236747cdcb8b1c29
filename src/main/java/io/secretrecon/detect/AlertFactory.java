package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.alert.AlertJson;
import io.secretrecon.rule.Fingerprint;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Builds alerts from a fingerprint, its names and their tally, within the alert's bounds: each
 * of the name, namespace and outcome lists holds at most {@link DetectorSettings#maxAlertValues}
 * values and {@link DetectorSettings#maxAlertListBytes} bytes of JSON, the first in String order
 * (so the same input always gives the same document); a cut sets {@code valuesTruncated}. The
 * counts ({@code uniqueCredentials}, {@code eventCount}) are never cut.
 */
final class AlertFactory {

    private AlertFactory() {}

    static Alert build(DetectorSettings bounds, Fingerprint fp, DetectionMode mode, String id, int revision,
            long emittedAt, long created, long windowStart, long windowEnd, List<String> sortedNames, Tally tally,
            boolean namesDropped) {
        Alert a = new Alert();
        a.id = id;
        a.timestamp = emittedAt;
        a.created = created;
        a.userName = fp.userName;
        a.auditUserName = fp.auditUserName;
        a.sourceIp = fp.sourceIp;
        a.userAgent = fp.userAgent;
        a.uniqueCredentials = sortedNames.size();
        a.secretsNames = bounded(bounds, sortedNames.toArray(new String[0]));
        a.namespaces = bounded(bounds, tally.namespaces);
        a.outcomes = bounded(bounds, tally.decisions);
        a.valuesTruncated = a.secretsNames.length < sortedNames.size()
                || length(a.namespaces) < length(tally.namespaces)
                || length(a.outcomes) < length(tally.decisions);
        a.uniqueCredentialsLowerBound = namesDropped;
        a.mode = mode.label();
        a.revision = revision;
        a.windowStart = windowStart;
        a.windowEnd = windowEnd;
        a.firstSeen = tally.first;
        a.lastSeen = tally.last;
        a.eventCount = tally.count;
        a.auditIds = tally.auditIds;
        return a;
    }

    /** The first values of a sorted list that fit the bounds (at least one); the array itself when all do. */
    static String[] bounded(DetectorSettings bounds, String[] sorted) {
        if (sorted == null) {
            return null;
        }
        int n = Math.min(sorted.length, bounds.maxAlertValues());
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            bytes += AlertJson.listElementBytes(sorted[i]);
            if (bytes > bounds.maxAlertListBytes() && i > 0) {
                n = i;
                break;
            }
        }
        return n == sorted.length ? sorted : Arrays.copyOf(sorted, n);
    }

    private static int length(String[] values) {
        return values == null ? 0 : values.length;
    }

    static List<String> sorted(Iterable<String> names) {
        List<String> out = new ArrayList<>();
        names.forEach(out::add);
        Collections.sort(out);
        return out;
    }
}
