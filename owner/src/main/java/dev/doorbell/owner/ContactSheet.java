package dev.doorbell.owner;

import dev.doorbell.seal.OpenedFrame;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * A PNG grid of thumbnails of an opened clip, evenly spaced over its frames, each labelled with its frame number
 * and time, under a title line with the clip's identity and verdict: one look tells what the camera saw.
 */
public final class ContactSheet {
    private static final int COLUMNS = 6;
    private static final int MAX_THUMBS = 24;
    private static final int THUMB_WIDTH = 200;
    private static final int GAP = 6;
    private static final int LABEL = 16;
    private static final int TITLE = 44;

    private ContactSheet() {}

    /** Writes the sheet to {@code out}; returns how many thumbnails it holds. */
    public static int write(List<OpenedFrame> frames, String title, String subtitle, Path out) throws IOException {
        List<OpenedFrame> picked = pick(frames);
        List<BufferedImage> thumbs = new ArrayList<>();
        int thumbHeight = THUMB_WIDTH * 3 / 4;
        for (OpenedFrame f : picked) {
            BufferedImage img = ImageIO.read(new ByteArrayInputStream(f.plaintext()));
            if (img != null) {
                thumbHeight = Math.max(1, img.getHeight() * THUMB_WIDTH / Math.max(1, img.getWidth()));
            }
            thumbs.add(img);
        }
        int columns = Math.max(1, Math.min(COLUMNS, picked.size()));
        int rows = Math.max(1, (picked.size() + columns - 1) / columns);
        int width = Math.max(520, GAP + columns * (THUMB_WIDTH + GAP));
        int height = TITLE + GAP + rows * (thumbHeight + LABEL + GAP);
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(new Color(24, 24, 28));
            g.fillRect(0, 0, width, height);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, GAP, 19);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(200, 200, 200));
            g.drawString(subtitle, GAP, 37);
            for (int i = 0; i < picked.size(); i++) {
                int x = GAP + (i % columns) * (THUMB_WIDTH + GAP);
                int y = TITLE + GAP + (i / columns) * (thumbHeight + LABEL + GAP);
                BufferedImage img = thumbs.get(i);
                if (img != null) {
                    g.drawImage(img, x, y, THUMB_WIDTH, thumbHeight, null);
                } else {
                    g.setColor(new Color(120, 30, 30));
                    g.fillRect(x, y, THUMB_WIDTH, thumbHeight);
                }
                OpenedFrame f = picked.get(i);
                g.setColor(new Color(220, 220, 220));
                g.drawString(
                        String.format("#%d  %.1f s%s", f.seq(), f.ptsMicros() / 1e6, f.last() ? "  last" : ""),
                        x + 2,
                        y + thumbHeight + 13);
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(sheet, "png", out.toFile())) {
            throw new IOException("no PNG writer available");
        }
        return picked.size();
    }

    private static List<OpenedFrame> pick(List<OpenedFrame> frames) {
        if (frames.size() <= MAX_THUMBS) {
            return frames;
        }
        List<OpenedFrame> picked = new ArrayList<>(MAX_THUMBS);
        for (int i = 0; i < MAX_THUMBS; i++) {
            picked.add(frames.get((int) ((long) i * (frames.size() - 1) / (MAX_THUMBS - 1))));
        }
        return picked;
    }
}
