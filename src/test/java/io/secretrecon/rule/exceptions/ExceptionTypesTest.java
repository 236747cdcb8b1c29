package io.secretrecon.rule.exceptions;

import org.apache.flink.types.PojoTestUtils;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The control stream's records and the broadcast state's entries are Flink POJOs serialized
 * without Kryo, so that the state {@code rule-exceptions-v1} can evolve across releases.
 */
class ExceptionTypesTest {

    @ParameterizedTest
    @ValueSource(classes = {ExceptionEntry.class, ExceptionRecord.class})
    void isSerializedAsPojoWithoutKryo(Class<?> type) {
        PojoTestUtils.assertSerializedAsPojoWithoutKryo(type);
    }
}
