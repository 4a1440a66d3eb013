package dev.doorbell.seal;

import java.util.List;

/**
 * What a store reader knows about records of one clip that it could not read: where the clip's header may be
 * (null when no hole precedes the clip, or the header is stored) and the holes between and after its stored frames.
 * The opener uses them only to say DAMAGED instead of "frame missing", "no final frame" or "no header" when the
 * missing part may lie in a hole; a frame that is stored is always verified.
 */
public record ClipHoles(String header, List<FrameHole> frames) {
    public static final ClipHoles NONE = new ClipHoles(null, List.of());

    public ClipHoles {
        frames = List.copyOf(frames);
    }

    /** The first hole that may hold every frame from {@code fromSeq} up to, not including, {@code toSeq}; or null. */
    public FrameHole covering(long fromSeq, long toSeq) {
        for (FrameHole hole : frames) {
            if (hole.covers(fromSeq, toSeq)) {
                return hole;
            }
        }
        return null;
    }
}
