package io.secretrecon.pipeline;

import io.secretrecon.alert.Alert;
import io.secretrecon.detect.KeyStatus;
import io.secretrecon.detect.SecretTrail;
import io.secretrecon.detect.Sighting;
import io.secretrecon.detect.Tally;
import io.secretrecon.event.AuditEvent;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.event.ParsedRecord;
import io.secretrecon.event.RecordOrigin;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every type that crosses the network or lives in state is a Flink POJO serialized without Kryo:
 * fast, and its state can evolve (fields added or removed) across releases.
 */
class TypesTest {

    @ParameterizedTest
    @ValueSource(classes = {ParsedRecord.class, AuditEvent.class, DeadLetter.class, RecordOrigin.class,
            SecretGet.class, Fingerprint.class, Sighting.class, Tally.class, SecretTrail.class, KeyStatus.class,
            Alert.class})
    void isSerializedAsPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }
}
