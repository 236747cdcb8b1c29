package io.secretrecon.testutil;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A deliberately naive second implementation of SPEC §5, written from the text with plain lists
 * and no state tricks, as the oracle for the job's detector. Alerts come out as canonical strings
 * ({@link #canonical}) so that they compare whole.
 */
public final class ReferenceDetector {

    private ReferenceDetector() {}

    /** A kept event: one secret GET of one fingerprint. */
    public record Kept(String user, String username, String ip, String agent, String name, String namespace,
            String decision, String auditId, long time) {
        String fingerprint() {
            return user + "|" + username + "|" + ip + "|" + agent;
        }
    }

    /** Every alert of {@code windows} mode. */
    public static List<String> windows(List<Kept> events, long lookback, long slide, long offset, int threshold) {
        List<String> out = new ArrayList<>();
        for (List<Kept> group : byFingerprint(events).values()) {
            TreeSet<Long> windows = new TreeSet<>();
            for (Kept e : group) {
                for (long k = Math.floorDiv(e.time - offset, slide); k * slide + offset + lookback > e.time; k--) {
                    windows.add(k);
                }
            }
            for (long k : windows) {
                long start = k * slide + offset;
                long end = start + lookback;
                List<Kept> rows = group.stream().filter(e -> e.time >= start && e.time < end).collect(Collectors.toList());
                if (distinctNames(rows).size() >= threshold) {
                    out.add(canonical("windows", end, 1, start, end, rows));
                }
            }
        }
        out.sort(null);
        return out;
    }

    /** Every alert (every revision) of {@code continuous} mode. */
    public static List<String> continuous(List<Kept> events, long lookback, int threshold, long updateInterval) {
        List<String> out = new ArrayList<>();
        for (List<Kept> group : byFingerprint(events).values()) {
            group.sort(Comparator.comparingLong(Kept::time));
            List<Kept> applied = new ArrayList<>();
            List<Kept> episode = null;
            long lastEmission = 0;
            int revision = 0;
            boolean changed = false;
            Long due = null;
            Long lastEvent = null;
            int next = 0;
            while (true) {
                Long now = null;
                if (next < group.size()) {
                    now = group.get(next).time;
                }
                if (due != null && (now == null || due < now)) {
                    now = due;
                }
                if (lastEvent != null && (now == null || lastEvent + lookback < now)) {
                    now = lastEvent + lookback;
                }
                if (now == null) {
                    break;
                }
                List<Kept> atNow = new ArrayList<>();
                while (next < group.size() && group.get(next).time == now) {
                    atNow.add(group.get(next++));
                }
                if (!atNow.isEmpty()) {
                    lastEvent = now;
                    if (episode != null) {
                        for (Kept e : atNow) {
                            if (!distinctNames(episode).contains(e.name)) {
                                changed = true;
                            }
                            episode.add(e);
                        }
                        if (changed && due == null) {
                            due = Math.max(now, lastEmission + updateInterval);
                        }
                    } else {
                        applied.addAll(atNow);
                        long from = now - lookback;
                        long t = now;
                        List<Kept> window = applied.stream().filter(e -> e.time > from && e.time <= t).collect(Collectors.toList());
                        if (distinctNames(window).size() >= threshold) {
                            episode = new ArrayList<>(window);
                            revision = 1;
                            lastEmission = now;
                            changed = false;
                            out.add(canonical("continuous", now, revision, first(episode), last(episode), episode));
                        }
                    }
                }
                if (episode != null && due != null && due.longValue() == now) {
                    due = null;
                    if (changed) {
                        revision++;
                        lastEmission = now;
                        changed = false;
                        out.add(canonical("continuous", now, revision, first(episode), last(episode), episode));
                    }
                }
                if (lastEvent != null && lastEvent + lookback == now) {
                    if (episode != null && changed) {
                        revision++;
                        out.add(canonical("continuous", now, revision, first(episode), last(episode), episode));
                    }
                    episode = null;
                    due = null;
                    changed = false;
                    applied.clear();
                    lastEvent = null;
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static Map<String, List<Kept>> byFingerprint(List<Kept> events) {
        Map<String, List<Kept>> groups = new LinkedHashMap<>();
        for (Kept e : events) {
            groups.computeIfAbsent(e.fingerprint(), k -> new ArrayList<>()).add(e);
        }
        return groups;
    }

    private static TreeSet<String> distinctNames(List<Kept> rows) {
        return rows.stream().map(Kept::name).collect(Collectors.toCollection(TreeSet::new));
    }

    private static long first(List<Kept> rows) {
        return rows.stream().mapToLong(Kept::time).min().orElseThrow();
    }

    private static long last(List<Kept> rows) {
        return rows.stream().mapToLong(Kept::time).max().orElseThrow();
    }

    private static String canonical(String mode, long at, int revision, long windowStart, long windowEnd, List<Kept> rows) {
        Kept any = rows.get(0);
        List<String> auditIds = rows.stream().map(Kept::auditId).filter(Objects::nonNull).distinct().sorted()
                .limit(20).collect(Collectors.toList());
        return canonical(mode, at, any.user, any.username, any.ip, any.agent, distinctNames(rows).size(),
                List.copyOf(distinctNames(rows)), sortedDistinct(rows, Kept::namespace), sortedDistinct(rows, Kept::decision),
                revision, windowStart, windowEnd, first(rows), last(rows), rows.size(), auditIds);
    }

    private static List<String> sortedDistinct(List<Kept> rows, java.util.function.Function<Kept, String> f) {
        return rows.stream().map(f).filter(Objects::nonNull).distinct().sorted().collect(Collectors.toList());
    }

    /** The one text form in which expected and actual alerts are compared. */
    public static String canonical(String mode, long at, String user, String username, String ip, String agent,
            long unique, List<String> names, List<String> namespaces, List<String> outcomes, int revision,
            long windowStart, long windowEnd, long firstSeen, long lastSeen, long count, List<String> auditIds) {
        return String.join(" | ", mode, java.time.Instant.ofEpochMilli(at).toString(), user, username, ip,
                String.valueOf(agent), "unique=" + unique, "names=" + names, "ns=" + namespaces, "outcome=" + outcomes,
                "rev=" + revision, "window=" + windowStart + ".." + windowEnd, "seen=" + firstSeen + ".." + lastSeen,
                "count=" + count, "audit=" + auditIds);
    }
}
