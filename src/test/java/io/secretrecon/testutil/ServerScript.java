package io.secretrecon.testutil;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One of the project's server scripts ({@code scripts/kafka.sh}, {@code scripts/elasticsearch.sh})
 * as a test extension drives it: each command runs to its end within a time-out, with its output
 * appended to {@code <dir>/<name>-sh.log}; a failure's message carries the tails of that log and
 * of the server's own; a shutdown hook stops the server if the JVM exits while it runs.
 */
final class ServerScript {

    private static final int LOG_TAIL_LINES = 60;

    private final Path repoDir;
    private final String name;
    private final Path dir;
    private final Map<String, String> env;
    private final String what;
    private final Path serverLog;
    private Thread shutdownHook;

    /**
     * @param name the script's name without {@code .sh}
     * @param env the environment that points the script at this server (ports, directory)
     * @param what the server, for messages ("broker on 127.0.0.1:9092")
     * @param serverLog the server's own log, relative to {@code dir}
     */
    ServerScript(Path repoDir, String name, Path dir, Map<String, String> env, String what, String serverLog) {
        this.repoDir = repoDir;
        this.name = name;
        this.dir = dir;
        this.env = Map.copyOf(env);
        this.what = what;
        this.serverLog = dir.resolve(serverLog);
    }

    /** Runs {@code scripts/<name>.sh command}; fails with the logs' tails if it fails or overruns. */
    void run(String command, long timeoutSeconds) throws IOException, InterruptedException {
        Path scriptLog = scriptLog();
        Files.writeString(scriptLog, "\n$ scripts/" + name + ".sh " + command + "\n", StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder builder = new ProcessBuilder("bash", repoDir.resolve("scripts/" + name + ".sh").toString(), command)
                .directory(repoDir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(scriptLog.toFile()));
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IOException(failure("scripts/" + name + ".sh " + command + " did not finish within " + timeoutSeconds + " s"));
        }
        if (process.exitValue() != 0) {
            throw new IOException(failure("scripts/" + name + ".sh " + command + " failed with exit code " + process.exitValue()
                    + " after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms"));
        }
    }

    /** The last lines of the server's log and of the script's. */
    String logTails() {
        return tail(serverLog) + tail(scriptLog());
    }

    private Path scriptLog() {
        return dir.resolve(name + "-sh.log");
    }

    private String failure(String headline) {
        return headline + " (" + what + ", dir " + dir + ")\n"
                + "--- " + scriptLog().getFileName() + " (tail) ---\n" + tail(scriptLog())
                + "--- " + dir.relativize(serverLog) + " (tail) ---\n" + tail(serverLog);
    }

    private static String tail(Path file) {
        try {
            if (!Files.exists(file)) {
                return "(no " + file.getFileName() + ")\n";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            StringBuilder out = new StringBuilder();
            for (String line : lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size())) {
                out.append(line).append('\n');
            }
            return out.toString();
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")\n";
        }
    }

    /** From now on a JVM that exits while {@code running} says so runs {@code stop} first. */
    synchronized void stopOnExit(BooleanSupplier running, long stopTimeoutSeconds) {
        if (shutdownHook != null) {
            return;
        }
        shutdownHook = new Thread(() -> {
            if (running.getAsBoolean()) {
                try {
                    run("stop", stopTimeoutSeconds);
                } catch (Exception ignored) {
                    // best effort while the JVM exits
                }
            }
        }, name + "-stop-" + dir.getFileName());
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Undoes {@link #stopOnExit}: the server was stopped. */
    synchronized void noStopOnExit() {
        if (shutdownHook == null) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook is running or has run
        }
        shutdownHook = null;
    }

    /** The repository's root: the first of the working directory and its parents that holds {@code scripts/<name>.sh}. */
    static Path findRepoDir(String name) {
        Path cwd = Path.of("").toAbsolutePath();
        for (Path d = cwd; d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve("scripts/" + name + ".sh"))) {
                return d;
            }
        }
        throw new IllegalStateException("scripts/" + name + ".sh not found in " + cwd + " or its parents");
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path p : paths) {
            Files.deleteIfExists(p);
        }
    }
}
