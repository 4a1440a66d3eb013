package dev.doorbell.device.camera;

import java.awt.Color;
import java.awt.Graphics2D;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * Burns the capture time into the frame as cameras do, with a built-in 3x5 pixel font: system fonts differ
 * between machines, and the same seed and time must give the same pixels everywhere.
 */
final class TimestampOverlay {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final String CHARS = "0123456789-: ";
    /** Rows of 3 bits per glyph, top row first, in the order of CHARS. */
    private static final int[][] GLYPHS = {
        {7, 5, 5, 5, 7}, {2, 6, 2, 2, 7}, {7, 1, 7, 4, 7}, {7, 1, 7, 1, 7}, {5, 5, 7, 1, 1},
        {7, 4, 7, 1, 7}, {7, 4, 7, 5, 7}, {7, 1, 2, 2, 2}, {7, 5, 7, 5, 7}, {7, 5, 7, 1, 7},
        {0, 0, 7, 0, 0}, {0, 2, 0, 2, 0}, {0, 0, 0, 0, 0},
    };

    private static final Color BACKGROUND = new Color(20, 20, 20);

    private TimestampOverlay() {}

    static void draw(Graphics2D g, int width, int height, long timeMicros) {
        String text = FORMAT.format(Instant.ofEpochSecond(Math.floorDiv(timeMicros, 1_000_000L)));
        int scale = Math.max(1, height / 120);
        int advance = 4 * scale;
        int x0 = 2 * scale;
        int y0 = height - 7 * scale;
        g.setColor(BACKGROUND);
        g.fillRect(x0 - scale, y0 - scale, text.length() * advance + scale, 7 * scale);
        g.setColor(Color.WHITE);
        for (int i = 0; i < text.length(); i++) {
            int[] rows = GLYPHS[CHARS.indexOf(text.charAt(i))];
            for (int row = 0; row < 5; row++) {
                for (int col = 0; col < 3; col++) {
                    if ((rows[row] & (4 >> col)) != 0) {
                        g.fillRect(x0 + i * advance + col * scale, y0 + row * scale, scale, scale);
                    }
                }
            }
        }
    }
}
