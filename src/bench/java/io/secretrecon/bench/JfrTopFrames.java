package io.secretrecon.bench;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Aggregates the CPU samples ({@code jdk.ExecutionSample}) of a JFR recording: the top methods
 * by self samples (the frame on top of the stack) and by total samples (anywhere in the
 * stack), the samples per thread (Flink task threads are named after their operator chain), and
 * the samples per cost centre: the first frame from the top of the stack that is not the JDK's,
 * classified by package and method (so a String that Jackson builds counts as Jackson's value
 * decoding, and a {@code String.startsWith} of the rule as the rule's). JFR samples only threads
 * running Java code: GC and JIT compiler threads are not in it (the benchmark's per-thread CPU
 * figures are).
 *
 * <pre>JfrTopFrames recording.jfr [top=25]</pre>
 */
public final class JfrTopFrames {

    /**
     * Cost centres, tried in order on the first frame that is not the JDK's (java.*, jdk.*, sun.*:
     * a String built by Jackson counts as Jackson's), except that file reads count as file I/O.
     */
    private static final Map<String, Pattern> CENTRES = new LinkedHashMap<>();
    private static final Pattern FILE_IO = Pattern.compile(
            "^(java\\.io\\.(FileInputStream|RandomAccessFile)|sun\\.nio\\.ch\\.|java\\.util\\.zip\\.)");
    private static final Pattern JDK = Pattern.compile("^(java|jdk|sun)\\.");

    static {
        String jackson = "^com\\.fasterxml\\.jackson\\.core\\.";
        CENTRES.put("parser: timestamps (EventTimes)", Pattern.compile("^io\\.secretrecon\\.event\\.EventTimes\\."));
        CENTRES.put("parser: IP canonicalisation", Pattern.compile("^io\\.secretrecon\\.event\\.IpAddresses\\."));
        CENTRES.put("parser: field names (Jackson name decoding, symbol table)", Pattern.compile(jackson
                + "(json\\.UTF8StreamJsonParser\\.(_parseName|parseName|parseMediumName\\d?|parseLongName|_parseLongName|findName"
                + "|addName|parseEscapedName|_handleOddName|slowParseName)|sym\\.|json\\.JsonReadContext\\.setCurrentName)"));
        CENTRES.put("parser: value Strings (UTF-8 decoding, String creation)", Pattern.compile(jackson
                + "(json\\.UTF8StreamJsonParser\\.(getText|getValueAsString|_finishString\\d?|_finishAndReturnString|_decodeCharForError)"
                + "|util\\.TextBuffer|util\\.BufferRecycler)"));
        CENTRES.put("parser: numbers (Jackson)", Pattern.compile(jackson
                + "(json\\.UTF8StreamJsonParser\\.(_parseUnsignedNumber|_parsePosNumber|_parseNegNumber|_parseFloat|_verifyRootSpace)"
                + "|base\\.ParserBase\\.(getNumberType|getLongValue|_parseNumericValue|resetInt|reset))"));
        CENTRES.put("parser: Jackson tokenizing, skipping, parser set-up", Pattern.compile(jackson));
        CENTRES.put("parser: walk, field matching, ECS mapping (AuditRecordParser)", Pattern.compile("^io\\.secretrecon\\.event\\."));
        CENTRES.put("line reader, batch (io.LineReader, AuditFileFormat)", Pattern.compile("^io\\.secretrecon\\.io\\."));
        CENTRES.put("rule filter, fingerprint", Pattern.compile("^io\\.secretrecon\\.(rule|pipeline)\\."));
        CENTRES.put("detector, alerts", Pattern.compile("^io\\.secretrecon\\.(detect|alert)\\."));
        CENTRES.put("BATCH sort (sorter, key comparison)", Pattern.compile(
                "^org\\.apache\\.flink\\.(runtime\\.operators\\.sort|streaming\\.api\\.operators\\.sort)\\."));
        CENTRES.put("serialization (type serializers, memory views)", Pattern.compile(
                "^org\\.apache\\.flink\\.(api\\.common\\.typeutils|api\\.java\\.typeutils\\.runtime|core\\.memory|types\\."
                + "|runtime\\.memory|runtime\\.io\\.network\\.api\\.serialization|runtime\\.state)"));
        CENTRES.put("Flink network, record writer, mailbox", Pattern.compile(
                "^org\\.apache\\.flink\\.(runtime\\.io\\.network|streaming\\.runtime\\.(io|tasks))\\."));
        CENTRES.put("watermarks, timers", Pattern.compile(
                "^org\\.apache\\.flink\\.(streaming\\.runtime\\.operators\\.TimestampsAndWatermarks|api\\.common\\.eventtime"
                + "|streaming\\.api\\.operators\\.InternalTimerServiceImpl|streaming\\.runtime\\.watermarkstatus)"));
        CENTRES.put("Flink source reader framework (fetcher hand-over)", Pattern.compile(
                "^org\\.apache\\.flink\\.connector\\.(base|file)\\."));
        CENTRES.put("Flink/Pekko control plane, start-up", Pattern.compile(
                "^(org\\.apache\\.pekko|org\\.apache\\.flink|scala\\.|com\\.typesafe|org\\.apache\\.logging)"));
    }

    private JfrTopFrames() {}

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Long> threads = new HashMap<>();
        Map<String, Long> centres = new HashMap<>();
        long samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            samples++;
            RecordedThread t = e.getThread("sampledThread");
            threads.merge(threadGroup(t == null ? "?" : t.getJavaName()), 1L, Long::sum);
            RecordedStackTrace st = e.getStackTrace();
            List<RecordedFrame> frames = st == null ? List.of() : st.getFrames();
            if (frames.isEmpty()) {
                centres.merge("no Java frame", 1L, Long::sum);
                continue;
            }
            self.merge(name(frames.get(0)), 1L, Long::sum);
            Set<String> seen = new HashSet<>();
            for (RecordedFrame f : frames) {
                String n = name(f);
                if (seen.add(n)) {
                    total.merge(n, 1L, Long::sum);
                }
            }
            centres.merge(centre(frames), 1L, Long::sum);
        }
        System.out.printf(Locale.ROOT, "%,d execution samples in %s%n", samples, file.getFileName());
        print("by thread", threads, samples, top);
        print("by cost centre (first match from the top of the stack)", centres, samples, top);
        print("top frames by self samples", self, samples, top);
        print("top frames by total samples (in the stack)", total, samples, top);
    }

    private static String centre(List<RecordedFrame> frames) {
        if (FILE_IO.matcher(name(frames.get(0))).find()) {
            return "file I/O";
        }
        for (RecordedFrame f : frames) {
            String n = name(f);
            if (JDK.matcher(n).find()) {
                continue;
            }
            for (Map.Entry<String, Pattern> c : CENTRES.entrySet()) {
                if (c.getValue().matcher(n).find()) {
                    return c.getKey();
                }
            }
            return "other: " + n.replaceAll("\\.[^.]*\\.[^.]*$", "");
        }
        return "JDK only: " + name(frames.get(0)).replaceAll("\\.[^.]*$", "");
    }

    private static String threadGroup(String thread) {
        // "Source: Audit events -> Secret GET rule filter (1/2)#0" -> without the subtask
        return thread.replaceAll(" \\(\\d+/\\d+\\)(#\\d+)?$", "").replaceAll("-\\d+$", "-N").replaceAll("#\\d+", "");
    }

    private static String name(RecordedFrame f) {
        if (f.getMethod() == null) {
            return "?";
        }
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static void print(String title, Map<String, Long> counts, long samples, int top) {
        System.out.println();
        System.out.println(title + ":");
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(top)
                .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f%%  %7d  %s%n", 100.0 * e.getValue() / samples,
                        e.getValue(), e.getKey()));
    }
}
