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
 * A real uplink JVM ({@code UplinkCli serve}) on a store directory and a TLS directory, always on the same loopback
 * port so that devices reconnect to the same address after a restart. {@link #kill()} is SIGKILL: no shutdown hook,
 * no flush, no goodbye. Each start appends its output to one log file, so a failing test can show what happened.
 */
final class UplinkProcess implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  /** Quick start-up matters more than peak speed: the crash test restarts this JVM twenty times and more. */
  private static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m");

  private final Path dataDir;
  private final Path tlsDir;
  private final int port;
  private final Path portFile;
  private final Path logFile;
  private final List<String> extraArgs;
  private final List<String> jvmOptions;
  private Process process;
  private int starts;

  UplinkProcess(Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs) throws IOException {
    this(dataDir, tlsDir, workDir, extraArgs, QUICK_START);
  }

  /** With the given JVM options instead of the quick-start ones (for example those of scripts/uplink). */
  UplinkProcess(Path dataDir, Path tlsDir, Path workDir, List<String> extraArgs, List<String> jvmOptions)
      throws IOException {
    this.jvmOptions = List.copyOf(jvmOptions);
    this.dataDir = dataDir;
    this.tlsDir = tlsDir;
    this.port = freePort();
    this.portFile = workDir.resolve("uplink.port");
    this.logFile = workDir.resolve("uplink.log");
    this.extraArgs = List.copyOf(extraArgs);
    Files.createDirectories(workDir);
  }

  int port() {
    return port;
  }

  Path logFile() {
    return logFile;
  }

  int starts() {
    return starts;
  }

  /** The process id of the running uplink. */
  long pid() {
    if (process == null || !process.isAlive()) {
      throw new IllegalStateException("uplink not running");
    }
    return process.pid();
  }

  /** Starts the uplink and returns once it listens (its port file appeared); fails if it exits first. */
  void start() throws IOException {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("uplink already running, pid " + process.pid());
    }
    Files.deleteIfExists(portFile);
    List<String> command = command("serve", "--data", dataDir.toString(), "--tls", tlsDir.toString(),
        "--host", "127.0.0.1", "--port", Integer.toString(port), "--port-file", portFile.toString());
    command.addAll(extraArgs);
    Files.writeString(logFile, "---- start " + (starts + 1) + "\n", StandardCharsets.UTF_8,
        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .start();
    starts++;
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (!Files.exists(portFile)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("uplink exited with " + process.exitValue() + " before listening; log:\n"
            + tail());
      }
      if (System.nanoTime() > deadline) {
        kill();
        throw new IllegalStateException("uplink did not listen within " + READY_TIMEOUT.toSeconds() + " s; log:\n"
            + tail());
      }
      LockSupport.parkNanos(5_000_000);
    }
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** What a command of the uplink that runs to its end printed, and its exit status. */
  record Run(int exit, String stdout, String stderr) {}

  /**
   * Runs {@code doorbell-uplink ARGS} (serve on this uplink's port, fsck, ...) as its own process to its end, within
   * {@code timeout}; a process still running then is killed and reported as exit -1.
   */
  Run run(Duration timeout, String... args) throws IOException, InterruptedException {
    Path out = Files.createTempFile(logFile.getParent(), "run-", ".out");
    Path err = Files.createTempFile(logFile.getParent(), "run-", ".err");
    Process run = new ProcessBuilder(command(args)).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    int exit = -1;
    if (run.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      exit = run.exitValue();
    } else {
      run.destroyForcibly().waitFor();
    }
    return new Run(exit, Files.readString(out), Files.readString(err));
  }

  /** Serve's arguments of this uplink (its store, TLS, port), for {@link #run}. */
  List<String> serveArgs() {
    return List.of("serve", "--data", dataDir.toString(), "--tls", tlsDir.toString(), "--host", "127.0.0.1",
        "--port", Integer.toString(port));
  }

  private List<String> command(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "dev.doorbell.uplink.cli.UplinkCli"));
    command.addAll(List.of(args));
    return command;
  }

  /** SIGKILL, and waits until the process is gone (so its port is free and its files are no longer written). */
  void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    awaitExit(Duration.ofSeconds(20));
  }

  /** SIGTERM: the graceful stop of {@code serve}; returns the exit code. */
  int stop() {
    return stop("TERM");
  }

  /** Sends the signal ({@code INT}, {@code TERM}, ...) and returns the exit code once the uplink has exited. */
  int stop(String signal) {
    if (process == null || !process.isAlive()) {
      return process == null ? 0 : process.exitValue();
    }
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    if (!awaitExit(Duration.ofSeconds(30))) {
      kill();
      throw new IllegalStateException("uplink did not stop within 30 s of SIG" + signal + "; killed it");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    kill();
  }

  /** The last lines of the log, for failure messages. */
  String tail() {
    try {
      List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
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
