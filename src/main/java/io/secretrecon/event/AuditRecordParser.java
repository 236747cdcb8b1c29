package io.secretrecon.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;
import java.util.function.Consumer;

/**
 * Parses one input record (UTF-8 JSON) into audit events, detecting its shape (SPEC §2):
 *
 * <ul>
 *   <li>a raw Kubernetes audit event ({@code apiVersion: audit.k8s.io/*}, {@code kind: Event}),
 *       mapped to the ECS view the way Elastic's ingest pipeline maps it ({@link RawEventMapper});
 *   <li>an {@code EventList} of raw events, as the webhook backend posts them: one event per item;
 *   <li>anything else is an ECS document, with nested objects, dotted keys or both at any level
 *       ({@link EcsMapper}).
 * </ul>
 *
 * <p>The parser streams ({@link AuditRecordWalker}): it descends only into the members the rule
 * reads ({@link AuditField}) and skips the rest token by token, so
 * {@code requestObject}/{@code responseObject} (and everything else) are never built in memory.
 * A plain record (printable ASCII strings, no escapes where the rule reads, no error) is walked on
 * its bytes without Jackson ({@link ByteRecordWalker}), with the same result; any other record,
 * and every error, goes through Jackson.
 * The shape is decided after the walk, from the values collected for both shapes. A record that
 * is not valid UTF-8 JSON, has a wrong type where its shape reads a value (an object where a
 * string belongs, a number as a user name), an unparsable IP or time, or no time at all is
 * returned as a dead letter with reason {@code malformed} ({@link DeadLetters}); its detail never
 * quotes a payload ({@link ParseErrorText}).
 *
 * <p>Not thread-safe; one instance per source reader.
 */
public final class AuditRecordParser implements Serializable {

    private static final long serialVersionUID = 1L;

    private final transient JsonFactory json;
    /** Null when the fast path is off (tests compare both walks). */
    private final transient ByteRecordWalker fastPath;
    private final long maxRecordBytes;

    /** @param maxRecordBytes records longer than this are dead-lettered as {@code too-large} */
    public AuditRecordParser(long maxRecordBytes) {
        this(maxRecordBytes, true);
    }

    /** With {@code fastPath} false, every record goes through Jackson: the reference the fast path is tested against. */
    AuditRecordParser(long maxRecordBytes, boolean fastPath) {
        this.maxRecordBytes = maxRecordBytes;
        this.fastPath = fastPath ? new ByteRecordWalker() : null;
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(256).build())
                // Jackson's default since 2.16, stated because it matters: a location that quotes
                // the source would put up to 500 bytes of the record (a payload) into the detail.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
    }

    private Object readResolve() {
        return new AuditRecordParser(maxRecordBytes);
    }

    /**
     * Parses one record and hands every result (events and dead letters) to {@code out}.
     *
     * @param kafkaTimestamp the Kafka record timestamp, or {@code null} outside Kafka; it becomes
     *     {@code event.ingested} of raw audit events
     */
    public void parse(byte[] bytes, int offset, int length, RecordOrigin origin, Long kafkaTimestamp, Consumer<ParsedRecord> out) {
        if (length > maxRecordBytes) {
            // Only the head is kept: it is not valid JSON on its own, so it is cut before any payload.
            out.accept(ParsedRecord.of(DeadLetters.tooLarge(length, maxRecordBytes, origin,
                    bytes, offset, Math.min(length, DeadLetters.MAX_RECORD_BYTES))));
            return;
        }
        FieldValues top = new FieldValues();
        if (fastPath != null && fastPath.readRecord(bytes, offset, length, top)) {
            map(top, fastPath.items(), bytes, offset, length, origin, kafkaTimestamp, out);
            return;
        }
        top = new FieldValues();
        List<FieldValues> items;
        try (JsonParser p = json.createParser(bytes, offset, length)) {
            JsonToken t = p.nextToken();
            if (t != JsonToken.START_OBJECT) {
                throw new MalformedRecordException("record is not a JSON object");
            }
            items = AuditRecordWalker.readRecord(p, top);
            if (p.nextToken() != null) {
                throw new MalformedRecordException("trailing data after the JSON object");
            }
        } catch (MalformedRecordException e) {
            out.accept(malformed(e.getMessage(), origin, bytes, offset, length));
            return;
        } catch (StreamConstraintsException e) {
            out.accept(malformed("record exceeds parser limits: " + ParseErrorText.firstLine(e.getOriginalMessage()),
                    origin, bytes, offset, length));
            return;
        } catch (JsonParseException e) {
            out.accept(malformed("invalid JSON: " + ParseErrorText.jsonError(e, bytes, offset, length),
                    origin, bytes, offset, length));
            return;
        } catch (IOException e) {
            out.accept(malformed("unreadable record: " + ParseErrorText.ioError(e, bytes, offset, length),
                    origin, bytes, offset, length));
            return;
        }
        map(top, items, bytes, offset, length, origin, kafkaTimestamp, out);
    }

    /** The shape, decided from the values collected for both, and the mapping of that shape. */
    private static void map(FieldValues top, List<FieldValues> items, byte[] bytes, int offset, int length,
            RecordOrigin origin, Long kafkaTimestamp, Consumer<ParsedRecord> out) {
        String kind = top.single(AuditField.RAW_KIND);
        String apiVersion = top.single(AuditField.RAW_API_VERSION);
        boolean auditApi = apiVersion != null && apiVersion.startsWith("audit.k8s.io/");
        try {
            if (auditApi && "Event".equals(kind)) {
                out.accept(ParsedRecord.of(RawEventMapper.map(top, origin, kafkaTimestamp)));
                return;
            }
            if (auditApi && "EventList".equals(kind)) {
                if (items == null) {
                    throw new MalformedRecordException("EventList without an items array");
                }
                emitItems(items, bytes, offset, length, origin, kafkaTimestamp, out);
                return;
            }
            out.accept(ParsedRecord.of(EcsMapper.map(top, origin)));
        } catch (MalformedRecordException e) {
            out.accept(malformed(e.getMessage(), origin, bytes, offset, length));
        }
    }

    private static void emitItems(List<FieldValues> items, byte[] bytes, int offset, int length, RecordOrigin origin,
            Long kafkaTimestamp, Consumer<ParsedRecord> out) {
        for (int i = 0; i < items.size(); i++) {
            FieldValues item = items.get(i);
            try {
                if (item.error != null) {
                    throw new MalformedRecordException(item.error);
                }
                out.accept(ParsedRecord.of(RawEventMapper.map(item, origin, kafkaTimestamp)));
            } catch (MalformedRecordException e) {
                out.accept(ParsedRecord.of(DeadLetters.malformedItem("EventList item " + i + ": " + e.getMessage(),
                        origin, i, bytes, offset, length)));
            }
        }
    }

    private static ParsedRecord malformed(String detail, RecordOrigin origin, byte[] bytes, int offset, int length) {
        return ParsedRecord.of(DeadLetters.malformed(detail, origin, bytes, offset, length));
    }
}
