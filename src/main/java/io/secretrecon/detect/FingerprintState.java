package io.secretrecon.detect;

import io.secretrecon.alert.Alert;

import java.util.Map;

/**
 * The keyed state and timer service of one fingerprint, as the detector logic sees it. The Flink
 * function implements it over MapState/ValueState and the timer service; nothing else here knows
 * about Flink.
 */
public interface FingerprintState {

    /** Null when the key has no state. */
    KeyStatus status();

    /** Stores the status; null clears it. */
    void status(KeyStatus status);

    SecretTrail trail(String secretName);

    boolean hasTrail(String secretName);

    void putTrail(String secretName, SecretTrail trail);

    void removeTrail(String secretName);

    Iterable<Map.Entry<String, SecretTrail>> trails();

    Iterable<String> secretNames();

    void clearTrails();

    Sighting[] pending(long time);

    void putPending(long time, Sighting[] sightings);

    void removePending(long time);

    Iterable<Long> pendingTimes();

    boolean hasPending();

    void registerTimer(long time);

    void deleteTimer(long time);

    void emit(Alert alert);
}
