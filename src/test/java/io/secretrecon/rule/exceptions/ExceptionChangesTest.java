package io.secretrecon.rule.exceptions;

import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.EventTimes;
import io.secretrecon.event.RecordOrigin;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How control records change the exceptions in force: Kafka upserts and tombstones, file versions, refusals. */
class ExceptionChangesTest {

    private static final long T1 = EventTimes.parse("2026-11-02T09:00:00Z");
    private static final long T2 = EventTimes.parse("2026-11-02T10:00:00Z");
    private static final String FILE = "/etc/secret-recon/exceptions.ndjson";

    private final Map<String, ExceptionEntry> inForce = new HashMap<>();

    // ---------------------------------------------------------------- Kafka records

    @Test
    void aRecordAddsAnExceptionEffectiveFromItsTimestamp() {
        ExceptionChanges c = apply(kafka("velero", entry("velero", "user.name", "velero"), T1));

        assertThat(c.deadLetters).isEmpty();
        assertThat(c.removals).isEmpty();
        assertThat(c.puts).containsOnlyKeys("velero");
        assertThat(c.puts.get("velero").effective).isEqualTo(T1);
    }

    @Test
    void republishingAnUnchangedEntryMovesNothingAndAChangedOneIsEffectiveAnew() {
        apply(kafka("velero", entry("velero", "user.name", "velero"), T1));

        assertThat(apply(kafka("velero", entry("velero", "user.name", "velero"), T2)).changesSomething()).isFalse();
        assertThat(inForce.get("velero").effective).isEqualTo(T1);

        ExceptionChanges changed = apply(kafka("velero", entry("velero", "user.name", "velero-2"), T2));
        assertThat(changed.puts.get("velero").effective).isEqualTo(T2);
        assertThat(changed.puts.get("velero").values).containsExactly("velero-2");
    }

    @Test
    void anExplicitEffectiveTimeIsAlwaysTaken() {
        apply(kafka("velero", entry("velero", "user.name", "velero"), T2));
        String earlier = entry("velero", "user.name", "velero").replace("}", ",\"effective\":\"2026-11-01T00:00:00Z\"}");

        ExceptionChanges c = apply(kafka("velero", earlier, T2));

        assertThat(c.puts.get("velero").effective).isEqualTo(EventTimes.parse("2026-11-01T00:00:00Z"));
    }

    @Test
    void aTombstoneRemovesAndAnUnknownOneDoesNothing() {
        apply(kafka("velero", entry("velero", "user.name", "velero"), T1));

        assertThat(apply(kafka("velero", null, T2)).removals).containsExactly("velero");
        assertThat(inForce).isEmpty();
        ExceptionChanges again = apply(kafka("velero", null, T2));
        assertThat(again.changesSomething()).isFalse();
        assertThat(again.deadLetters).isEmpty();
    }

    @Test
    void aMalformedRecordIsDeadLetteredAndChangesNothing() {
        apply(kafka("velero", entry("velero", "user.name", "velero"), T1));
        Map<String, ExceptionEntry> before = new HashMap<>(inForce);

        ExceptionChanges c = apply(kafka("velero", entry("velero", "user.nam", "velero"), T2));

        assertThat(c.changesSomething()).isFalse();
        assertThat(inForce).isEqualTo(before);
        assertThat(c.deadLetters).singleElement().satisfies(d -> {
            assertThat(d.reason).isEqualTo("malformed-exception");
            assertThat(d.detail).startsWith("unknown field 'user.nam'");
            assertThat(d.origin).isEqualTo(RecordOrigin.kafka("rule-exceptions", 0, 7));
            assertThat(d.record).contains("user.nam");
        });
    }

    @Test
    void aRecordWithoutKeyIsRefused() {
        ExceptionChanges c = apply(kafka(null, entry("velero", "user.name", "velero"), T1));

        assertThat(c.changesSomething()).isFalse();
        assertThat(c.deadLetters).singleElement().extracting(d -> d.detail).asString().contains("no key");
    }

    @Test
    void aNewIdBeyondTheMaximumIsRefusedButAnExistingOneMayChange() {
        apply(kafka("a", entry("a", "user.name", "a"), T1), 2);
        apply(kafka("b", entry("b", "user.name", "b"), T1), 2);

        ExceptionChanges third = apply(kafka("c", entry("c", "user.name", "c"), T1), 2);
        ExceptionChanges replaced = apply(kafka("b", entry("b", "user.name", "b2"), T2), 2);

        assertThat(third.changesSomething()).isFalse();
        assertThat(third.deadLetters).singleElement().extracting(d -> d.detail).asString().contains("rule.exceptions-max");
        assertThat(replaced.puts).containsOnlyKeys("b");
        assertThat(inForce).containsOnlyKeys("a", "b");
    }

    @Test
    void anUnreadableControlInputIsDeadLettered() {
        ExceptionChanges c = apply(ExceptionRecord.unreadable("the exceptions file is not UTF-8 text",
                RecordOrigin.fileLine(FILE, 0)));

        assertThat(c.changesSomething()).isFalse();
        assertThat(c.deadLetters).singleElement().extracting(d -> d.detail).isEqualTo("the exceptions file is not UTF-8 text");
    }

    // ---------------------------------------------------------------- file versions

    @Test
    void aFileVersionIsTheWholeSet() {
        apply(file(T1, entry("a", "user.name", "a"), "", "# the CI deployer", entry("b", "user.name", "b")));
        assertThat(inForce).containsOnlyKeys("a", "b");
        assertThat(inForce.get("a").effective).isEqualTo(T1);

        ExceptionChanges c = apply(file(T2, entry("b", "user.name", "b"), entry("c", "user.name", "c")));

        assertThat(c.removals).containsExactly("a");
        assertThat(c.puts).as("b did not change").containsOnlyKeys("c");
        assertThat(inForce).containsOnlyKeys("b", "c");
        assertThat(inForce.get("b").effective).as("an unchanged line keeps its time").isEqualTo(T1);
        assertThat(inForce.get("c").effective).as("the file's modification time").isEqualTo(T2);
    }

    @Test
    void aFileVersionWithABadLineIsNotAppliedAtAll() {
        apply(file(T1, entry("a", "user.name", "a")));

        ExceptionChanges c = apply(file(T2, entry("b", "user.name", "b"), "{\"id\": \"c\"", entry("b", "user.name", "b2")));

        assertThat(c.changesSomething()).isFalse();
        assertThat(inForce).containsOnlyKeys("a");
        assertThat(c.deadLetters).hasSize(2);
        DeadLetter bad = c.deadLetters.get(0);
        assertThat(bad.origin).isEqualTo(RecordOrigin.fileLine(FILE, 2));
        assertThat(bad.detail).isEqualTo("not valid JSON; this version of the file is not applied");
        assertThat(c.deadLetters.get(1).detail).startsWith("id 'b' already on line 1");
        assertThat(c.deadLetters.get(1).origin).isEqualTo(RecordOrigin.fileLine(FILE, 3));
    }

    @Test
    void aFileWithTooManyExceptionsIsNotApplied() {
        ExceptionChanges c = apply(file(T1, entry("a", "user.name", "a"), entry("b", "user.name", "b")), 1);

        assertThat(c.changesSomething()).isFalse();
        assertThat(c.deadLetters).singleElement().extracting(d -> d.detail).asString().startsWith("2 exceptions, more than");
    }

    @Test
    void anEmptyFileRemovesEverything() {
        apply(file(T1, entry("a", "user.name", "a")));

        assertThat(apply(file(T2, "")).removals).containsExactly("a");
        assertThat(inForce).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    private ExceptionChanges apply(ExceptionRecord r) {
        return apply(r, 1000);
    }

    private ExceptionChanges apply(ExceptionRecord r, int max) {
        ExceptionChanges c = ExceptionChanges.apply(r, Map.copyOf(inForce), max);
        c.removals.forEach(inForce::remove);
        inForce.putAll(c.puts);
        return c;
    }

    private static ExceptionRecord kafka(String key, String value, long time) {
        return ExceptionRecord.kafka(key, value, time, RecordOrigin.kafka("rule-exceptions", 0, 7));
    }

    private static ExceptionRecord file(long modified, String... lines) {
        return ExceptionRecord.fileVersion(lines, modified, FILE);
    }

    private static String entry(String id, String field, String value) {
        return "{\"id\":\"" + id + "\",\"field\":\"" + field + "\",\"operator\":\"is\",\"values\":[\"" + value
                + "\"],\"author\":\"jane\",\"comment\":\"test\"}";
    }
}
