package dev.doorbell.owner.video;

import java.time.Instant;
import java.util.List;

/**
 * What goes into one video file: JPEG frames, each at its own time, and chapters. Times are milliseconds from the
 * start of the recording (the Matroska timestamp scale used here), so a frame keeps the time it was captured at
 * rather than its index divided by a frame rate.
 *
 * @param title shown by players as the file's title
 * @param recorded when the recording started, or null when unknown
 * @param width the frames' width in pixels
 * @param height the frames' height in pixels
 * @param frameDurationNanos how long each frame is shown unless the next one comes sooner, in nanoseconds
 * @param frames in the order they are played, times not decreasing
 * @param chapters in order of their start times
 */
public record Movie(
        String title,
        Instant recorded,
        int width,
        int height,
        long frameDurationNanos,
        List<Frame> frames,
        List<Chapter> chapters) {

    /** One JPEG image shown at {@code timeMillis}. */
    public record Frame(long timeMillis, byte[] jpeg) {}

    /** A named span of the recording, from {@code startMillis} up to {@code endMillis}. */
    public record Chapter(long startMillis, long endMillis, String title) {}

    public Movie {
        frames = List.copyOf(frames);
        chapters = List.copyOf(chapters);
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("a movie needs at least one frame: '" + title + "'");
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size " + width + "x" + height + " of '" + title + "'");
        }
        if (frameDurationNanos <= 0) {
            throw new IllegalArgumentException("frame duration " + frameDurationNanos + " ns of '" + title + "'");
        }
        for (int i = 1; i < frames.size(); i++) {
            if (frames.get(i).timeMillis() < frames.get(i - 1).timeMillis()) {
                throw new IllegalArgumentException("frame " + i + " of '" + title + "' goes back in time: "
                        + frames.get(i - 1).timeMillis() + " ms, then "
                        + frames.get(i).timeMillis() + " ms");
            }
        }
        if (frames.get(0).timeMillis() < 0) {
            throw new IllegalArgumentException("frame 0 of '" + title + "' before the start: "
                    + frames.get(0).timeMillis() + " ms");
        }
    }

    /** From the start of the recording to the end of the last frame's display, in milliseconds. */
    public double durationMillis() {
        return frames.get(frames.size() - 1).timeMillis() + frameDurationNanos / 1e6;
    }
}
