package dev.doorbell.uplink.store;

import java.util.ArrayList;

/**
 * The durable and pending state of one clip, guarded by the store's lock. Frames 0 .. persisted-1 are durable and
 * located by {@link #durableFrames}; frames persisted .. received-1 wait in {@link #pendingFrames} in seq order.
 * A clip that lost records, found when the store was opened, is damaged: it keeps the frames it has from 0 without
 * a gap and takes nothing more.
 */
final class ClipState {
    final String deviceId;
    final long clipId;
    /** Null only for a damaged clip whose header record was lost. */
    final byte[] header;

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
