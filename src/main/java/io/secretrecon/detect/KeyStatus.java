package io.secretrecon.detect;

/**
 * Per-fingerprint bookkeeping next to the MapState of secret names. Its presence means the
 * fingerprint has state; it is cleared with the rest once no window can use the key any more.
 */
public class KeyStatus {

    public static final long NONE = Long.MIN_VALUE;

    /** The detector has run its agenda through this event time. */
    public long processedThrough = NONE;
    /** Time of the last applied event, or NONE when no applied event is kept. */
    public long lastEventTime = NONE;
    /** Number of names in the MapState. */
    public int nameCount;

    // continuous mode: the open episode, if any
    public boolean episodeOpen;
    public long openedAt = NONE;
    public int revision;
    public long lastEmission = NONE;
    /** A name the last emitted revision did not have joined the episode. */
    public boolean changed;
    public long revisionDueAt = NONE;
    public Tally episode;

    /**
     * A name was not tracked because the fingerprint already had the most names it may hold: the
     * open episode's count is a lower bound ({@code continuous}).
     */
    public boolean namesDropped;
    /**
     * {@code windows}: the sightings of names that were not tracked (at the names bound), by
     * pane, so that windows still count their events and know their name count is a lower bound;
     * null when there are none.
     */
    public SecretTrail untracked;
    /**
     * {@code windows} with {@link InputOrder#SORTED_PER_KEY}: the first and last window that holds
     * an event of the key and has not been evaluated; {@code NONE} when there is none.
     */
    public long nextWindow = NONE;
    public long lastWindow = NONE;

    /**
     * {@code continuous} with early alerts: the opening times of the provisional alerts emitted
     * and not yet confirmed or withdrawn, ascending; null when there are none. At most
     * {@link ContinuousDetector#MAX_PROVISIONAL}.
     */
    public long[] provisional;

    /** Which incarnation of the operator counted this key in the active-fingerprints gauge. */
    public long gaugeEpoch;

    public KeyStatus() {}

    /** A copy that shares nothing mutable with this one. */
    KeyStatus copy() {
        KeyStatus c = new KeyStatus();
        c.processedThrough = processedThrough;
        c.lastEventTime = lastEventTime;
        c.nameCount = nameCount;
        c.episodeOpen = episodeOpen;
        c.openedAt = openedAt;
        c.revision = revision;
        c.lastEmission = lastEmission;
        c.changed = changed;
        c.revisionDueAt = revisionDueAt;
        c.episode = episode == null ? null : episode.copy();
        c.namesDropped = namesDropped;
        c.untracked = untracked == null ? null : untracked.copy();
        c.nextWindow = nextWindow;
        c.lastWindow = lastWindow;
        c.provisional = provisional == null ? null : provisional.clone();
        c.gaugeEpoch = gaugeEpoch;
        return c;
    }
}
