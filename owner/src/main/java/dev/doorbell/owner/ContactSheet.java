package dev.doorbell.owner;

import dev.doorbell.proto.v1.ClipInfo;
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
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * A PNG grid of thumbnails of an opened clip, evenly spaced over its frames, each labelled with its frame number
 * and time, under a title line with the clip's identity and verdict and a legend: one look tells what the camera saw,
 * when the bell was pressed and where the pre-roll ends.
 *
 * <p>The presses, the trigger frame and the pre-roll are found by {@link ClipMarks}, the rule that also places the
 * chapters of {@code open --video}'s video. Marked frames always get a thumbnail, even in a long clip.
 */
public final class ContactSheet {
    static final int COLUMNS = 6;
    static final int MAX_THUMBS = 24;
    static final int THUMB_WIDTH = 200;
    static final int GAP = 6;
    static final int LABEL = 16;
    static final int TITLE = 62;
    /** A press: a border this thick around the thumbnail, in {@link #PRESS}. */
    static final int PRESS_BORDER = 3;
    /** The end of the pre-roll: a bar this wide in the gap left of the trigger frame, in {@link #PRE_ROLL}. */
    static final int BOUNDARY_BAR = 4;
    /** A pre-roll frame: a band this high along the top of its thumbnail, in {@link #PRE_ROLL}. */
    static final int PRE_ROLL_BAND = 3;

    static final Color PRESS = new Color(255, 150, 0);
    static final Color PRE_ROLL = new Color(0, 200, 230);
    private static final Color BACKGROUND = new Color(24, 24, 28);

    /** One thumbnail on the sheet: which frame, where, and what it is marked as. */
    record Thumb(int seq, int x, int y, int width, int height, boolean press, boolean trigger, boolean preRoll) {}

    /** The drawn sheet and where each thumbnail went. */
    record Sheet(BufferedImage image, List<Thumb> thumbs) {}

    private ContactSheet() {}

    /**
     * Writes the sheet to {@code out}; returns how many thumbnails it holds.
     *
     * @param info the clip's opened ClipInfo, or null when there is none (then nothing is marked)
     */
    public static int write(List<OpenedFrame> frames, ClipInfo info, String title, String subtitle, Path out)
            throws IOException {
        Sheet sheet = render(frames, info, title, subtitle);
        if (!ImageIO.write(sheet.image(), "png", out.toFile())) {
            throw new IOException("no PNG writer available for " + out);
        }
        return sheet.thumbs().size();
    }

    static Sheet render(List<OpenedFrame> frames, ClipInfo info, String title, String subtitle) throws IOException {
        ClipMarks marks = ClipMarks.of(frames, info);
        List<Integer> picked = pick(frames.size(), marks.mustShow());
        List<BufferedImage> images = new ArrayList<>();
        int thumbHeight = THUMB_WIDTH * 3 / 4;
        for (int index : picked) {
            BufferedImage img =
                    ImageIO.read(new ByteArrayInputStream(frames.get(index).plaintext()));
            if (img != null) {
                thumbHeight = Math.max(1, img.getHeight() * THUMB_WIDTH / Math.max(1, img.getWidth()));
            }
            images.add(img);
        }
        int columns = Math.max(1, Math.min(COLUMNS, picked.size()));
        int rows = Math.max(1, (picked.size() + columns - 1) / columns);
        int width = Math.max(620, GAP + columns * (THUMB_WIDTH + GAP));
        int height = TITLE + GAP + rows * (thumbHeight + LABEL + GAP);
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        List<Thumb> thumbs = new ArrayList<>();
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.WHITE);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, GAP, 19);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.setColor(new Color(200, 200, 200));
            g.drawString(subtitle, GAP, 37);
            drawLegend(g, info);
            for (int i = 0; i < picked.size(); i++) {
                int index = picked.get(i);
                OpenedFrame f = frames.get(index);
                int x = GAP + (i % columns) * (THUMB_WIDTH + GAP);
                int y = TITLE + GAP + (i / columns) * (thumbHeight + LABEL + GAP);
                Thumb thumb = new Thumb(
                        f.seq(),
                        x,
                        y,
                        THUMB_WIDTH,
                        thumbHeight,
                        marks.press().contains(index),
                        index == marks.trigger(),
                        marks.preRoll(index));
                thumbs.add(thumb);
                drawThumb(g, thumb, images.get(i), f);
            }
        } finally {
            g.dispose();
        }
        return new Sheet(sheet, thumbs);
    }

    private static void drawThumb(Graphics2D g, Thumb t, BufferedImage img, OpenedFrame f) {
        if (img != null) {
            g.drawImage(img, t.x(), t.y(), t.width(), t.height(), null);
        } else {
            g.setColor(new Color(120, 30, 30));
            g.fillRect(t.x(), t.y(), t.width(), t.height());
        }
        if (t.preRoll()) {
            g.setColor(PRE_ROLL);
            g.fillRect(t.x(), t.y(), t.width(), PRE_ROLL_BAND);
        }
        if (t.press()) {
            g.setColor(PRESS);
            g.fillRect(t.x(), t.y(), t.width(), PRESS_BORDER);
            g.fillRect(t.x(), t.y() + t.height() - PRESS_BORDER, t.width(), PRESS_BORDER);
            g.fillRect(t.x(), t.y(), PRESS_BORDER, t.height());
            g.fillRect(t.x() + t.width() - PRESS_BORDER, t.y(), PRESS_BORDER, t.height());
        }
        if (t.trigger()) {
            g.setColor(PRE_ROLL);
            g.fillRect(t.x() - GAP + 1, t.y() - 2, BOUNDARY_BAR, t.height() + LABEL);
        }
        g.setColor(t.press() ? PRESS : new Color(220, 220, 220));
        g.drawString(
                String.format(
                        "#%d  %.1f s%s%s%s",
                        f.seq(),
                        f.ptsMicros() / 1e6,
                        t.press() ? "  RING" : "",
                        t.trigger() ? "  trigger" : "",
                        f.last() ? "  last" : ""),
                t.x() + 2,
                t.y() + t.height() + 13);
    }

    private static void drawLegend(Graphics2D g, ClipInfo info) {
        int y = 52;
        int x = GAP;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(PRESS);
        g.fillRect(x, y - 9, 10, 10);
        g.setColor(new Color(200, 200, 200));
        g.drawString("bell pressed (sealed ring_pressed / ClipInfo ring time)", x + 14, y);
        x += 318;
        g.setColor(PRE_ROLL);
        g.fillRect(x, y - 11, BOUNDARY_BAR, 13);
        g.setColor(new Color(200, 200, 200));
        String preRoll = info == null ? "unknown" : info.getPreRollMs() + " ms";
        g.drawString("trigger: pre-roll (" + preRoll + ") ends", x + 8, y);
        x += 176;
        g.setColor(PRE_ROLL);
        g.fillRect(x, y - 9, 10, PRE_ROLL_BAND);
        g.setColor(new Color(200, 200, 200));
        g.drawString("pre-roll frame", x + 14, y);
    }

    /**
     * Up to {@link #MAX_THUMBS} frame indices in order: every marked one, and the rest evenly spaced over the clip.
     */
    private static List<Integer> pick(int count, TreeSet<Integer> mustShow) {
        TreeSet<Integer> picked = new TreeSet<>(mustShow);
        if (count <= MAX_THUMBS) {
            for (int i = 0; i < count; i++) {
                picked.add(i);
            }
            return new ArrayList<>(picked);
        }
        int spread = MAX_THUMBS - picked.size();
        for (int i = 0; i < spread; i++) {
            picked.add((int) ((long) i * (count - 1) / Math.max(1, spread - 1)));
        }
        return new ArrayList<>(picked);
    }
}
