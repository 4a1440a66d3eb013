package dev.doorbell.owner;

import dev.doorbell.testing.ChildProcess;
import java.io.IOException;
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

/**
 * Another process that holds {@code STORE/lock} the way a running uplink does (STORE-SPEC §1: an exclusive OS lock
 * on the whole file and one informative line), so that reader tests see a live store without an uplink in their
 * own JVM (where closing any channel to the file would drop the lock: POSIX record locks are per process).
 */
final class LockHolder implements AutoCloseable {
    private static final Duration READY = Duration.ofSeconds(30);

    private final ChildProcess child;

    private LockHolder(ChildProcess child) {
        this.child = child;
    }

    /** Starts the holder and returns once it holds the lock; fails if it could not take it. */
    static LockHolder hold(Path store) throws IOException {
        ChildProcess child = ChildProcess.java(
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx32m"),
                LockHolder.class.getName(),
                List.of(store.resolve("lock").toString()));
        LockHolder holder = new LockHolder(child);
        try {
            child.awaitOutput("(?m)^(locked|refused)$", READY);
        } catch (AssertionError e) {
            holder.close();
            throw e;
        }
        if (!child.out().lines().anyMatch("locked"::equals)) {
            holder.close();
            throw new IllegalStateException("the lock holder did not take the lock: "
                    + child.out().strip() + " " + child.err().strip());
        }
        return holder;
    }

    long pid() {
        return child.pid();
    }

    @Override
    public void close() {
        child.close();
    }

    /** The child: locks the file, writes the uplink's line, says "locked", and holds it until killed or orphaned. */
    public static void main(String[] args) throws Exception {
        FileChannel channel = FileChannel.open(
                Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
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
