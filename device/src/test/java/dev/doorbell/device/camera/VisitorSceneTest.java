package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.Trigger;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Every press of the simulated bell is by a visitor the frames show: ring clips are no longer of an empty porch. */
class VisitorSceneTest {
    private static final long T0 = VirtualSimClock.DEFAULT_START.getEpochSecond() * 1_000_000L;
    private static final CameraConfig CALLERS =
            CameraConfig.defaults("front-door", Profile.P240, 1234).withRates(30, 0, 0);

    private static ClipCollector run(CameraConfig config, Duration duration) {
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(config, VirtualSimClock.startingAtDefault(), clips);
        camera.runFor(duration);
        camera.stop();
        return clips;
    }

    /**
     * The busiest 16x16 block (mean absolute difference per channel) over the door, the bell and the step in front of
     * them, between a frame and the same instant of the same porch with nobody in it: a few units for an empty porch
     * (JPEG only), far more where a person stands.
     */
    private static double doorDifference(BufferedImage frame, BufferedImage empty) {
        int w = frame.getWidth();
        int h = frame.getHeight();
        return busiestBlock(frame, empty, (int) (0.15 * w), (int) (0.3 * h), (int) (0.45 * w), (int) (0.95 * h));
    }

    /** The largest mean absolute difference per channel over the 16x16 blocks of two frames: where someone is. */
    private static double busiestBlockDifference(BufferedImage frame, BufferedImage empty) {
        return busiestBlock(frame, empty, 0, 0, frame.getWidth(), frame.getHeight());
    }

    private static double busiestBlock(BufferedImage frame, BufferedImage empty, int x0, int y0, int x1, int y1) {
        double max = 0;
        for (int by = y0; by + 16 <= y1; by += 16) {
            for (int bx = x0; bx + 16 <= x1; bx += 16) {
                long sum = 0;
                for (int y = by; y < by + 16; y++) {
                    for (int x = bx; x < bx + 16; x++) {
                        int a = frame.getRGB(x, y);
                        int b = empty.getRGB(x, y);
                        for (int shift = 0; shift <= 16; shift += 8) {
                            sum += Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff));
                        }
                    }
                }
                max = Math.max(max, sum / (16.0 * 16 * 3));
            }
        }
        return max;
    }

    private static String describe(ClipCollector clips) {
        return clips.clips.stream()
                .map(c -> c.start.trigger() + " at " + c.start.startTimeUnixMs() + ", " + c.frames.size() + " frames")
                .toList()
                .toString();
    }

    private static BufferedImage decode(EncodedFrame frame) throws IOException {
        return ImageIO.read(new ByteArrayInputStream(frame.jpeg()));
    }

    @Test
    void runFor_visitorsRing_ringClipsShowTheVisitorAtThePressFrame() throws IOException {
        ClipCollector clips = run(CALLERS, Duration.ofMinutes(10));
        PorchScene empty = new PorchScene(CALLERS.profile(), CALLERS.seed(), 0, 0, 0);
        List<ClipCollector.Clip> ringClips = clips.finished().stream()
                .filter(c -> c.start.trigger() == Trigger.TRIGGER_RING)
                .toList();
        assertFalse(ringClips.isEmpty(), "30 callers an hour for 10 minutes must start ring clips: " + describe(clips));
        BufferedImage emptyFrame = empty.newImage();
        empty.render(T0, emptyFrame);
        double noiseFloor;
        try (JpegEncoder encoder = JpegEncoder.forProfile(CALLERS.profile())) {
            noiseFloor = busiestBlockDifference(decode(new EncodedFrame(0, encoder.encode(emptyFrame))), emptyFrame);
        }
        int pressFrames = 0;
        double minDifference = Double.MAX_VALUE;
        for (ClipCollector.Clip clip : ringClips) {
            long startMicros = clip.start.startTimeUnixMs() * 1_000L;
            for (int i = 0; i < clip.frames.size(); i++) {
                EncodedFrame f = clip.frames.get(i);
                if (!f.ringPressed()) {
                    continue;
                }
                pressFrames++;
                long at = startMicros + f.ptsMicros();
                empty.render(at, emptyFrame);
                double difference = doorDifference(decode(f), emptyFrame);
                assertTrue(
                        difference > 4 * noiseFloor,
                        "clip at " + clip.start.startTimeUnixMs() + " frame " + i + ": the porch by the door differs"
                                + " from the empty porch by " + difference + " (noise floor " + noiseFloor + ")");
                minDifference = Math.min(minDifference, difference);
            }
            long flagged = startMicros
                    + clip.frames.stream()
                            .filter(EncodedFrame::ringPressed)
                            .findFirst()
                            .orElseThrow()
                            .ptsMicros();
            long pressed = clip.start.ringUnixMs().get(0) * 1_000L;
            assertTrue(
                    pressed <= flagged && pressed > flagged - CALLERS.profile().frameIntervalMicros() - 1_000L,
                    "the press the ClipInfo dates at " + pressed + " is flagged on the frame captured at " + flagged);
        }
        assertTrue(pressFrames >= ringClips.size(), pressFrames + " press frames in " + ringClips.size() + " clips");
        // With no passers-by and no clouds, only visitors move: each motion clip's busiest frame shows one.
        List<ClipCollector.Clip> motionClips = clips.finished().stream()
                .filter(c -> c.start.trigger() == Trigger.TRIGGER_MOTION)
                .toList();
        assertFalse(motionClips.isEmpty(), "visitors walking up make motion clips: " + describe(clips));
        double minBusiest = Double.MAX_VALUE;
        for (ClipCollector.Clip clip : motionClips) {
            EncodedFrame busiest = clip.frames.stream()
                    .max(Comparator.comparingInt(EncodedFrame::motionPermille))
                    .orElseThrow();
            long at = clip.start.startTimeUnixMs() * 1_000L + busiest.ptsMicros();
            empty.render(at, emptyFrame);
            double difference = busiestBlockDifference(decode(busiest), emptyFrame);
            assertTrue(
                    difference > 4 * noiseFloor,
                    "motion clip at " + clip.start.startTimeUnixMs() + ": its busiest frame ("
                            + busiest.motionPermille()
                            + " permille) must show who moved; it differs from the empty porch by " + difference);
            minBusiest = Math.min(minBusiest, difference);
        }
        long motionClipsWithPress = motionClips.stream()
                .filter(c -> c.frames.stream().anyMatch(EncodedFrame::ringPressed))
                .count();
        System.out.printf(
                "visitors: %d ring clips, %d motion clips (%d with a press inside), noise floor %.2f; the door at the"
                        + " press frames differs from the empty porch by at least %.2f, the busiest 16x16 block of"
                        + " each motion clip's busiest frame by at least %.2f%n",
                ringClips.size(), motionClips.size(), motionClipsWithPress, noiseFloor, minDifference, minBusiest);
    }

    @Test
    void visitorPressesAt_demoRingAt_motionClipOfTheWalkThenRingClipWithThemInThePreRoll() throws IOException {
        CameraConfig quiet = CALLERS.withRates(0, 0, 0);
        VirtualSimClock clock = VirtualSimClock.startingAtDefault();
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(quiet, clock, clips);
        camera.visitorPressesAt(clock.nowMicros() + 20_000_000L);
        camera.runFor(Duration.ofSeconds(60));
        camera.stop();
        assertEquals(Trigger.TRIGGER_MOTION, clips.clips.get(0).start.trigger(), "the walk up: " + describe(clips));
        List<ClipCollector.Clip> ringClips = clips.clips.stream()
                .filter(c -> c.start.trigger() == Trigger.TRIGGER_RING)
                .toList();
        assertEquals(1, ringClips.size(), describe(clips));
        ClipCollector.Clip ring = ringClips.get(0);
        assertEquals(4000, ring.start.preRollMs());
        assertEquals(List.of(T0 / 1_000L + 20_000L), ring.start.ringUnixMs());
        PorchScene empty = new PorchScene(quiet.profile(), quiet.seed(), 0, 0, 0);
        BufferedImage emptyFrame = empty.newImage();
        long startMicros = ring.start.startTimeUnixMs() * 1_000L;
        for (int i : new int[] {0, 20, 40}) {
            EncodedFrame f = ring.frames.get(i);
            empty.render(startMicros + f.ptsMicros(), emptyFrame);
            double difference = doorDifference(decode(f), emptyFrame);
            assertTrue(difference > 20, "ring clip frame " + i + " must show the visitor at the bell: " + difference);
        }
        assertTrue(ring.frames.get(40).ringPressed(), "the trigger frame is the press");
    }

    @Test
    void runFor_visitorsRing_sameSeedSameFramesAndPresses() {
        ClipCollector a = run(CALLERS, Duration.ofMinutes(3));
        ClipCollector b = run(CALLERS, Duration.ofMinutes(3));
        assertEquals(a.clips.size(), b.clips.size());
        assertFalse(a.clips.isEmpty());
        for (int i = 0; i < a.clips.size(); i++) {
            assertEquals(a.clips.get(i).start, b.clips.get(i).start);
            assertEquals(a.clips.get(i).frames.size(), b.clips.get(i).frames.size());
            for (int f = 0; f < a.clips.get(i).frames.size(); f++) {
                EncodedFrame x = a.clips.get(i).frames.get(f);
                EncodedFrame y = b.clips.get(i).frames.get(f);
                assertArrayEquals(x.jpeg(), y.jpeg(), "clip " + i + " frame " + f);
                assertEquals(x.ringPressed(), y.ringPressed());
                assertEquals(x.motionPermille(), y.motionPermille());
            }
        }
    }

    @Test
    void visitors_acrossSeeds_somePressAndLeaveBeforeAnyoneAnswers() {
        long hour = 3_600_000_000L;
        for (long seed = 1; seed <= 8; seed++) {
            Visitors visitors = new Visitors(seed, 6);
            List<Visitor> left = new ArrayList<>();
            List<Visitor> answered = new ArrayList<>();
            for (Visitor v : visitors.during(T0, T0 + 2 * hour)) {
                (v.answered() ? answered : left).add(v);
            }
            assertFalse(left.isEmpty(), "seed " + seed + ": someone must give up and leave in two hours");
            assertFalse(answered.isEmpty(), "seed " + seed + ": someone must be let in within two hours");
            PorchScene scene = new PorchScene(Profile.P240, seed, 0, 0, 6);
            for (Visitor v : left) {
                for (long press : v.pressesMicros()) {
                    assertTrue(scene.visitorAtDoor(press), "seed " + seed + ": the presser stands at the door");
                }
                for (long t = v.startMicros(); t < v.endMicros(); t += 100_000L) {
                    assertEquals(0.0, v.doorOpenAt(t), "nobody opened for a visitor who left");
                }
                assertTrue(v.leavesMicros()
                        > v.pressesMicros().get(v.pressesMicros().size() - 1));
                assertFalse(v.visibleAt(v.endMicros()), "gone once walked off");
            }
            for (Visitor v : answered) {
                assertTrue(v.doorOpenAt(v.doorOpensMicros() + 500_000L) > 0.99, "the door opens for them");
            }
        }
    }
}
