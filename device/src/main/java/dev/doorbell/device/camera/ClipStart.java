package dev.doorbell.device.camera;

import dev.doorbell.proto.v1.Trigger;
import java.util.Objects;

/**
 * A clip has started: the public facts that go into its header.
 *
 * @param trigger {@link Trigger#TRIGGER_MOTION} or {@link Trigger#TRIGGER_RING}
 * @param startTimeUnixMs capture time of frame 0 (the first pre-roll frame), ms since the Unix epoch
 * @param preRollMs how long before the trigger frame frame 0 was captured
 */
public record ClipStart(Trigger trigger, long startTimeUnixMs, int preRollMs, int width, int height, int fps) {

    public ClipStart {
        Objects.requireNonNull(trigger, "trigger");
        if (preRollMs < 0 || width < 1 || height < 1 || fps < 1) {
            throw new IllegalArgumentException(
                    "bad clip start: preRollMs=" + preRollMs + " size=" + width + "x" + height + " fps=" + fps);
        }
    }
}
