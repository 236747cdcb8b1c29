package io.secretrecon.bench;

import io.secretrecon.SecretReconJob;
import io.secretrecon.alert.Alert;
import io.secretrecon.config.JobSettings;
import io.secretrecon.detect.InputOrder;
import io.secretrecon.detect.SecretBurstDetector;
import io.secretrecon.event.DeadLetter;
import io.secretrecon.rule.Fingerprint;
import io.secretrecon.rule.SecretGet;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.apache.flink.util.OutputTag;

import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * State bytes per active fingerprint of the real {@link SecretBurstDetector}, measured directly:
 * the detector runs in Flink's keyed operator harness on the hashmap state backend (the job's),
 * fed the benchmark's kept events ({@code kept.tsv}: what reaches the detector) in time order
 * with the watermark 30 s behind, and is snapshotted, as a checkpoint would, every
 * {@code --every-min} minutes of event time. For each snapshot: the keyed state's serialized
 * size (MapState entries, status, timers: what a checkpoint or savepoint writes), the number of
 * fingerprints holding state (keys of {@code fingerprint-status-v1}), and the heap growth since
 * the start after a full GC (state objects plus the harness's collected alerts, an upper bound).
 *
 * <pre>StateSizeProbe --kept kept.tsv [--every-min 10] [--out-of-orderness-ms 30000] [--key value ...]</pre>
 *
 * Every other {@code --key value} is a job setting ({@code --detector.mode windows}, ...).
 */
public final class StateSizeProbe {

    private StateSizeProbe() {}

    public static void main(String[] args) throws Exception {
        Path keptFile = null;
        long everyMin = 10;
        long outOfOrderness = 30_000;
        List<String> jobArgs = new ArrayList<>(List.of("--source.path", "unused"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--kept": keptFile = Path.of(args[i + 1]); break;
                case "--every-min": everyMin = Long.parseLong(args[i + 1]); break;
                case "--out-of-orderness-ms": outOfOrderness = Long.parseLong(args[i + 1]); break;
                default: jobArgs.add(args[i]); jobArgs.add(args[i + 1]);
            }
        }
        JobSettings settings = SecretReconJob.loadSettings(jobArgs.toArray(new String[0]));
        List<SecretGet> events = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(keptFile, StandardCharsets.UTF_8)) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] f = line.split("\t", -1);
                SecretGet g = new SecretGet();
                g.userName = f[0];
                g.auditUserName = f[1];
                g.sourceIp = f[2];
                g.userAgent = f[3];
                g.secretName = f[4];
                g.namespaces = new String[] {f[5]};
                g.decisions = new String[] {f[6]};
                g.auditId = f[7];
                g.timestamp = Long.parseLong(f[8]);
                events.add(g);
            }
        }
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> harness =
                ProcessFunctionTestHarnesses.forKeyedProcessFunction(new SecretBurstDetector(settings.detector(),
                        InputOrder.WATERMARKED, new OutputTag<DeadLetter>("late") {}),
                        SecretGet::fingerprint, TypeInformation.of(Fingerprint.class));
        long heap0 = usedHeapAfterGc(memory);
        long every = everyMin * 60_000L;
        long next = events.isEmpty() ? Long.MAX_VALUE : events.get(0).timestamp + every;
        long watermark = Long.MIN_VALUE;
        long checkpoint = 0;
        long maxActive = 0;
        double sumBytes = 0;
        long sumActive = 0;
        long peakBytes = 0;
        long peakHeap = 0;
        System.out.println("event time                active  state bytes  bytes/fp  heap/fp");
        for (SecretGet e : events) {
            while (e.timestamp >= next) {
                long ts = next;
                next += every;
                long active = activeFingerprints(harness);
                if (active == 0) {
                    continue;
                }
                OperatorSubtaskState snapshot = harness.snapshot(++checkpoint, ts);
                long bytes = 0;
                for (KeyedStateHandle h : snapshot.getManagedKeyedState()) {
                    bytes += h.getStateSize();
                }
                long heap = usedHeapAfterGc(memory) - heap0;
                System.out.printf(Locale.ROOT, "%s  %6d  %11d  %8.0f  %7.0f%n", java.time.Instant.ofEpochMilli(ts), active,
                        bytes, (double) bytes / active, (double) heap / active);
                sumBytes += bytes;
                sumActive += active;
                if (active > maxActive) {
                    maxActive = active;
                    peakBytes = bytes;
                    peakHeap = heap;
                }
            }
            harness.processElement(new StreamRecord<>(e, e.timestamp));
            long w = e.timestamp - outOfOrderness - 1;
            if (w > watermark + 1000) {
                watermark = w;
                harness.processWatermark(w);
            }
        }
        harness.processWatermark(Long.MAX_VALUE);
        long left = activeFingerprints(harness);
        int alerts = harness.extractOutputValues().size();
        harness.close();
        System.out.printf(Locale.ROOT, "bench: state: mean %.0f bytes per active fingerprint over %d snapshots"
                        + " (peak %d active: %d bytes, %.0f bytes/fp serialized, %.0f bytes/fp heap); %d alerts;"
                        + " %d fingerprints with state after the end of input%n",
                sumActive == 0 ? 0 : sumBytes / sumActive, checkpoint, maxActive, peakBytes,
                maxActive == 0 ? 0 : (double) peakBytes / maxActive, maxActive == 0 ? 0 : (double) peakHeap / maxActive,
                alerts, left);
    }

    private static long activeFingerprints(KeyedOneInputStreamOperatorTestHarness<Fingerprint, SecretGet, Alert> harness) {
        KeyedStateBackend<Fingerprint> backend = ((AbstractStreamOperator<?>) harness.getOperator()).getKeyedStateBackend();
        try (var keys = backend.getKeys(SecretBurstDetector.STATUS_STATE, VoidNamespace.INSTANCE)) {
            return keys.count();
        }
    }

    private static long usedHeapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(20);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
