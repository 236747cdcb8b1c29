package io.secretrecon.detect;

import io.secretrecon.alert.Alert;
import io.secretrecon.rule.Fingerprint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Builds alerts from a fingerprint, its names and their tally. */
final class AlertFactory {

    private AlertFactory() {}

    static Alert build(Fingerprint fp, DetectionMode mode, String id, int revision, long emittedAt, long created,
            long windowStart, long windowEnd, List<String> sortedNames, Tally tally) {
        Alert a = new Alert();
        a.id = id;
        a.timestamp = emittedAt;
        a.created = created;
        a.userName = fp.userName;
        a.auditUserName = fp.auditUserName;
        a.sourceIp = fp.sourceIp;
        a.userAgent = fp.userAgent;
        a.uniqueCredentials = sortedNames.size();
        a.secretsNames = sortedNames.toArray(new String[0]);
        a.namespaces = tally.namespaces;
        a.outcomes = tally.decisions;
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

    static List<String> sorted(Iterable<String> names) {
        List<String> out = new ArrayList<>();
        names.forEach(out::add);
        Collections.sort(out);
        return out;
    }
}
