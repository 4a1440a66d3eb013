package dev.doorbell.fleet.faults;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A real uplink JVM ({@code serve}) on a store directory and a TLS directory, in a process of its own so that its
 * CPU, heap and GC are its own, always on the same loopback port so that devices reconnect to the same address after
 * a restart. It runs from the uplink's jar (the benchmarks) or from the test class path (the fault tests, with
 * quick-start JVM options: the crash test restarts it twenty times and more). {@link #kill()} is SIGKILL: no
 * shutdown hook, no flush, no goodbye; {@link #close()} stops it gracefully. Each start appends its output to one log
 * file, so that a failing test or a benchmark can show what happened.
 */
public final class UplinkProcess implements AutoCloseable {
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    /** Quick start-up matters more than peak speed: the crash test restarts this JVM twenty times and more. */
    private static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

    private static final String UPLINK_MAIN = "dev.doorbell.uplink.cli.UplinkCli";

    private final List<String> java;
    private final Path dataDir;
    private final Path tlsDir;
    private final int port;
    private final Path portFile;
    private final Path logFile;
    private final List<String> extraArgs;
    private Process process;
    private int starts;

    /** From this JVM's class path, with quick-start JVM options; {@code extraArgs} follow serve's own. */
    public UplinkProcess(Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs) throws IOException {
        this(dataDir, tlsDir, workDir, extraArgs, QUICK_START);
    }

    /** From this JVM's class path with the given JVM options (for example those of scripts/uplink). */
    public UplinkProcess(Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs, List<String> jvmOptions)
            throws IOException {
        this(
                launcher(jvmOptions, List.of("-cp", System.getProperty("java.class.path"), UPLINK_MAIN)),
                dataDir,
                tlsDir,
                workDir,
                extraArgs);
    }

    private UplinkProcess(List<String> java, Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs)
            throws IOException {
        this.java = List.copyOf(java);
        this.dataDir = dataDir;
        this.tlsDir = tlsDir;
        this.port = freePort();
        this.portFile = workDir.resolve("uplink.port");
        this.logFile = workDir.resolve("uplink.log");
        this.extraArgs = List.copyOf(extraArgs);
        Files.createDirectories(workDir);
    }

    /** From the uplink's runnable jar ({@code java OPTIONS -jar JAR}), as scripts/uplink runs it; not started yet. */
    public static UplinkProcess fromJar(
            Path uplinkJar, List<String> jvmOptions, Path dataDir, Path tlsDir, Path workDir) throws IOException {
        return new UplinkProcess(
                launcher(jvmOptions, List.of("-jar", uplinkJar.toString())), dataDir, tlsDir, workDir, List.of());
    }

    /** The same with {@code extraArgs} after serve's own (for example {@code --metrics HOST:PORT}). */
    public static UplinkProcess fromJar(
            Path uplinkJar, List<String> jvmOptions, Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs)
            throws IOException {
        return new UplinkProcess(
                launcher(jvmOptions, List.of("-jar", uplinkJar.toString())), dataDir, tlsDir, workDir, extraArgs);
    }

    /**
     * Runs the store alone ({@code dev.doorbell.uplink.store.StoreThroughput}) in its own JVM from the uplink jar and
     * returns its result line, or a line saying why there is none.
     */
    public static String storeAlone(
            Path uplinkJar, List<String> jvmOptions, Path data, long seconds, int threads, int devices, int inflight)
            throws IOException, InterruptedException {
        List<String> command = launcher(
                jvmOptions,
                List.of(
                        "-Ddoorbell.log.level=WARN",
                        "-cp",
                        uplinkJar.toString(),
                        "dev.doorbell.uplink.store.StoreThroughput",
                        data.toString(),
                        Long.toString(seconds),
                        Integer.toString(threads),
                        Integer.toString(devices),
                        Integer.toString(inflight)));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(seconds + 120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "store-alone timed out";
        }
        return output.lines()
                .filter(l -> l.startsWith("store-alone "))
                .findFirst()
                .orElse("store-alone failed (exit " + p.exitValue() + "): " + output.strip());
    }

    public int port() {
        return port;
    }

    public Path logFile() {
        return logFile;
    }

    /** How many times it was started. */
    public int starts() {
        return starts;
    }

    /** The process id of the running uplink. */
    public long pid() {
        if (process == null || !process.isAlive()) {
            throw new IllegalStateException("uplink not running");
        }
        return process.pid();
    }

    /** Starts the uplink and returns once it listens (its port file appeared); fails if it exits first. */
    public void start() throws IOException {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("uplink already running, pid " + process.pid());
        }
        Files.deleteIfExists(portFile);
        List<String> command = command(
                "serve",
                "--data",
                dataDir.toString(),
                "--tls",
                tlsDir.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port),
                "--port-file",
                portFile.toString());
        command.addAll(extraArgs);
        Files.writeString(
                logFile,
                "---- start " + (starts + 1) + "\n",
                StandardCharsets.UTF_8,
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                .start();
        starts++;
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (!Files.exists(portFile)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "uplink exited with " + process.exitValue() + " before listening; log:\n" + tail());
            }
            if (System.nanoTime() > deadline) {
                kill();
                throw new IllegalStateException(
                        "uplink did not listen within " + READY_TIMEOUT.toSeconds() + " s; log:\n" + tail());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    /** What a command of the uplink that runs to its end printed, and its exit status. */
    public record Run(int exit, String stdout, String stderr) {}

    /**
     * Runs {@code doorbell-uplink ARGS} (serve on this uplink's port, fsck, ...) as its own process to its end, within
     * {@code timeout}; a process still running then is killed and reported as exit -1.
     */
    public Run run(Duration timeout, String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile(logFile.getParent(), "run-", ".out");
        Path err = Files.createTempFile(logFile.getParent(), "run-", ".err");
        Process run = new ProcessBuilder(command(args))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        int exit = -1;
        if (run.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            exit = run.exitValue();
        } else {
            run.destroyForcibly().waitFor();
        }
        return new Run(exit, Files.readString(out), Files.readString(err));
    }

    /** Serve's arguments of this uplink (its store, TLS, port), for {@link #run}. */
    public List<String> serveArgs() {
        return List.of(
                "serve",
                "--data",
                dataDir.toString(),
                "--tls",
                tlsDir.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                Integer.toString(port));
    }

    /** SIGKILL, and waits until the process is gone (so its port is free and its files are no longer written). */
    public void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(20));
    }

    /** SIGTERM: the graceful stop of {@code serve}; returns the exit code. */
    public int stop() {
        return stop("TERM");
    }

    /** Sends the signal ({@code INT}, {@code TERM}, ...) and returns the exit code once the uplink has exited. */
    public int stop(String signal) {
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                    .inheritIO()
                    .start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (!awaitExit(STOP_TIMEOUT)) {
            kill();
            throw new IllegalStateException(
                    "uplink did not stop within " + STOP_TIMEOUT.toSeconds() + " s of SIG" + signal + "; killed it");
        }
        return process.exitValue();
    }

    /** The graceful stop when it still runs (it logs its store's figures at close), SIGKILL if that fails. */
    @Override
    public void close() {
        try {
            stop();
        } catch (IllegalStateException e) {
            kill();
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(java);
        command.addAll(List.of(args));
        return command;
    }

    private static List<String> launcher(List<String> jvmOptions, List<String> program) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(program);
        return command;
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A port that was free a moment ago; the uplink binds it with SO_REUSEADDR, so restarts can reuse it. */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
