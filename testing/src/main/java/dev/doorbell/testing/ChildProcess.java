package dev.doorbell.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;

/**
 * A real JVM running one of the project's main classes with the test's class path, its output collected, signalled
 * with kill(1) as a terminal or a supervisor would. A JVM leaves a signal that was ignored when it started ignored
 * (a background job's SIGINT): such a signal is reset to its default for the child first, through perl, which
 * Debian always has.
 */
public final class ChildProcess implements AutoCloseable {
    /** The JVM options of {@link #java(String, List)}: quick to start, room for a fleet. */
    public static final List<String> JVM_OPTIONS = List.of("-XX:TieredStopAtLevel=1", "-Xmx512m");

    private static final int SIGINT_MASK = 1 << (2 - 1);

    private final Process process;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<Thread> readers = new ArrayList<>();

    private ChildProcess(Process process) {
        this.process = process;
        readers.add(drain(process.getInputStream(), out, "child-stdout"));
        readers.add(drain(process.getErrorStream(), err, "child-stderr"));
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM with this JVM's class path and {@link #JVM_OPTIONS}. */
    public static ChildProcess java(String mainClass, List<String> args) throws IOException {
        return java(JVM_OPTIONS, mainClass, args);
    }

    /** Starts {@code mainClass} with {@code args} in a new JVM with this JVM's class path and {@code jvmOptions}. */
    public static ChildProcess java(List<String> jvmOptions, String mainClass, List<String> args) throws IOException {
        return java(jvmOptions, Map.of(), mainClass, args);
    }

    /** As {@link #java(List, String, List)}, with {@code environment} added to this JVM's environment. */
    public static ChildProcess java(
            List<String> jvmOptions, Map<String, String> environment, String mainClass, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        if (sigintIgnored()) {
            command.addAll(List.of("perl", "-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\""));
        }
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(environment);
        return new ChildProcess(builder.start());
    }

    private static boolean sigintIgnored() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseLong(line.substring("SigIgn:".length()).trim(), 16) & SIGINT_MASK) != 0;
            }
        }
        return false;
    }

    private static Thread drain(InputStream in, ByteArrayOutputStream to, String name) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            synchronized (to) {
                                to.write(buffer, 0, n);
                            }
                        }
                    } catch (IOException e) {
                        // The child is gone: what it wrote is kept.
                    }
                },
                name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    public long pid() {
        return process.pid();
    }

    public String out() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    public String err() {
        synchronized (err) {
            return err.toString(StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits until stdout matches {@code regex} (anywhere, {@code find}); fails with the output so far at the deadline,
     * or as soon as the child has exited without writing it.
     */
    public void awaitOutput(String regex, Duration timeout) {
        Pattern pattern = Pattern.compile(regex);
        try {
            Waits.await("stdout matching " + regex, timeout)
                    .failFast(
                            "the child exited without writing stdout matching " + regex,
                            () -> !process.isAlive() && !pattern.matcher(out()).find())
                    .until(() -> pattern.matcher(out()).find());
        } catch (ConditionTimeoutException | TerminalFailureException e) {
            throw new AssertionError(
                    e.getMessage() + " (alive: " + process.isAlive() + ")\nstdout:\n" + out() + "\nstderr:\n" + err(),
                    e);
        }
    }

    /** Sends {@code signal} (INT, TERM, STOP, CONT) with kill(1). */
    public void signal(String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .inheritIO()
                .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed");
        }
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The exit status; fails with the output when the child is still running at the deadline. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(
                    "still running after " + timeout.toSeconds() + " s\nstdout:\n" + out() + "\nstderr:\n" + err());
        }
        // What the child wrote last is the readers' until they reach the end of its output.
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(5));
        }
        return process.exitValue();
    }

    /** Kills the child if it still runs (SIGKILL) and waits for its end, so that what it held is free again. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
