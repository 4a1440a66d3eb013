package dev.doorbell.uplink.store;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredUplinkFlag;
import java.time.Duration;
import java.util.List;

/**
 * Where the uplink keeps what devices sent: header bytes and sealed frames, byte for byte, never a key.
 *
 * <p>Thread-safe. Each submission is validated synchronously against the durable and pending state of its clip
 * and, when accepted, queued for the store's writer thread; no disk write happens on the caller's thread. The
 * returned {@link Submission#durable()} completes once the record is durable, or exceptionally with {@link
 * StoreUnavailableException} (retriable) when the disk is full or an fsync failed.
 */
public interface ClipStore extends AutoCloseable {

    /** Stores the header bytes of a clip: first time ACCEPTED, same bytes DUPLICATE, other bytes CLIP_CONFLICT. */
    Submission openClip(String deviceId, long clipId, byte[] header);

    /**
     * As {@link #openClip(String, long, byte[])}, with the keyless misuse flags the uplink saw in the header, stored
     * beside it for the owner when the clip is new (docs/FORMAT.md §6). A store that keeps no records drops them.
     */
    default Submission openClip(String deviceId, long clipId, byte[] header, List<StoredUplinkFlag> flags) {
        return openClip(deviceId, clipId, header);
    }

    /**
     * Stores frame {@code seq} of a clip. {@code seq} is the protobuf uint32 and compares unsigned. The byte strings
     * are immutable, so the store keeps them as they are: a frame parsed off the wire is not copied again.
     */
    Submission appendFrame(String deviceId, long clipId, int seq, boolean last, ByteString meta, ByteString sealed);

    /** As {@link #appendFrame(String, long, int, boolean, ByteString, ByteString)}; the arrays are copied first. */
    default Submission appendFrame(String deviceId, long clipId, int seq, boolean last, byte[] meta, byte[] sealed) {
        return appendFrame(deviceId, clipId, seq, last, ByteString.copyFrom(meta), ByteString.copyFrom(sealed));
    }

    /** Stores the close of a clip: {@code frameCount} must equal the frames received, the final frame among them. */
    Submission closeClip(String deviceId, long clipId, int frameCount);

    /** The status of a clip, or null when the clip is unknown. */
    ClipStatus status(String deviceId, long clipId);

    /** Clips of this device whose close is not durable yet, by clip id. */
    List<ClipStatus> openClips(String deviceId);

    StoreStats stats();

    /**
     * Why the store takes no records now (fail-stopped after a failed write or fdatasync, given up, closed), or null
     * while it takes them: the uplink's {@code /readyz}.
     */
    default String unavailableReason() {
        return null;
    }

    /** The clips the store's index holds in memory, in each form, and their bytes; null for a store without one. */
    default IndexUse indexUse() {
        return null;
    }

    /** Segments and bytes on disk now, or null for a store that keeps no files. */
    default StoreUsage usage() {
        return null;
    }

    /**
     * Starts retention in the background (docs/OPERATIONS.md, "Store tools and retention"): every {@code every}, clips
     * older than {@code limit} (null: none by age) and those named by owner's requests dropped into {@code
     * DIR/retention/inbox/} are deleted and their space reclaimed in closed segments. A store without files ignores it.
     */
    default void startRetention(Duration limit, Duration every) {}

    /** Clips deleted and bytes reclaimed by retention since the store was opened; null for a store without files. */
    default RetentionCounts retentionCounts() {
        return null;
    }

    /** Tells {@code observer} about each group commit from now on (one observer; a later call replaces it). */
    default void observeCommits(CommitObserver observer) {}

    /** Stops accepting, writes and fsyncs everything queued, completes its futures and closes the files. */
    @Override
    void close();
}
