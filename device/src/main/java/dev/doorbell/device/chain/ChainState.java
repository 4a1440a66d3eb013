package dev.doorbell.device.chain;

import com.google.protobuf.ByteString;
import dev.doorbell.device.fault.CrashPoint;
import dev.doorbell.device.link.ClipAcknowledgements;
import dev.doorbell.proto.v1.ChainLink;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's place in its chain of clips (docs/PROTOCOL.md, "What the device persists"; docs/FORMAT.md §17): the
 * newest clip it started and how much of it the uplink has acknowledged PERSISTED, from which each new clip's signed
 * {@link ChainLink} is made. Durable in {@code DEVICE_DIR/chain.state}, written at three points per clip:
 *
 * <ol>
 *   <li>{@link #started}: before the clip's header is sent, synchronously, so that a position is never used twice
 *       (a restart continues after it);
 *   <li>when the uplink first acknowledges a frame of that clip;
 *   <li>when it acknowledges that clip's final frame.
 * </ol>
 *
 * <p>(2) and (3) come from the link's event loop ({@link ClipAcknowledgements}) and are written on a disk thread, so
 * that neither the link nor sealing ever waits for them; acknowledgements between them only update memory, which the
 * next clip's link uses when the device did not restart. After a restart the file says at least what was
 * acknowledged then: the owner needs a lower bound (the store must hold at least that many frames), not an exact
 * count.
 *
 * <p>A fleet device ({@link #inMemory}) keeps all of it in memory: it never restarts within a run.
 */
public final class ChainState implements ClipAcknowledgements {
    private static final Logger log = LoggerFactory.getLogger(ChainState.class);

    /** The disk thread of writes (2) and (3) of every device in the process: three small writes per clip at most. */
    private static final ExecutorService DISK = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "device-chain-state");
        t.setDaemon(true);
        return t;
    });

    private final String deviceId;
    private final Path file;
    private final Executor disk;
    /** Guards {@link #head} and {@link #writes}; never held across disk work, so the event loop never waits on it. */
    private final Object memory = new Object();
    /** Held for every file write, so that an older head is never written over a newer one. */
    private final Object fileWrites = new Object();

    private ChainHead head;
    /** What the file holds; guarded by {@link #fileWrites}. */
    private ChainHead written;

    private CompletableFuture<Void> writes = CompletableFuture.completedFuture(null);

    private ChainState(String deviceId, Path file, ChainHead head, Executor disk) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.file = file;
        this.head = head;
        this.written = head;
        this.disk = disk;
    }

    /**
     * The chain state in {@code deviceDir/chain.state}: position 0 when there is no such file.
     *
     * @throws ChainStateException when the file does not parse or names another device
     */
    public static ChainState load(Path deviceDir, String deviceId) {
        return load(deviceDir, deviceId, DISK);
    }

    static ChainState load(Path deviceDir, String deviceId, Executor disk) {
        Path file = deviceDir.resolve(ChainStateFile.NAME);
        return new ChainState(
                deviceId, file, ChainStateFile.read(file, deviceId).orElse(null), disk);
    }

    /** A chain state held in memory only, at position 0: for simulated fleet devices, which never restart in a run. */
    public static ChainState inMemory(String deviceId) {
        return new ChainState(deviceId, null, null, Runnable::run);
    }

    /** The file it is kept in; null when in memory only. */
    public Path file() {
        return file;
    }

    /** The newest clip started, and what is acknowledged of it; null before the first clip. */
    public ChainHead head() {
        synchronized (memory) {
            return head;
        }
    }

    /** The link of the clip about to start: the next position, naming the newest clip started. */
    public ChainLink next() {
        synchronized (memory) {
            return head == null ? ChainLink.newBuilder().setPosition(1).build() : head.successorLink();
        }
    }

    /**
     * The clip of {@code link} (from {@link #next()}) has its header: it becomes the head, durably, before the caller
     * sends that header. One thread at a time, as clips are started.
     *
     * @throws ChainStateException when the file cannot be written: the caller must not send the clip
     */
    public void started(ChainLink link, long clipId, byte[] headerSha256) {
        ChainHead next = ChainHead.started(link.getPosition(), clipId, ByteString.copyFrom(headerSha256));
        synchronized (fileWrites) {
            long expected;
            synchronized (memory) {
                expected = head == null ? 1 : head.position() + 1;
            }
            if (link.getPosition() != expected) {
                throw new IllegalStateException("device " + deviceId + ": clip " + String.format("%016x", clipId)
                        + " at position " + link.getPosition() + ", but the next position is " + expected);
            }
            if (file != null) {
                try {
                    ChainStateFile.write(file, deviceId, next, CrashPoint.Update.CLIP_START);
                } catch (IOException e) {
                    throw new ChainStateException(
                            "device " + deviceId + ": cannot make chain state " + file + " durable before clip "
                                    + String.format("%016x", clipId) + " (position " + link.getPosition() + "): "
                                    + e.getMessage(),
                            e);
                }
            }
            written = next;
            synchronized (memory) {
                head = next;
            }
        }
    }

    /** On the link's event loop: updates memory, and hands writes (2) and (3) to the disk thread. */
    @Override
    public void persisted(long clipId, int frames, boolean includesFinal) {
        synchronized (memory) {
            if (head == null || head.clipId() != clipId) {
                return;
            }
            ChainHead now = head.acknowledging(frames, includesFinal);
            if (now.equals(head)) {
                return;
            }
            boolean firstAck = head.acknowledged() == 0;
            boolean finalAck = now.finalAcknowledged() && !head.finalAcknowledged();
            head = now;
            if (file != null && (firstAck || finalAck)) {
                writes = writes.thenRunAsync(this::writeHead, disk);
            }
        }
    }

    /** Waits up to {@code timeout} for the writes handed to the disk thread; true when they are done. */
    public boolean flush(Duration timeout) throws InterruptedException {
        CompletableFuture<Void> pending;
        synchronized (memory) {
            pending = writes;
        }
        try {
            pending.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** Writes the head as it is now (a later acknowledgement may have moved it on since this write was asked for). */
    private void writeHead() {
        synchronized (fileWrites) {
            ChainHead now;
            synchronized (memory) {
                now = head;
            }
            if (now == null || now.equals(written)) {
                return;
            }
            try {
                ChainStateFile.write(
                        file,
                        deviceId,
                        now,
                        now.finalAcknowledged() ? CrashPoint.Update.FINAL_ACK : CrashPoint.Update.FIRST_ACK);
                written = now;
            } catch (IOException e) {
                // The next clip's link still says it from memory; only a restart before the next write loses it.
                log.warn(
                        "device {}: cannot write chain state {} (clip {} acknowledged {} frames{}): {}",
                        deviceId,
                        file,
                        String.format("%016x", now.clipId()),
                        now.acknowledged(),
                        now.finalAcknowledged() ? " with the final one" : "",
                        e.toString());
            }
        }
    }

    @Override
    public String toString() {
        ChainHead h = head();
        return "ChainState{" + deviceId + ", " + (file == null ? "in memory" : file.toString()) + ", position "
                + (h == null ? 0 : h.position()) + "}";
    }
}
