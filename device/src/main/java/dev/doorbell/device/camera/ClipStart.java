package dev.doorbell.device.camera;

import dev.doorbell.proto.v1.Trigger;
import java.util.List;
import java.util.Objects;

/**
 * A clip has started: the public facts that go into its header.
 *
 * @param trigger {@link Trigger#TRIGGER_MOTION} or {@link Trigger#TRIGGER_RING}
 * @param startTimeUnixMs capture time of frame 0 (the first pre-roll frame), ms since the Unix epoch
 * @param preRollMs how long before the trigger frame frame 0 was captured
 * @param ringUnixMs the doorbell presses known when the clip starts, ms since the Unix epoch, in order: a ring clip
 *     has at least one, the press that started it
 */
public record ClipStart(
        Trigger trigger, long startTimeUnixMs, int preRollMs, int width, int height, int fps, List<Long> ringUnixMs) {

    public ClipStart {
        Objects.requireNonNull(trigger, "trigger");
        if (preRollMs < 0 || width < 1 || height < 1 || fps < 1) {
            throw new IllegalArgumentException(
                    "bad clip start: preRollMs=" + preRollMs + " size=" + width + "x" + height + " fps=" + fps);
        }
        ringUnixMs = List.copyOf(ringUnixMs);
        if (trigger == Trigger.TRIGGER_RING && ringUnixMs.isEmpty()) {
            throw new IllegalArgumentException("a ring clip starts with the press that started it, got none");
        }
    }
}
