package io.secretrecon.testutil;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

import java.io.PrintStream;
import java.lang.management.LockInfo;
import java.lang.management.ManagementFactory;
import java.lang.management.MonitorInfo;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeoutException;

/**
 * Prints the stacks of all threads to stderr when a test or lifecycle method fails with a
 * {@link TimeoutException} anywhere in its cause chain: JUnit's {@code @Timeout}, or a bounded
 * wait of the test itself. The test still fails with its own exception.
 *
 * <pre>{@code
 * @Timeout(value = 8, unit = TimeUnit.MINUTES, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
 * @ExtendWith(ThreadDumpOnTimeout.class)
 * class SomeITCase { ... }
 * }</pre>
 *
 * <p>With {@code SEPARATE_THREAD} the test runs in a thread of its own that JUnit abandons at the
 * time-out, so the dump shows where it still hangs (JUnit's {@code SAME_THREAD} mode interrupts
 * the test first, which unwinds the very stack one wants to see). Full stacks, with the locks
 * each thread holds and waits for: {@link ThreadInfo#toString()} would cut them at 8 frames.
 */
public final class ThreadDumpOnTimeout implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw dumpIfTimeout(context, failure);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw dumpIfTimeout(context, failure);
    }

    @Override
    public void handleBeforeEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw dumpIfTimeout(context, failure);
    }

    @Override
    public void handleAfterEachMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw dumpIfTimeout(context, failure);
    }

    @Override
    public void handleAfterAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw dumpIfTimeout(context, failure);
    }

    private static Throwable dumpIfTimeout(ExtensionContext context, Throwable failure) {
        if (isTimeout(failure)) {
            PrintStream err = System.err;
            err.println(threadDump(context.getDisplayName() + " (" + context.getUniqueId() + ") failed with " + failure));
            err.flush();
        }
        return failure;
    }

    private static boolean isTimeout(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Every live thread's full stack, monitors and locks, headed by {@code reason}. */
    public static String threadDump(String reason) {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        ThreadInfo[] infos = threads.dumpAllThreads(threads.isObjectMonitorUsageSupported(), threads.isSynchronizerUsageSupported());
        Arrays.sort(infos, Comparator.comparing(ThreadInfo::getThreadName));
        StringBuilder out = new StringBuilder();
        out.append("===== thread dump at ").append(Instant.now()).append(": ").append(reason).append('\n');
        for (ThreadInfo info : infos) {
            out.append('"').append(info.getThreadName()).append("\" #").append(info.getThreadId())
                    .append(info.isDaemon() ? " daemon" : "").append(' ').append(info.getThreadState());
            if (info.getLockName() != null) {
                out.append(" on ").append(info.getLockName());
            }
            if (info.getLockOwnerName() != null) {
                out.append(" owned by \"").append(info.getLockOwnerName()).append("\" #").append(info.getLockOwnerId());
            }
            out.append('\n');
            StackTraceElement[] stack = info.getStackTrace();
            for (int i = 0; i < stack.length; i++) {
                out.append("\tat ").append(stack[i]).append('\n');
                for (MonitorInfo monitor : info.getLockedMonitors()) {
                    if (monitor.getLockedStackDepth() == i) {
                        out.append("\t- locked ").append(monitor).append('\n');
                    }
                }
            }
            LockInfo[] synchronizers = info.getLockedSynchronizers();
            if (synchronizers.length > 0) {
                out.append("\tlocked synchronizers: ").append(Arrays.toString(synchronizers)).append('\n');
            }
            out.append('\n');
        }
        out.append("===== end of thread dump (").append(infos.length).append(" threads)\n");
        return out.toString();
    }
}
