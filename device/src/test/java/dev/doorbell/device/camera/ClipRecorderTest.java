package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.Trigger;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClipRecorderTest {
    private static final long T0 = 1_000_000_000_000_000L;
    private static final long FRAME = 100_000L;

    private final ClipCollector clips = new ClipCollector();
    private final ClipRecorder recorder =
            new ClipRecorder(Profile.P240, Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(60), clips);

    /** Frame n carries its own number, so a test can tell which captured frame ended up where. */
    private static byte[] frame(int n) {
        return ByteBuffer.allocate(4).putInt(n).array();
    }

    private static int number(EncodedFrame f) {
        return ByteBuffer.wrap(f.jpeg()).getInt();
    }

    private void feed(int from, int to, boolean motion) {
        for (int n = from; n < to; n++) {
            recorder.accept(T0 + n * FRAME, frame(n), motion, motion ? 300 + n % 7 : 2, List.of());
        }
    }

    private static void assertOnlyFinalFrameLast(ClipCollector.Clip clip) {
        List<Boolean> flags = clip.lastFlags;
        assertTrue(flags.get(flags.size() - 1), "final frame must be marked last");
        assertEquals(1, flags.stream().filter(b -> b).count(), "exactly one frame marked last");
    }

    @Test
    void accept_motionBurst_preRollBeforeTriggerAndPostRollAfterLastMotion() {
        feed(0, 100, false);
        feed(100, 120, true);
        feed(120, 300, false);
        assertEquals(1, clips.clips.size());
        ClipCollector.Clip clip = clips.clips.get(0);
        assertEquals(Trigger.TRIGGER_MOTION, clip.start.trigger());
        assertEquals(4000, clip.start.preRollMs());
        assertEquals((T0 + 60 * FRAME) / 1000, clip.start.startTimeUnixMs());
        assertEquals(60, number(clip.frames.get(0)), "40 pre-roll frames precede trigger frame 100");
        assertEquals(119 + 50, number(clip.frames.get(clip.frames.size() - 1)), "5 s post-roll after frame 119");
        assertEquals(40 + 20 + 50, clip.summary.frames());
        assertEquals(Duration.ofSeconds(11), clip.summary.duration());
        assertEquals(ClipSummary.EndReason.QUIET, clip.summary.endReason());
        assertOnlyFinalFrameLast(clip);
        assertFalse(recorder.recording());
    }

    @Test
    void accept_continuousMotion_splitsAtMaxClipAndNextClipStartsAtNextFrame() {
        feed(0, 50, false);
        feed(50, 1500, true);
        recorder.finish();
        List<ClipCollector.Clip> all = clips.finished();
        assertTrue(all.size() >= 3, "clips: " + all.size());
        assertEquals(600, all.get(0).summary.frames(), "60 s at 10 fps, pre-roll included");
        assertEquals(ClipSummary.EndReason.MAX_LENGTH, all.get(0).summary.endReason());
        assertEquals(10, number(all.get(0).frames.get(0)));
        assertEquals(609, number(all.get(0).frames.get(599)));
        assertEquals(610, number(all.get(1).frames.get(0)), "the next clip starts at the very next frame");
        assertEquals(0, all.get(1).start.preRollMs());
        for (ClipCollector.Clip clip : all) {
            assertTrue(clip.summary.duration().compareTo(Duration.ofSeconds(60)) <= 0, clip.summary.toString());
            assertOnlyFinalFrameLast(clip);
        }
        assertEquals(
                ClipSummary.EndReason.STOPPED, all.get(all.size() - 1).summary.endReason());
    }

    @Test
    void accept_ringWhileIdle_ringClipOfPreRollTriggerAndPostRoll() {
        feed(0, 100, false);
        recorder.accept(T0 + 100 * FRAME, frame(100), false, 2, List.of(T0 + 100 * FRAME - 1_500));
        feed(101, 200, false);
        ClipCollector.Clip clip = clips.finished().get(0);
        assertEquals(Trigger.TRIGGER_RING, clip.start.trigger());
        assertEquals(40 + 1 + 50, clip.summary.frames());
        assertEquals(0, clip.summary.ringsDuringClip());
        assertOnlyFinalFrameLast(clip);
    }

    @Test
    void accept_ringWhileIdle_clipStartKnowsThePressInMsAndOnlyTheTriggerFrameIsMarkedRung() {
        feed(0, 100, false);
        long pressMicros = T0 + 100 * FRAME - 1_500;
        recorder.accept(T0 + 100 * FRAME, frame(100), false, 2, List.of(pressMicros));
        feed(101, 200, false);

        ClipCollector.Clip clip = clips.finished().get(0);
        assertEquals(List.of(Math.floorDiv(pressMicros, 1_000L)), clip.start.ringUnixMs());
        List<Integer> rung = new ArrayList<>();
        for (EncodedFrame f : clip.frames) {
            if (f.ringPressed()) {
                rung.add(number(f));
            }
        }
        assertEquals(List.of(100), rung);
    }

    @Test
    void accept_motionClip_eachFrameCarriesItsOwnScoreAndNoPressIsKnownAtStart() {
        feed(0, 100, false);
        feed(100, 120, true);
        feed(120, 300, false);

        ClipCollector.Clip clip = clips.clips.get(0);
        assertEquals(List.of(), clip.start.ringUnixMs());
        for (EncodedFrame f : clip.frames) {
            int n = number(f);
            assertEquals(n >= 100 && n < 120 ? 300 + n % 7 : 2, f.motionPermille(), "frame " + n);
            assertFalse(f.ringPressed(), "frame " + n);
        }
    }

    @Test
    void accept_ringDuringMotionClip_countedAndClipGoesOn() {
        feed(0, 50, false);
        feed(50, 60, true);
        recorder.accept(T0 + 60 * FRAME, frame(60), false, 0, List.of(T0 + 60 * FRAME - 10, T0 + 60 * FRAME));
        feed(61, 200, false);
        assertEquals(1, clips.clips.size());
        ClipCollector.Clip clip = clips.clips.get(0);
        assertEquals(Trigger.TRIGGER_MOTION, clip.summary.trigger());
        assertEquals(2, clip.summary.ringsDuringClip());
        assertEquals(60 + 50, number(clip.frames.get(clip.frames.size() - 1)), "post-roll counts from the ring");
    }

    @Test
    void finish_duringClip_heldFrameMarkedLast() {
        feed(0, 10, false);
        feed(10, 20, true);
        assertTrue(recorder.recording());
        recorder.finish();
        ClipCollector.Clip clip = clips.finished().get(0);
        assertEquals(ClipSummary.EndReason.STOPPED, clip.summary.endReason());
        assertEquals(19, number(clip.frames.get(clip.frames.size() - 1)));
        assertEquals(20, clip.summary.frames(), "all 10 buffered frames plus 10 motion frames");
        assertOnlyFinalFrameLast(clip);
    }

    @Test
    void finish_idle_noClip() {
        feed(0, 100, false);
        recorder.finish();
        assertTrue(clips.clips.isEmpty());
    }

    @Test
    void constructor_maxClipNotLongerThanPreRoll_refused() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> new ClipRecorder(
                        Profile.P240, Duration.ofSeconds(4), Duration.ofSeconds(5), Duration.ofSeconds(4), clips));
        assertTrue(e.getMessage().contains("maxClip"), e.getMessage());
    }
}
