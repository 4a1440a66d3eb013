package dev.doorbell.device.camera;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;

/**
 * Frame-difference motion detection on a small grayscale grid (80 columns; 60 rows at 4:3, 45 at 16:9). Each frame
 * is averaged into the grid, scaled so that its mean brightness equals the background's (a cloud or dusk changes
 * every cell alike and so cancels out), and compared cell by cell with a running-average background. The score is
 * the fraction of cells that differ by more than {@link MotionThresholds#pixelDelta()}.
 *
 * <p>Not thread-safe; one per camera.
 */
public final class MotionDetector {
    public static final int GRID_COLUMNS = 80;
    /** Background adaptation per frame: about one second to absorb a change at 10 fps. */
    private static final float BACKGROUND_RATE = 0.1f;

    private static final double RELEASE_RATIO = 0.5;

    private final MotionThresholds thresholds;
    private float[] background;
    private float[] grid;
    private int[] row = new int[0];
    private int[] cellOfColumn = new int[0];
    private float backgroundMean;
    private double score;
    private boolean motion;
    private int framesAbove;

    public MotionDetector(MotionThresholds thresholds) {
        this.thresholds = thresholds;
    }

    /** Feeds the next frame; returns whether there is motion now. */
    public boolean update(BufferedImage frame) {
        float mean = downscale(frame);
        if (background == null) {
            background = grid.clone();
            backgroundMean = mean;
            score = 0;
            return false;
        }
        float gain = mean > 0.5f ? backgroundMean / mean : 1f;
        int changed = 0;
        for (int i = 0; i < grid.length; i++) {
            float v = grid[i] * gain;
            if (Math.abs(v - background[i]) > thresholds.pixelDelta()) {
                changed++;
            }
            background[i] += BACKGROUND_RATE * (v - background[i]);
        }
        score = changed / (double) grid.length;
        if (!motion) {
            framesAbove = score >= thresholds.areaFraction() ? framesAbove + 1 : 0;
            motion = framesAbove >= thresholds.confirmFrames();
        } else if (score < thresholds.areaFraction() * RELEASE_RATIO) {
            motion = false;
            framesAbove = 0;
        }
        return motion;
    }

    /** The fraction of grid cells (0..1) that changed in the last frame. */
    public double score() {
        return score;
    }

    public boolean motion() {
        return motion;
    }

    /** Averages the frame's luma into the grid and returns the grid's mean. */
    private float downscale(BufferedImage frame) {
        int w = frame.getWidth();
        int h = frame.getHeight();
        int columns = Math.min(GRID_COLUMNS, w);
        int rows = Math.max(1, Math.min(h, Math.round(columns * (float) h / w)));
        if (grid == null || grid.length != columns * rows) {
            if (grid != null) {
                throw new IllegalArgumentException("frame size changed to " + w + "x" + h);
            }
            grid = new float[columns * rows];
        }
        int cellW = w / columns;
        int cellH = h / rows;
        if (cellOfColumn.length != columns * cellW) {
            cellOfColumn = new int[columns * cellW];
            for (int x = 0; x < cellOfColumn.length; x++) {
                cellOfColumn[x] = x / cellW;
            }
        }
        if (row.length != w) {
            row = new int[w];
        }
        int[] packed = frame.getType() == BufferedImage.TYPE_INT_RGB
                ? ((DataBufferInt) frame.getRaster().getDataBuffer()).getData()
                : null;
        Arrays.fill(grid, 0f);
        for (int y = 0; y < rows * cellH; y++) {
            int[] line = row;
            int base = 0;
            if (packed != null) {
                line = packed;
                base = y * w;
            } else {
                frame.getRGB(0, y, w, 1, row, 0, w);
            }
            int gridRow = (y / cellH) * columns;
            for (int x = 0; x < cellOfColumn.length; x++) {
                int p = line[base + x];
                grid[gridRow + cellOfColumn[x]] +=
                        (77 * ((p >> 16) & 0xFF) + 150 * ((p >> 8) & 0xFF) + 29 * (p & 0xFF)) >> 8;
            }
        }
        float cell = cellW * cellH;
        float sum = 0;
        for (int i = 0; i < grid.length; i++) {
            grid[i] /= cell;
            sum += grid[i];
        }
        return sum / grid.length;
    }
}
