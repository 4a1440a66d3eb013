package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PorchSceneTest {
    private static final long T0 = VirtualSimClock.DEFAULT_START.getEpochSecond() * 1_000_000L;

    private static int[] pixels(BufferedImage image) {
        return ((DataBufferInt) image.getRaster().getDataBuffer()).getData();
    }

    @Test
    void render_sameSeedAndTime_identicalPixels() {
        PorchScene a = new PorchScene(Profile.P240, 7, 6, 6);
        PorchScene b = new PorchScene(Profile.P240, 7, 6, 6);
        for (long t = T0; t < T0 + 120_000_000L; t += 7_300_000L) {
            assertArrayEquals(pixels(a.render(t)), pixels(b.render(t)), "frame at " + t);
        }
    }

    @Test
    void render_outOfOrder_sameAsInOrder() {
        PorchScene scene = new PorchScene(Profile.P240, 11, 6, 6);
        long late = T0 + 600_000_000L;
        int[] first = pixels(scene.render(late)).clone();
        scene.render(T0);
        assertArrayEquals(first, pixels(scene.render(late)));
    }

    @Test
    void render_differentSeed_differentPixelsAndCrossings() {
        PorchScene a = new PorchScene(Profile.P240, 1, 6, 6);
        PorchScene b = new PorchScene(Profile.P240, 2, 6, 6);
        assertFalse(Arrays.equals(pixels(a.render(T0)), pixels(b.render(T0))));
        int differ = 0;
        for (long t = T0; t < T0 + 600_000_000L; t += 1_000_000L) {
            differ += a.crossingsInView(t) != b.crossingsInView(t) ? 1 : 0;
        }
        assertTrue(differ > 30, "crossing schedules should differ, differed in " + differ + " of 600 seconds");
    }

    @Test
    void crossingsInView_rateZero_nobodyEver() {
        PorchScene scene = new PorchScene(Profile.P240, 3, 0, 6);
        for (long t = T0; t < T0 + 3_600_000_000L; t += 5_000_000L) {
            assertEquals(0, scene.crossingsInView(t));
        }
    }

    @Test
    void lightLevel_overAnHour_driftsSlowlyWithinRange() {
        PorchScene scene = new PorchScene(Profile.P240, 5, 0, 30);
        double min = 1;
        double max = 0;
        double previous = scene.lightLevel(T0);
        for (long t = T0; t < T0 + 3_600_000_000L; t += 100_000L) {
            double level = scene.lightLevel(t);
            assertTrue(level >= 0.25 && level <= 1.0, "level " + level);
            assertTrue(Math.abs(level - previous) < 0.01, "light jumped by " + (level - previous) + " in one frame");
            min = Math.min(min, level);
            max = Math.max(max, level);
            previous = level;
        }
        assertTrue(max - min > 0.2, "light should change over an hour: " + min + ".." + max);
    }

    /** Not a check but a picture for people: a contact sheet of busy moments and one at dusk. */
    @Test
    void render_busyMoments_writesContactSheetPng() throws IOException {
        PorchScene scene = new PorchScene(Profile.P480, 42, 8, 12);
        List<Long> times = new ArrayList<>();
        for (long t = T0; times.size() < 8 && t < T0 + 3_600_000_000L; t += 2_500_000L) {
            if (scene.crossingsInView(t) > 0 && (times.isEmpty() || t - times.get(times.size() - 1) > 20_000_000L)) {
                times.add(t);
            }
        }
        long dusk = T0;
        for (long t = T0; t < T0 + 3_600_000_000L; t += 10_000_000L) {
            dusk = scene.lightLevel(t) < scene.lightLevel(dusk) ? t : dusk;
        }
        times.add(dusk);
        assertEquals(9, times.size(), "a busy scene should have 8 moments with someone in view within an hour");
        int tileW = 320;
        int tileH = 240;
        BufferedImage sheet = new BufferedImage(3 * tileW, 3 * tileH, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        for (int i = 0; i < times.size(); i++) {
            g.drawImage(scene.render(times.get(i)), (i % 3) * tileW, (i / 3) * tileH, tileW, tileH, null);
        }
        g.dispose();
        Path out = Path.of("target", "camera-contact-sheet.png");
        Files.createDirectories(out.getParent());
        assertTrue(ImageIO.write(sheet, "png", out.toFile()));
        assertEquals(3 * tileW, ImageIO.read(out.toFile()).getWidth());
        System.out.println("contact sheet: " + out.toAbsolutePath());
    }
}
