package io.secretrecon.tools;

import io.secretrecon.event.EventTimes;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;

/**
 * Writes the heaviest single-key replay: one service account (one fingerprint) making millions of
 * secret GETs over weeks, as raw audit events in time order, streamed (the generator holds no
 * event list). GETs come about once a second from a pool of secret names, with a quiet pause now
 * and then, so episodes open, run for hours and close. Used to check that a BATCH replay of such a
 * key runs in a small heap (README, "Bounds").
 *
 * <pre>
 * ServiceAccountReplay --output FILE [--events 2000000] [--days 23] [--names 64] [--pauses 200]
 *                      [--seed 1] [--start 2026-10-01T00:00:00Z] [--gzip false]
 * </pre>
 */
public final class ServiceAccountReplay {

    private static final String USER = "system:serviceaccount:ci:release-bot";
    private static final String IP = "10.0.9.9";
    private static final String AGENT = "release-bot/1.4.2 (linux/amd64)";
    private static final String[] NAMESPACES = {"ci", "payments", "web", "data"};
    private static final long PAUSE = 30 * 60_000L;

    private ServiceAccountReplay() {}

    public static void main(String[] args) throws IOException {
        String output = null;
        long events = 2_000_000;
        double days = 23;
        int names = 64;
        int pauses = 200;
        long seed = 1;
        long start = EventTimes.parse("2026-10-01T00:00:00Z");
        boolean gzip = false;
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--output": output = v; break;
                case "--events": events = Long.parseLong(v); break;
                case "--days": days = Double.parseDouble(v); break;
                case "--names": names = Integer.parseInt(v); break;
                case "--pauses": pauses = Integer.parseInt(v); break;
                case "--seed": seed = Long.parseLong(v); break;
                case "--start": start = EventTimes.parse(v); break;
                case "--gzip": gzip = Boolean.parseBoolean(v); break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (output == null) {
            throw new IllegalArgumentException("--output is required");
        }
        long span = (long) (days * 86_400_000L);
        double meanGap = Math.max(1, (span - (double) pauses * PAUSE) / events);
        double pauseChance = (double) pauses / events;
        Random random = new Random(seed);
        Path path = Path.of(output);
        if (path.getParent() != null) {
            Files.createDirectories(path.getParent());
        }
        long t = start;
        try (OutputStream raw = Files.newOutputStream(path);
                OutputStream out = gzip ? new GZIPOutputStream(raw, 1 << 16) : raw;
                Writer w = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16)) {
            for (long i = 0; i < events; i++) {
                t += random.nextDouble() < pauseChance ? PAUSE : 1 + (long) (-Math.log(1 - random.nextDouble()) * meanGap);
                WorkloadGenerator.Event e = new WorkloadGenerator.Event();
                e.received = t;
                e.verb = "get";
                e.user = USER;
                e.sourceIps = List.of(IP);
                e.userAgent = AGENT;
                e.resource = "secrets";
                e.namespace = NAMESPACES[random.nextInt(NAMESPACES.length)];
                e.name = "app-secret-" + random.nextInt(names);
                e.auditId = new UUID(random.nextLong(), random.nextLong()).toString();
                if (random.nextInt(50) == 0) {
                    e.decision = "forbid";
                    e.code = 403;
                }
                w.write(WorkloadGenerator.raw(e));
                w.write('\n');
            }
        }
        System.err.println("wrote " + events + " audit events of one service account, "
                + EventTimes.format(start) + " to " + EventTimes.format(t) + ", to " + output);
    }
}
