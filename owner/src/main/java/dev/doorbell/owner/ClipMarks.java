package dev.doorbell.owner;

import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.OpenedFrame;
import java.util.List;
import java.util.TreeSet;

/**
 * Which frames of an opened clip are bell presses and which one is the trigger frame, where the pre-roll ends; one
 * rule for the contact sheet and the video's chapters, so that they always agree.
 *
 * <p>Marks come from what was sealed, never from the public header: a frame is a press when its sealed FrameInfo says
 * {@code ring_pressed}, or when a ring time of the ClipInfo falls in it (a v1 or v2 ring clip has neither, so its
 * trigger frame stands for the press); the trigger frame is the first whose pts reaches the ClipInfo's
 * {@code pre_roll_ms}. At most {@link #MAX_MARKED} presses are marked.
 *
 * @param press indices into the frames, not seq numbers
 * @param trigger the index of the trigger frame; {@code -1} without a ClipInfo or when no frame reaches the end of the
 *     pre-roll
 */
record ClipMarks(TreeSet<Integer> press, int trigger) {
    static final int MAX_MARKED = 8;

    ClipMarks {
        press = new TreeSet<>(press);
    }

    static ClipMarks of(List<OpenedFrame> frames, ClipInfo info) {
        TreeSet<Integer> press = new TreeSet<>();
        int trigger = -1;
        if (info != null) {
            long boundary = info.getPreRollMs() * 1_000L;
            for (int i = 0; i < frames.size() && trigger < 0; i++) {
                if (frames.get(i).ptsMicros() >= boundary) {
                    trigger = i;
                }
            }
        }
        for (int i = 0; i < frames.size() && press.size() < MAX_MARKED; i++) {
            if (frames.get(i).ringPressed() || ringTimeIn(frames, i, info)) {
                press.add(i);
            }
        }
        if (press.isEmpty() && trigger >= 0 && info.getTrigger() == Trigger.TRIGGER_RING) {
            press.add(trigger);
        }
        return new ClipMarks(press, trigger);
    }

    @Override
    public TreeSet<Integer> press() {
        return new TreeSet<>(press);
    }

    /** Whether the frame at {@code index} is a pre-roll frame: captured before the trigger frame. */
    boolean preRoll(int index) {
        return trigger >= 0 && index < trigger;
    }

    TreeSet<Integer> mustShow() {
        TreeSet<Integer> out = new TreeSet<>(press);
        if (trigger >= 0) {
            out.add(trigger);
        }
        return out;
    }

    /** Whether a ClipInfo ring time lies after the previous frame's capture and no later than this one's. */
    private static boolean ringTimeIn(List<OpenedFrame> frames, int i, ClipInfo info) {
        if (info == null) {
            return false;
        }
        long to = frames.get(i).ptsMicros();
        long from = i == 0 ? Long.MIN_VALUE : frames.get(i - 1).ptsMicros();
        for (long ringMs : info.getRingUnixMsList()) {
            long pts = (ringMs - info.getStartTimeUnixMs()) * 1_000L;
            if (pts > from && pts <= to) {
                return true;
            }
        }
        return false;
    }
}
