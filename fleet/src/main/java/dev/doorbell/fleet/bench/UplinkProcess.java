package dev.doorbell.fleet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The uplink as a separate JVM ({@code java -jar doorbell-uplink.jar serve ...}), so that its CPU, heap and GC are
 * its own and not the load generator's. Its output goes to a log file; the bound port comes from --port-file.
 */
final class UplinkProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path logFile;

  private UplinkProcess(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  /** Starts {@code serve} on 127.0.0.1 with a free port and waits (bounded) until it has written that port. */
  static UplinkProcess start(Path uplinkJar, List<String> jvmOptions, Path data, Path tlsDir, Path workDir,
      Duration startTimeout) throws IOException, InterruptedException {
    Path portFile = workDir.resolve("uplink.port");
    Path logFile = workDir.resolve("uplink.log");
    Files.deleteIfExists(portFile);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", uplinkJar.toString(), "serve", "--data", data.toString(), "--tls",
        tlsDir.toString(), "--host", "127.0.0.1", "--port", "0", "--port-file", portFile.toString()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile())).start();
    long deadline = System.nanoTime() + startTimeout.toNanos();
    while (!Files.exists(portFile)) {
      if (!p.isAlive()) {
        throw new IOException("the uplink exited with " + p.exitValue() + " before listening; see " + logFile);
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("the uplink did not listen within " + startTimeout.toSeconds() + " s; see " + logFile);
      }
      p.waitFor(50, TimeUnit.MILLISECONDS);
    }
    int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.US_ASCII).trim());
    return new UplinkProcess(p, port, logFile);
  }

  /**
   * Runs the store alone ({@code dev.doorbell.uplink.store.StoreThroughput}) in its own JVM from the uplink jar and
   * returns its result line, or a line saying why there is none.
   */
  static String storeAlone(Path uplinkJar, List<String> jvmOptions, Path data, long seconds, int threads,
      int devices, int inflight) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-Ddoorbell.log.level=WARN", "-cp", uplinkJar.toString(),
        "dev.doorbell.uplink.store.StoreThroughput", data.toString(), Long.toString(seconds),
        Integer.toString(threads), Integer.toString(devices), Integer.toString(inflight)));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(seconds + 120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return "store-alone timed out";
    }
    return output.lines().filter(l -> l.startsWith("store-alone ")).findFirst()
        .orElse("store-alone failed (exit " + p.exitValue() + "): " + output.strip());
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  Path logFile() {
    return logFile;
  }

  /** SIGTERM (a graceful stop), then SIGKILL if it has not exited within 20 s. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
