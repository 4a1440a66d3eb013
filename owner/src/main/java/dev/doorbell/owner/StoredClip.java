package dev.doorbell.owner;

import dev.doorbell.seal.ClipHoles;
import dev.doorbell.seal.StoredFrameBytes;
import java.util.List;

/**
 * One clip as the uplink stored it: the header bytes and the frames in stored order, exactly as read from the
 * store. {@code header} is null when the store holds frames but no header for the clip. {@code headerProblem} is
 * set when the clip's clip_open records break the uplink's rules (a second one, or one after frames): the clip is
 * then TAMPERED at header. {@code holes} says where unreadable parts of the store may hold the clip's other records.
 * {@code uplinkFlags} are the keyless misuse flags the uplink stored beside the header (docs/FORMAT.md §6), each
 * "reason (detail)": what the uplink saw, informative, never part of the verdict.
 */
public record StoredClip(
        String deviceId,
        long clipId,
        byte[] header,
        List<StoredFrameBytes> frames,
        boolean closed,
        long sealedBytes,
        String headerProblem,
        ClipHoles holes,
        List<String> uplinkFlags) {

    public StoredClip {
        frames = List.copyOf(frames);
        uplinkFlags = List.copyOf(uplinkFlags);
    }

    /** A clip without uplink flags. */
    public StoredClip(
            String deviceId,
            long clipId,
            byte[] header,
            List<StoredFrameBytes> frames,
            boolean closed,
            long sealedBytes,
            String headerProblem,
            ClipHoles holes) {
        this(deviceId, clipId, header, frames, closed, sealedBytes, headerProblem, holes, List.of());
    }

    /** The clip id as it appears in paths and tables: 16 lowercase hex digits. */
    public String clipName() {
        return String.format("%016x", clipId);
    }
}
