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
 * the samples per cost centre, a frame-pattern classification of where the time goes (first
 * matching rule from the top of the stack, so "parse" is the whole parse below the job's parser).
 *
 * <pre>JfrTopFrames recording.jfr [top=25]</pre>
 */
public final class JfrTopFrames {

    /** Cost centres: the first rule that matches a frame, walking the stack from the top, wins. */
    private static final Map<String, Pattern> CENTRES = new LinkedHashMap<>();

    static {
        CENTRES.put("timestamps (EventTimes)", Pattern.compile("^io\\.secretrecon\\.event\\.EventTimes\\."));
        CENTRES.put("IP canonicalisation", Pattern.compile("^io\\.secretrecon\\.event\\.IpAddresses\\."));
        CENTRES.put("parser: String creation / UTF-8 decoding", Pattern.compile(
                "^(java\\.lang\\.String(Latin1|UTF16|Coding)?\\.|java\\.lang\\.StringConcatHelper|com\\.fasterxml\\.jackson\\.core\\.(json\\.UTF8StreamJsonParser\\.(getText|_finishString|_finishAndReturnString|_parseName|parseEscapedName|parseMediumName|parseLongName|findName|addName|_parseLongName|parseName)|sym\\.ByteQuadsCanonicalizer|util\\.TextBuffer|util\\.InternCache))"));
        CENTRES.put("parser: Jackson tokenizing / skipping", Pattern.compile("^com\\.fasterxml\\.jackson\\.core\\."));
        CENTRES.put("parser: field matching, ECS mapping", Pattern.compile("^io\\.secretrecon\\.event\\."));
        CENTRES.put("line reader", Pattern.compile("^io\\.secretrecon\\.io\\.(LineReader|AuditFileFormat)"));
        CENTRES.put("rule filter, fingerprint", Pattern.compile("^io\\.secretrecon\\.(rule|pipeline\\.SecretGetFilter)"));
        CENTRES.put("detector, alerts", Pattern.compile("^io\\.secretrecon\\.(detect|alert)\\."));
        CENTRES.put("BATCH sort (external sorter)", Pattern.compile(
                "^org\\.apache\\.flink\\.(runtime\\.operators\\.sort|streaming\\.api\\.operators\\.sort)\\."));
        CENTRES.put("serialization (type serializers)", Pattern.compile(
                "^org\\.apache\\.flink\\.(api\\.common\\.typeutils|api\\.java\\.typeutils\\.runtime|core\\.memory|runtime\\.io\\.network\\.api\\.serialization|runtime\\.state)"));
        CENTRES.put("Flink network / record writer", Pattern.compile("^org\\.apache\\.flink\\.runtime\\.io\\.network\\."));
        CENTRES.put("watermarks, timers", Pattern.compile(
                "^org\\.apache\\.flink\\.(streaming\\.runtime\\.operators\\.TimestampsAndWatermarks|api\\.common\\.eventtime|streaming\\.api\\.operators\\.InternalTimerServiceImpl|streaming\\.runtime\\.watermarkstatus)"));
        CENTRES.put("file I/O", Pattern.compile("^(java\\.io\\.|sun\\.nio\\.ch\\.|java\\.util\\.zip\\.|org\\.apache\\.flink\\.core\\.fs\\.)"));
        CENTRES.put("GC / JIT / VM (no Java frame)", Pattern.compile("^$"));
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
                centres.merge("GC / JIT / VM (no Java frame)", 1L, Long::sum);
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
        for (RecordedFrame f : frames) {
            String n = name(f);
            for (Map.Entry<String, Pattern> c : CENTRES.entrySet()) {
                if (c.getValue().matcher(n).find() && !n.isEmpty()) {
                    return c.getKey();
                }
            }
        }
        return "other: " + name(frames.get(0)).replaceAll("\\.[^.]*\\.[^.]*$", "");
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
