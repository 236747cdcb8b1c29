package io.secretrecon.detect;

/**
 * Window arithmetic of {@code windows} mode: windows {@code [k*slide + offset, ... + lookback)}
 * for every integer k. An event at t belongs to every window with {@code start <= t < end}.
 */
final class HoppingWindows implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final long lookback;
    private final long slide;
    private final long offset;

    HoppingWindows(DetectorSettings s) {
        this.lookback = s.lookback();
        this.slide = s.slide();
        this.offset = s.offset();
    }

    long start(long k) {
        return k * slide + offset;
    }

    long end(long k) {
        return start(k) + lookback;
    }

    /** Index of the first window containing t (may exceed {@link #lastIndex} when t is in no window). */
    long firstIndex(long t) {
        return Math.floorDiv(t - offset - lookback, slide) + 1;
    }

    /** Index of the last window containing t. */
    long lastIndex(long t) {
        return Math.floorDiv(t - offset, slide);
    }

    /** Whether a window ends at {@code end}. */
    boolean isWindowEnd(long end) {
        return Math.floorMod(end - offset - lookback, slide) == 0;
    }

    /** Index of the window ending at {@code end} (see {@link #isWindowEnd}). */
    long indexEndingAt(long end) {
        return Math.floorDiv(end - offset - lookback, slide);
    }

    /**
     * The start of t's pane: the latest window boundary (start or end) at or before t. Events in
     * one pane belong to exactly the same windows, so they can share one bucket.
     */
    long paneStart(long t) {
        long lastStart = start(lastIndex(t));
        long lastEnd = end(firstIndex(t) - 1);
        return Math.max(lastStart, lastEnd);
    }
}
