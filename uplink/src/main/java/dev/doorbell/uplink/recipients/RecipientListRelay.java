package dev.doorbell.uplink.recipients;

import com.google.protobuf.ByteString;
import dev.doorbell.uplink.logging.RateLimitedLog;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands a device the newest published recipient list it does not hold yet. On each Hello the session asks with the
 * version the device holds; the list is read from disk on this relay's own thread (disk work never runs on an event
 * loop, and no list is held in memory between Hellos), and when it is newer {@code deliver} gets its bytes, on that
 * thread: the session hops back to its loop to send it. The queue is bounded: in a reconnect storm beyond it a
 * device gets its list at a later Hello instead.
 */
public final class RecipientListRelay implements AutoCloseable {
    /** Devices waiting for their list to be looked up at most; beyond it the look-up waits for the next Hello. */
    static final int QUEUE = 16_384;

    // How often devices connect is theirs to choose: every line here is rate-limited per device.
    private static final RateLimitedLog LOG = RateLimitedLog.of(RecipientListRelay.class);

    private final RecipientListFiles files;
    private final ThreadPoolExecutor lookups;

    private RecipientListRelay(RecipientListFiles files) {
        this.files = files;
        this.lookups = files == null
                ? null
                : new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
                    Thread t = new Thread(r, "uplink-recipient-lists");
                    t.setDaemon(true);
                    return t;
                });
    }

    /** A relay of the lists published under {@code dataDirectory}. */
    public static RecipientListRelay of(Path dataDirectory) {
        return new RecipientListRelay(new RecipientListFiles(dataDirectory));
    }

    /** A relay with no lists (an uplink without a data directory, in tests). */
    public static RecipientListRelay none() {
        return new RecipientListRelay(null);
    }

    /**
     * Looks up the device's list; when its version is above {@code heldVersion} (unsigned, as the protocol's uint64),
     * passes its bytes to {@code deliver} on the relay's thread.
     */
    public void offer(String deviceId, long heldVersion, Consumer<ByteString> deliver) {
        if (lookups == null) {
            return;
        }
        try {
            lookups.execute(() -> lookUp(deviceId, heldVersion, deliver));
        } catch (RejectedExecutionException e) {
            LOG.info(
                    deviceId,
                    "device {}: {} recipient-list look-ups queued already; its list is looked up at its next Hello",
                    deviceId,
                    QUEUE);
        }
    }

    private void lookUp(String deviceId, long heldVersion, Consumer<ByteString> deliver) {
        Optional<PublishedList> list;
        try {
            list = files.read(deviceId);
        } catch (IOException e) {
            LOG.warn(deviceId, "device {}: its published recipient list is not relayed: {}", deviceId, e.getMessage());
            return;
        }
        if (list.isPresent() && Long.compareUnsigned(list.get().version(), heldVersion) > 0) {
            LOG.info(
                    deviceId,
                    "device {} holds recipient list version {}: relaying version {}",
                    deviceId,
                    Long.toUnsignedString(heldVersion),
                    Long.toUnsignedString(list.get().version()));
            deliver.accept(list.get().signedList());
        }
    }

    @Override
    public void close() {
        if (lookups != null) {
            lookups.shutdownNow();
        }
    }
}
