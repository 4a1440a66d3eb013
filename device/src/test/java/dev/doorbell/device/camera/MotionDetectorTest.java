package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import org.junit.jupiter.api.Test;

class MotionDetectorTest {
    private static final long T0 = VirtualSimClock.DEFAULT_START.getEpochSecond() * 1_000_000L;

    private final PorchScene scene = new PorchScene(Profile.P240, 9, 0, 0);
    private final MotionDetector detector = new MotionDetector(MotionThresholds.defaults());

    /** The empty porch at frame n, its light scaled by {@code light}, with a block drawn at x when x >= 0. */
    private BufferedImage frame(int n, double light, int blockX) {
        BufferedImage image = scene.render(T0 + n * 100_000L);
        int[] px = ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < px.length; i++) {
            Color c = new Color(px[i]);
            px[i] = Daylight.shade(c, light).getRGB() & 0xFFFFFF;
        }
        if (blockX >= 0) {
            Graphics2D g = image.createGraphics();
            g.setColor(new Color(20, 20, 25));
            g.fillRect(blockX, 100, 30, 100);
            g.dispose();
        }
        return image;
    }

    @Test
    void update_fastGlobalLightChange_noMotion() {
        for (int n = 0; n < 100; n++) {
            double light = 1.0 - 0.5 * Math.sin(Math.PI * n / 100.0);
            assertFalse(detector.update(frame(n, light, -1)), "frame " + n + " score " + detector.score());
        }
    }

    @Test
    void update_staticSceneWithNoise_scoreZero() {
        for (int n = 0; n < 30; n++) {
            assertFalse(detector.update(frame(n, 1.0, -1)));
            assertTrue(detector.score() < 0.002, "score " + detector.score());
        }
    }

    @Test
    void update_movingBlock_motionWithScoreAboveThreshold() {
        for (int n = 0; n < 10; n++) {
            detector.update(frame(n, 1.0, -1));
        }
        boolean seen = false;
        for (int n = 10; n < 40; n++) {
            seen |= detector.update(frame(n, 1.0, 8 * (n - 10)));
        }
        assertTrue(seen);
        assertTrue(detector.motion());
        assertTrue(detector.score() >= MotionThresholds.defaults().areaFraction(), "score " + detector.score());
    }

    @Test
    void update_oneGlitchFrame_noMotion() {
        for (int n = 0; n < 10; n++) {
            detector.update(frame(n, 1.0, -1));
        }
        assertFalse(detector.update(frame(10, 1.0, 100)));
        assertTrue(detector.score() > 0.01, "the glitch is scored: " + detector.score());
        assertFalse(detector.update(frame(11, 1.0, -1)));
    }

    @Test
    void update_blockStops_absorbedIntoBackgroundAndMotionEnds() {
        for (int n = 0; n < 10; n++) {
            detector.update(frame(n, 1.0, -1));
        }
        for (int n = 10; n < 30; n++) {
            detector.update(frame(n, 1.0, 8 * (n - 10)));
        }
        assertTrue(detector.motion());
        int n = 30;
        while (detector.update(frame(n, 1.0, 160)) && n < 60) {
            n++;
        }
        assertFalse(detector.motion(), "still motion 3 s after the block stopped");
    }

    /**
     * A grey frame with a black square of {@code cells} x {@code cells} grid cells (4x4 pixels each at 240p) when
     * {@code on}: a blinking square changes exactly that many cells in every frame.
     */
    private static BufferedImage blink(int cells, boolean on) {
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(128, 128, 128));
        g.fillRect(0, 0, 320, 240);
        if (on) {
            g.setColor(Color.BLACK);
            g.fillRect(40, 40, 4 * cells, 4 * cells);
        }
        g.dispose();
        return image;
    }

    @Test
    void update_scoreBetweenHalfAndFullThreshold_holdsMotionButCannotStartIt() {
        for (int n = 0; n < 40; n++) {
            assertFalse(detector.update(blink(6, n % 2 == 0)), "36 of 4800 cells alone must not start motion");
        }
        MotionDetector held = new MotionDetector(MotionThresholds.defaults());
        for (int n = 0; n < 10; n++) {
            held.update(blink(20, n % 2 == 0));
        }
        assertTrue(held.motion(), "400 cells start motion");
        for (int n = 0; n < 20; n++) {
            assertTrue(held.update(blink(6, n % 2 == 0)), "36 cells hold it, frame " + n + " score " + held.score());
        }
        boolean released = false;
        for (int n = 0; n < 30 && !released; n++) {
            released = !held.update(blink(4, n % 2 == 0));
        }
        assertTrue(released, "16 cells, below half the threshold, release it once the larger square has faded");
    }
}
