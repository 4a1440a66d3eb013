package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.testing.Waits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class CameraTest {
    private static final CameraConfig BUSY =
            CameraConfig.defaults("front-door", Profile.P240, 1234).withRates(0, 6, 6);
    private static final CameraConfig QUIET = BUSY.withRates(0, 0, 0);

    private static ClipCollector run(CameraConfig config, Duration duration) {
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(config, VirtualSimClock.startingAtDefault(), clips);
        camera.runFor(duration);
        camera.stop();
        return clips;
    }

    private static void assertSameClips(ClipCollector a, ClipCollector b) {
        assertEquals(a.clips.size(), b.clips.size());
        for (int i = 0; i < a.clips.size(); i++) {
            ClipCollector.Clip x = a.clips.get(i);
            ClipCollector.Clip y = b.clips.get(i);
            assertEquals(x.start, y.start);
            assertEquals(x.summary, y.summary);
            for (int f = 0; f < x.frames.size(); f++) {
                assertEquals(x.frames.get(f).ptsMicros(), y.frames.get(f).ptsMicros());
                assertArrayEquals(x.frames.get(f).jpeg(), y.frames.get(f).jpeg(), "clip " + i + " frame " + f);
            }
        }
    }

    @Test
    void runFor_sameSeed_identicalClipsAndFrames() {
        ClipCollector a = run(BUSY, Duration.ofMinutes(1));
        ClipCollector b = run(BUSY, Duration.ofMinutes(1));
        assertTrue(
                a.clips.stream().anyMatch(c -> c.start.trigger() == Trigger.TRIGGER_MOTION),
                "people and cars passing must make motion clips; clips: " + a.clips.size());
        assertSameClips(a, b);
    }

    @Test
    void runFor_differentSeed_differentSchedule() {
        List<Long> a = run(BUSY, Duration.ofMinutes(1)).clips.stream()
                .map(c -> c.start.startTimeUnixMs())
                .toList();
        List<Long> b = run(BUSY.withSeed(99), Duration.ofMinutes(1)).clips.stream()
                .map(c -> c.start.startTimeUnixMs())
                .toList();
        assertFalse(a.isEmpty());
        assertNotEquals(a, b);
    }

    @Test
    void runFor_onlyLightDriftAndClouds_noClip() {
        CameraConfig cloudy = QUIET.withRates(0, 0, 120);
        PorchScene scene = new PorchScene(cloudy.profile(), cloudy.seed(), 0, 120);
        long t0 = VirtualSimClock.startingAtDefault().nowMicros();
        double min = 1;
        double max = 0;
        for (long t = t0; t < t0 + 180_000_000L; t += 1_000_000L) {
            min = Math.min(min, scene.lightLevel(t));
            max = Math.max(max, scene.lightLevel(t));
        }
        assertTrue(max - min > 0.1, "the light must really change in this test: " + min + ".." + max);
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(cloudy, VirtualSimClock.startingAtDefault(), clips);
        camera.runFor(Duration.ofMinutes(3));
        assertEquals(1800, camera.stats().framesCaptured());
        assertEquals(0, camera.stats().motionFrames());
        assertTrue(clips.clips.isEmpty());
    }

    @Test
    void runFor_ringWithoutMotion_ringClipWithPreRollAndPostRoll() throws IOException {
        VirtualSimClock clock = VirtualSimClock.startingAtDefault();
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(QUIET, clock, clips);
        camera.ringSchedule().pressAt(clock.nowMicros() + 10_000_000L);
        camera.runFor(Duration.ofSeconds(30));
        assertEquals(1, clips.clips.size());
        ClipCollector.Clip clip = clips.clips.get(0);
        assertEquals(Trigger.TRIGGER_RING, clip.start.trigger());
        assertEquals(4000, clip.start.preRollMs());
        long preRollFrames =
                clip.frames.stream().filter(f -> f.ptsMicros() < 4_000_000L).count();
        assertEquals(40, preRollFrames, "pre-roll x fps frames precede the trigger frame");
        assertEquals(4_000_000L + 5_000_000L, clip.lastPts(), "post-roll of 5 s after the ring");
        assertEquals(ClipSummary.EndReason.QUIET, clip.summary.endReason());
        assertEquals(1, clip.lastFlags.stream().filter(b -> b).count());
        assertTrue(clip.lastFlags.get(clip.lastFlags.size() - 1));
        for (EncodedFrame f : List.of(clip.frames.get(0), clip.frames.get(clip.frames.size() - 1))) {
            BufferedImage decoded = ImageIO.read(new ByteArrayInputStream(f.jpeg()));
            assertEquals(320, decoded.getWidth());
            assertEquals(240, decoded.getHeight());
        }
    }

    @Test
    void runFor_longMotion_splitAtMaxClip() {
        CameraConfig busy =
                BUSY.withRates(0, 20, 0).withRolls(Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(6));
        ClipCollector clips = run(busy, Duration.ofMinutes(1));
        assertTrue(
                clips.finished().stream().anyMatch(c -> c.summary.endReason() == ClipSummary.EndReason.MAX_LENGTH),
                "with 20 passers-by a minute some motion outlasts 6 s");
        for (ClipCollector.Clip clip : clips.finished()) {
            assertTrue(clip.summary.duration().compareTo(Duration.ofSeconds(6)) <= 0, clip.summary.toString());
            assertEquals(1, clip.lastFlags.stream().filter(b -> b).count());
            assertTrue(clip.lastFlags.get(clip.lastFlags.size() - 1));
        }
    }

    @Test
    void stop_clipInProgress_endsWithFinalFrameLast() {
        VirtualSimClock clock = VirtualSimClock.startingAtDefault();
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(QUIET, clock, clips);
        camera.ringSchedule().pressAt(clock.nowMicros() + 5_000_000L);
        camera.runFor(Duration.ofSeconds(8));
        assertTrue(clips.clipOpen(), "still in post-roll");
        camera.stop();
        assertFalse(clips.clipOpen());
        ClipCollector.Clip clip = clips.clips.get(0);
        assertEquals(ClipSummary.EndReason.STOPPED, clip.summary.endReason());
        assertTrue(clip.lastFlags.get(clip.lastFlags.size() - 1));
        long captured = camera.stats().framesCaptured();
        camera.runFor(Duration.ofSeconds(5));
        assertEquals(captured, camera.stats().framesCaptured(), "a stopped camera captures nothing");
    }

    @Test
    void stop_fromAnotherThreadOnRealClock_runForReturnsAndClipEnds() throws InterruptedException {
        ClipCollector clips = new ClipCollector();
        Camera camera = new Camera(QUIET, new SystemSimClock(), clips);
        camera.ringSchedule().pressAt(0);
        Thread runner = new Thread(() -> camera.runFor(Duration.ofMinutes(1)), "camera-test");
        runner.start();
        // At 10 fps in real time, five frames take half a second.
        Waits.await("five frames captured in real time", Duration.ofSeconds(10))
                .until(() -> camera.stats().framesCaptured() >= 5);
        camera.stop();
        runner.join(Duration.ofSeconds(5).toMillis());
        assertFalse(runner.isAlive(), "runFor must return soon after stop");
        assertEquals(1, clips.finished().size());
        assertEquals(Trigger.TRIGGER_RING, clips.finished().get(0).start.trigger());
    }

    /** Prints the CPU cost of one 480p camera; not an assertion, because shared build machines vary. */
    @Test
    void runFor_480p_reportsCpuPerFrame() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        CameraConfig config = CameraConfig.defaults("perf", Profile.P480, 5).withRates(0, 6, 6);
        Camera camera = new Camera(config, VirtualSimClock.startingAtDefault(), new ClipCollector());
        camera.runFor(Duration.ofSeconds(5));
        long cpu0 = threads.getCurrentThreadCpuTime();
        camera.runFor(Duration.ofSeconds(20));
        long cpu = threads.getCurrentThreadCpuTime() - cpu0;
        double msPerFrame = cpu / 1e6 / 200;
        System.out.printf(
                "camera 480p: %.2f ms CPU per frame (render + detect + encode), %.1f%% of a core at %d fps%n",
                msPerFrame, msPerFrame * Profile.P480.fps() / 10.0, Profile.P480.fps());
        assertEquals(250, camera.stats().framesCaptured());
    }
}
