package dev.doorbell.device.link;

/**
 * Where the link reports, per clip, how far the uplink has acknowledged it PERSISTED: the device's chain state
 * (docs/PROTOCOL.md, "What the device persists"), which names the count in the next clip's header. Called on the
 * link's event loop: an implementation must return at once and never block (it hands any disk work elsewhere).
 */
public interface ClipAcknowledgements {
    /** For links whose device keeps no chain (tests of the link alone). */
    ClipAcknowledgements NONE = (clipId, frames, includesFinal) -> {};

    /**
     * Frames 0 .. {@code frames} - 1 of the clip are PERSISTED (cumulative, called when the count grows);
     * {@code includesFinal} when the clip's final frame (the one sent with last = true) is among them.
     */
    void persisted(long clipId, int frames, boolean includesFinal);
}
