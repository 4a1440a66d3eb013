package dev.doorbell.uplink.store;

import java.util.ArrayList;

/**
 * The durable and pending state of one clip, guarded by the store's lock. Frames 0 .. persisted-1 are durable and
 * located by {@link #durableFrames}; frames persisted .. received-1 wait in {@link #pendingFrames} in seq order.
 * A clip that lost records, found when the store was opened, is damaged: it keeps the frames it has from 0 without
 * a gap and takes nothing more.
 */
final class ClipState {
    /** The object graph around a clip in full form, with its map entries: measured by IndexMemoryTest. */
    static final long FULL_FORM_BYTES = 360;

    final String deviceId;
    final long clipId;
    /**
     * Null only for a damaged clip whose header record was lost, or one brought back from compact form to be marked
     * damaged ({@link #headerSegment} then says where its header lies).
     */
    final byte[] header;
    /** Where the header record lies once durable (segment -1 before): what a compact form keeps instead of it. */
    long headerSegment = -1;

    long headerOffset;
    int headerLength;

    final FrameLocations durableFrames = new FrameLocations();
    final ArrayList<PendingRecord> pendingFrames = new ArrayList<>();
    PendingRecord pendingOpen;
    int received;
    boolean lastReceived;
    boolean lastPersisted;
    boolean closeReceived;
    boolean closePersisted;
    int closeFrameCount;
    PendingRecord pendingClose;
    /** Why the clip is damaged, naming where its records were lost; null while it is intact. */
    String damage;
    /** Where records were lost (a damaged range, a missing segment) while this clip was open; null when none. */
    String suspect;
    /** The store's time of the clip's newest record ({@code received_unix_ms}): what retention by age reads. */
    long lastArrivalMs;
    /** The public chain position of a v3 header, 0 for others: what an owner's "before-position" request names. */
    long position;
    /** The lowest and highest segment holding a durable record of the clip: where retention reclaims its space. */
    long firstSegment = Long.MAX_VALUE;

    long lastSegment;

    ClipState(String deviceId, long clipId, byte[] header) {
        this.deviceId = deviceId;
        this.clipId = clipId;
        this.header = header;
    }

    /** A closed clip back from compact form: its header and frames are on disk only, found by reading them back. */
    static ClipState closed(CompactClips.Row row) {
        ClipState clip = new ClipState(row.deviceId(), row.clipId(), null);
        clip.headerSegment = row.firstSegment();
        clip.headerOffset = row.headerOffset();
        clip.headerLength = row.headerLength();
        clip.durableFrames.releaseWith(row.frameCount());
        clip.received = row.frameCount();
        clip.lastReceived = true;
        clip.lastPersisted = true;
        clip.closeReceived = true;
        clip.closePersisted = true;
        clip.closeFrameCount = row.frameCount();
        clip.lastArrivalMs = row.lastArrivalMs();
        clip.position = row.position();
        clip.firstSegment = row.firstSegment();
        clip.lastSegment = row.lastSegment();
        return clip;
    }

    /** What a compact form keeps of this closed, intact clip. */
    CompactClips.Row compact() {
        return new CompactClips.Row(
                deviceId,
                clipId,
                persisted(),
                lastArrivalMs,
                position,
                firstSegment,
                lastSegment,
                headerOffset,
                headerLength);
    }

    /** Whether the clip may take compact form: closed, intact, its header where its first record lies. */
    boolean compactable() {
        return closePersisted
                && damage == null
                && header != null
                && headerSegment == firstSegment
                && idle()
                && CompactClips.fits(firstSegment, lastSegment, headerOffset);
    }

    /**
     * Bytes this clip holds, estimated: the object graph around it, its header bytes and its frame locations.
     */
    long bytesHeld() {
        return FULL_FORM_BYTES + (header == null ? 0 : 16L + header.length) + durableFrames.bytesHeld();
    }

    /** Nothing of the clip waits to be written: retention may delete it. */
    boolean idle() {
        return pendingOpen == null && pendingFrames.isEmpty() && pendingClose == null;
    }

    void durableIn(long segment) {
        firstSegment = Math.min(firstSegment, segment);
        lastSegment = Math.max(lastSegment, segment);
    }

    int persisted() {
        return durableFrames.size();
    }

    /** Forgets everything not durable yet; returns false when not even the header is durable. */
    boolean rollbackToDurable() {
        if (pendingOpen != null) {
            return false;
        }
        pendingFrames.clear();
        received = persisted();
        lastReceived = lastPersisted;
        if (pendingClose != null) {
            pendingClose = null;
            closeReceived = false;
            closeFrameCount = 0;
        }
        return true;
    }

    /** A damaged clip is reported closed: a device resuming it is told to send nothing more (docs/PROTOCOL.md). */
    ClipStatus status() {
        if (damage != null) {
            return new ClipStatus(deviceId, clipId, persisted(), persisted(), true, true, true);
        }
        return new ClipStatus(deviceId, clipId, received, persisted(), lastReceived, closeReceived, closePersisted);
    }

    String name() {
        return "device " + deviceId + " clip " + Long.toUnsignedString(clipId);
    }
}
