package io.secretrecon.detect;

import io.secretrecon.alert.Alert;

import java.util.Map;

/**
 * The keyed state and timer service of one fingerprint, as the detector logic sees it. The Flink
 * function implements it over MapState/ValueState and the timer service; nothing else here knows
 * about Flink. State access may throw what Flink's state backends throw.
 */
public interface FingerprintState {

    /** Null when the key has no state. */
    KeyStatus status() throws Exception;

    /** Stores the status; null clears it. */
    void status(KeyStatus status) throws Exception;

    SecretTrail trail(String secretName) throws Exception;

    boolean hasTrail(String secretName) throws Exception;

    void putTrail(String secretName, SecretTrail trail) throws Exception;

    void removeTrail(String secretName) throws Exception;

    Iterable<Map.Entry<String, SecretTrail>> trails() throws Exception;

    Iterable<String> secretNames() throws Exception;

    void clearTrails() throws Exception;

    Sighting[] pending(long time) throws Exception;

    void putPending(long time, Sighting[] sightings) throws Exception;

    void removePending(long time) throws Exception;

    Iterable<Long> pendingTimes() throws Exception;

    boolean hasPending() throws Exception;

    void registerTimer(long time);

    void deleteTimer(long time);

    void emit(Alert alert);
}
