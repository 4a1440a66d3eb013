package dev.doorbell.owner;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Another process that holds {@code STORE/lock} the way a running uplink does (STORE-SPEC §1: an exclusive OS lock
 * on the whole file and one informative line), so that reader tests see a live store without an uplink in their
 * own JVM (where closing any channel to the file would drop the lock: POSIX record locks are per process).
 */
final class LockHolder implements AutoCloseable {
  private static final Duration READY = Duration.ofSeconds(30);

  private final Process process;

  private LockHolder(Process process) {
    this.process = process;
  }

  /** Starts the holder and returns once it holds the lock. */
  static LockHolder hold(Path store) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m", "-cp", System.getProperty("java.class.path"),
        LockHolder.class.getName(), store.resolve("lock").toString()))
        .redirectErrorStream(true).start();
    LockHolder holder = new LockHolder(process);
    BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + READY.toNanos();
    String line;
    while ((line = out.readLine()) != null && !line.equals("locked")) {
      if (System.nanoTime() > deadline) {
        break;
      }
    }
    if (!"locked".equals(line)) {
      holder.close();
      throw new IllegalStateException("the lock holder did not take the lock (last line: " + line + ")");
    }
    return holder;
  }

  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The child: locks the file, writes the uplink's line, says "locked", and holds it until killed or orphaned. */
  public static void main(String[] args) throws Exception {
    FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ,
        StandardOpenOption.WRITE);
    FileLock lock = channel.tryLock();
    if (lock == null) {
      System.out.println("refused");
      return;
    }
    channel.truncate(0);
    channel.write(ByteBuffer.wrap(("pid=" + ProcessHandle.current().pid() + " host="
        + InetAddress.getLocalHost().getHostName() + " started=" + Instant.now() + "\n")
        .getBytes(StandardCharsets.US_ASCII)));
    System.out.println("locked");
    System.out.flush();
    // Held until the test kills this process or ends without doing so: its end closes our standard input.
    System.in.transferTo(OutputStream.nullOutputStream());
  }
}
