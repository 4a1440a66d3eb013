package dev.doorbell.device.camera;

import dev.doorbell.proto.v1.Trigger;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;

/**
 * Turns a stream of encoded frames, each with its motion flag and score and doorbell presses, into clips.
 *
 * <p>While idle it keeps the last {@code preRoll} of frames in a ring buffer. Motion or a ring starts a clip with
 * that buffer in front of the trigger frame. The clip goes on while there is motion (or a ring) and ends once
 * {@code postRoll} has passed without either; a ring during a clip is counted and the clip goes on. A clip never
 * spans more than {@code maxClip} from its frame 0; if motion goes on, the next clip starts at the next frame.
 *
 * <p>One frame is always held back, because a frame can only be marked last once it is known that no frame will
 * follow it in the same clip.
 *
 * <p>Not thread-safe; one per camera.
 */
public final class ClipRecorder {
    private record Captured(long captureMicros, byte[] jpeg, int motionPermille, boolean ringPressed) {}

    private final Profile profile;
    private final long preRollMicros;
    private final long postRollMicros;
    private final long maxClipMicros;
    private final ClipListener listener;
    private final ArrayDeque<Captured> preRoll = new ArrayDeque<>();

    private boolean recording;
    private Trigger trigger;
    private long clipStartMicros;
    private long lastActivityMicros;
    private long lastPtsMicros;
    private Captured held;
    private int frames;
    private long bytes;
    private int rings;
    private long clipsStarted;

    public ClipRecorder(Profile profile, Duration preRoll, Duration postRoll, Duration maxClip, ClipListener listener) {
        this.profile = Objects.requireNonNull(profile, "profile");
        this.preRollMicros = micros(preRoll, "preRoll");
        this.postRollMicros = micros(postRoll, "postRoll");
        this.maxClipMicros = micros(maxClip, "maxClip");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (maxClipMicros <= preRollMicros) {
            throw new IllegalArgumentException(
                    "maxClip (" + maxClip + ") must be longer than preRoll (" + preRoll + ")");
        }
    }

    /**
     * Feeds the next frame.
     *
     * @param captureMicros capture time (microseconds since the Unix epoch), increasing from frame to frame
     * @param motion whether the motion detector sees motion in this frame
     * @param motionPermille the detector's score for this frame, 0..1000 (sealed with the frame, never public)
     * @param ringMicros when each doorbell press since the previous frame happened, in order
     */
    public void accept(long captureMicros, byte[] jpeg, boolean motion, int motionPermille, List<Long> ringMicros) {
        int ringPresses = ringMicros.size();
        boolean ring = ringPresses > 0;
        Captured frame = new Captured(captureMicros, Objects.requireNonNull(jpeg, "jpeg"), motionPermille, ring);
        if (recording) {
            if (captureMicros - clipStartMicros >= maxClipMicros) {
                end(ClipSummary.EndReason.MAX_LENGTH);
            } else if (!motion && !ring && captureMicros - lastActivityMicros > postRollMicros) {
                end(ClipSummary.EndReason.QUIET);
            } else {
                if (motion || ring) {
                    lastActivityMicros = captureMicros;
                }
                rings += ringPresses;
                push(frame);
                return;
            }
        }
        if (motion || ring) {
            start(ring ? Trigger.TRIGGER_RING : Trigger.TRIGGER_MOTION, frame, ringMicros);
        } else {
            preRoll.addLast(frame);
            trimPreRoll(captureMicros);
        }
    }

    /** Ends a clip in progress, its held frame marked last, and forgets the pre-roll. Does nothing when idle. */
    public void finish() {
        if (recording) {
            end(ClipSummary.EndReason.STOPPED);
        }
        preRoll.clear();
    }

    public boolean recording() {
        return recording;
    }

    public long clipsStarted() {
        return clipsStarted;
    }

    /**
     * A ring clip starts with the presses of its trigger frame known (the first started it; any others are counted as
     * presses during the clip, as before); pre-roll frames have none, since a press while idle starts a clip at once.
     */
    private void start(Trigger why, Captured triggerFrame, List<Long> ringMicros) {
        trimPreRoll(triggerFrame.captureMicros());
        Captured first = preRoll.isEmpty() ? triggerFrame : preRoll.peekFirst();
        recording = true;
        trigger = why;
        clipStartMicros = first.captureMicros();
        lastActivityMicros = triggerFrame.captureMicros();
        frames = 0;
        bytes = 0;
        rings = Math.max(0, ringMicros.size() - 1);
        clipsStarted++;
        int preRollMs = (int) ((triggerFrame.captureMicros() - clipStartMicros) / 1_000L);
        listener.clipStarted(new ClipStart(
                why,
                Math.floorDiv(clipStartMicros, 1_000L),
                preRollMs,
                profile.width(),
                profile.height(),
                profile.fps(),
                ringMicros.stream().map(micros -> Math.floorDiv(micros, 1_000L)).toList()));
        while (!preRoll.isEmpty()) {
            push(preRoll.pollFirst());
        }
        push(triggerFrame);
    }

    private void push(Captured frame) {
        if (held != null) {
            emit(held, false);
        }
        held = frame;
    }

    private void end(ClipSummary.EndReason reason) {
        emit(held, true);
        held = null;
        recording = false;
        Duration duration = Duration.ofNanos((lastPtsMicros + profile.frameIntervalMicros()) * 1_000L);
        listener.clipEnded(new ClipSummary(frames, bytes, duration, trigger, rings, reason));
    }

    private void emit(Captured frame, boolean last) {
        lastPtsMicros = frame.captureMicros() - clipStartMicros;
        frames++;
        bytes += frame.jpeg().length;
        listener.frame(
                new EncodedFrame(lastPtsMicros, frame.jpeg(), frame.motionPermille(), frame.ringPressed()), last);
    }

    /** Keeps frames captured at most preRoll before {@code nowMicros}: preRoll x fps frames at a steady rate. */
    private void trimPreRoll(long nowMicros) {
        while (!preRoll.isEmpty() && preRoll.peekFirst().captureMicros() < nowMicros - preRollMicros) {
            preRoll.pollFirst();
        }
    }

    private static long micros(Duration d, String name) {
        if (d == null || d.isNegative()) {
            throw new IllegalArgumentException(name + " must be a duration >= 0, got " + d);
        }
        return d.toNanos() / 1_000L;
    }
}
