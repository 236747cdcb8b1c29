package io.secretrecon.rule.exceptions;

import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.DeadLetterReason;
import io.secretrecon.event.DeadLetters;
import io.secretrecon.event.RecordOrigin;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * How one control record changes the exceptions in force: the whole contract of the control
 * stream, without Flink.
 *
 * <ul>
 *   <li>A Kafka record with a JSON value adds or replaces the exception with its key as id; a
 *       tombstone (null value) removes it. A record without a key is refused (a tombstone could
 *       never remove it, and compaction would not keep it).
 *   <li>A version of the exceptions file replaces the whole set: ids missing from it are removed.
 *       Blank lines and lines starting with {@code #} are skipped. A version with any bad line
 *       is refused as a whole (each bad line dead-lettered) and the previous one stays in force,
 *       as with a configuration reload that fails validation.
 *   <li>An entry whose definition does not change keeps its effective time (re-publishing an
 *       entry, or saving the file again, moves nothing), unless it gives its own
 *       {@code effective} time.
 *   <li>A new id beyond {@code max} exceptions in force is refused.
 *   <li>A refused record changes nothing and becomes a dead letter with reason
 *       {@code malformed-exception}.
 * </ul>
 */
public final class ExceptionChanges {

    /** Ids that were added or replaced, with their new entry. */
    public final Map<String, ExceptionEntry> puts;
    /** Ids that were removed. */
    public final List<String> removals;
    public final List<DeadLetter> deadLetters;

    private ExceptionChanges(Map<String, ExceptionEntry> puts, List<String> removals, List<DeadLetter> deadLetters) {
        this.puts = puts;
        this.removals = removals;
        this.deadLetters = deadLetters;
    }

    public boolean changesSomething() {
        return !puts.isEmpty() || !removals.isEmpty();
    }

    /**
     * @param current the exceptions in force, by id (not modified)
     * @param max the most exceptions that may be in force
     */
    public static ExceptionChanges apply(ExceptionRecord r, Map<String, ExceptionEntry> current, int max) {
        if (r.error != null) {
            return refused(deadLetter(r.error, r.origin, ""));
        }
        if (r.isFileVersion()) {
            return fileVersion(r, current, max);
        }
        if (r.key == null) {
            return refused(deadLetter("the record has no key (the key is the exception id)", r.origin,
                    r.value == null ? "" : r.value));
        }
        if (r.value == null) {
            return current.containsKey(r.key) ? new ExceptionChanges(Map.of(), List.of(r.key), List.of()) : none();
        }
        ExceptionEntries.Parsed parsed = ExceptionEntries.parse(r.value, r.key, r.timestamp);
        if (!parsed.ok()) {
            return refused(deadLetter(parsed.error, r.origin, r.value));
        }
        ExceptionEntry existing = current.get(parsed.entry.id);
        if (existing == null && current.size() >= max) {
            return refused(deadLetter("already " + current.size() + " exceptions in force, the most allowed "
                    + "(rule.exceptions-max); remove one first", r.origin, r.value));
        }
        ExceptionEntry next = keepEffective(existing, parsed);
        if (next.equals(existing)) {
            return none();
        }
        return new ExceptionChanges(Map.of(next.id, next), List.of(), List.of());
    }

    private static ExceptionChanges fileVersion(ExceptionRecord r, Map<String, ExceptionEntry> current, int max) {
        String file = r.origin == null ? null : r.origin.source;
        Map<String, ExceptionEntries.Parsed> entries = new LinkedHashMap<>();
        Map<String, Integer> lineOf = new LinkedHashMap<>();
        List<DeadLetter> bad = new ArrayList<>();
        for (int i = 0; i < r.lines.length; i++) {
            String line = r.lines[i];
            if (line.isBlank() || line.stripLeading().startsWith("#")) {
                continue;
            }
            RecordOrigin at = RecordOrigin.fileLine(file, i + 1);
            ExceptionEntries.Parsed parsed = ExceptionEntries.parse(line, null, r.timestamp);
            if (!parsed.ok()) {
                bad.add(deadLetter(parsed.error + "; this version of the file is not applied", at, line));
            } else if (entries.containsKey(parsed.entry.id)) {
                bad.add(deadLetter("id '" + parsed.entry.id + "' already on line " + lineOf.get(parsed.entry.id)
                        + "; this version of the file is not applied", at, line));
            } else {
                entries.put(parsed.entry.id, parsed);
                lineOf.put(parsed.entry.id, i + 1);
            }
        }
        if (bad.isEmpty() && entries.size() > max) {
            bad.add(deadLetter(entries.size() + " exceptions, more than rule.exceptions-max (" + max
                    + "); this version of the file is not applied", RecordOrigin.fileLine(file, 0), ""));
        }
        if (!bad.isEmpty()) {
            return new ExceptionChanges(Map.of(), List.of(), Collections.unmodifiableList(bad));
        }
        Map<String, ExceptionEntry> puts = new LinkedHashMap<>();
        for (ExceptionEntries.Parsed e : entries.values()) {
            ExceptionEntry existing = current.get(e.entry.id);
            ExceptionEntry next = keepEffective(existing, e);
            if (!next.equals(existing)) {
                puts.put(next.id, next);
            }
        }
        List<String> removals = new ArrayList<>();
        for (String id : new TreeSet<>(current.keySet())) {
            if (!entries.containsKey(id)) {
                removals.add(id);
            }
        }
        return new ExceptionChanges(Collections.unmodifiableMap(puts), Collections.unmodifiableList(removals), List.of());
    }

    /** An unchanged definition keeps its effective time, unless the entry gives one itself. */
    private static ExceptionEntry keepEffective(ExceptionEntry existing, ExceptionEntries.Parsed next) {
        return !next.effectiveGiven && next.entry.sameDefinition(existing)
                ? next.entry.withEffective(existing.effective) : next.entry;
    }

    private static ExceptionChanges none() {
        return new ExceptionChanges(Map.of(), List.of(), List.of());
    }

    private static ExceptionChanges refused(DeadLetter d) {
        return new ExceptionChanges(Map.of(), List.of(), List.of(d));
    }

    private static DeadLetter deadLetter(String detail, RecordOrigin origin, String record) {
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        return DeadLetters.of(DeadLetterReason.MALFORMED_EXCEPTION, detail, origin, -1, bytes, 0, bytes.length);
    }
}
