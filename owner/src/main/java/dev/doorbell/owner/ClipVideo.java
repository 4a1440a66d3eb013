package dev.doorbell.owner;

import dev.doorbell.owner.video.MjpegMatroskaWriter;
import dev.doorbell.owner.video.Movie;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.OpenedFrame;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * An opened clip as a video any player plays ({@code open --video}): the verified JPEG frames, unchanged, in Matroska
 * ({@code V_MJPEG}), each at the time it was captured (its sealed pts), with chapters where the contact sheet has
 * marks ({@link ClipMarks}): "pre-roll" from the first frame when it is a pre-roll frame, then one chapter per press
 * and at the trigger frame, where the pre-roll ends.
 *
 * <p>Only frames that verified go into the video, as only they are written as JPEGs. An OK clip's video is
 * {@code video.mkv}; any other clip with verified frames (TRUNCATED, or the frames before a TAMPERED or around a
 * DAMAGED one) gets {@code video-VERDICT.mkv}, so that the name alone says it is not the whole clip, and its title
 * carries the verdict. A clip with no verified frame gets no video.
 */
public final class ClipVideo {
    static final String PREFIX = "video";
    static final String EXTENSION = ".mkv";

    /** Without a frame rate in the ClipInfo or two frames to measure one, a frame is shown this long. */
    private static final long FALLBACK_FRAME_NANOS = 100_000_000L;

    private ClipVideo() {}

    /** {@code video.mkv} for an OK clip, {@code video-TRUNCATED.mkv} and so on for any other verdict. */
    public static String fileName(ClipVerdict.Status status) {
        return status == ClipVerdict.Status.OK ? PREFIX + EXTENSION : PREFIX + "-" + status.name() + EXTENSION;
    }

    /** The video {@code open --video} wrote in a clip's directory, if any. */
    public static Optional<Path> find(Path clipDir) throws IOException {
        if (!Files.isDirectory(clipDir)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> videos = Files.newDirectoryStream(clipDir, PREFIX + "*" + EXTENSION)) {
            for (Path video : videos) {
                return Optional.of(video);
            }
        }
        return Optional.empty();
    }

    /**
     * Writes the video of {@code verdict}'s verified frames into {@code clipDir}, replacing one an earlier run wrote,
     * and returns the lines for verdict.txt: what was written and its chapters, or why there is no video.
     *
     * @param info the clip's ClipInfo, or null (no marks, no chapters)
     * @param title the video's title; the verdict is added to it
     */
    static List<String> write(Path clipDir, ClipVerdict verdict, ClipInfo info, String title) throws IOException {
        for (Optional<Path> earlier = find(clipDir); earlier.isPresent(); earlier = find(clipDir)) {
            Files.delete(earlier.get());
        }
        List<OpenedFrame> frames = verdict.frames();
        if (frames.isEmpty()) {
            return List.of("no video: no frame verified");
        }
        int[] size = jpegSize(frames.get(0).plaintext());
        if (size == null) {
            return List.of(
                    "no video: frame " + frames.get(0).seq() + " is not a JPEG image (no start-of-frame marker)");
        }
        ClipMarks marks = ClipMarks.of(frames, info);
        List<Movie.Frame> movieFrames = new ArrayList<>();
        for (OpenedFrame f : frames) {
            movieFrames.add(new Movie.Frame(millis(f.ptsMicros()), f.plaintext()));
        }
        long frameNanos = frameNanos(frames, info);
        String name = fileName(verdict.status());
        long endMillis = Math.round(movieFrames.get(movieFrames.size() - 1).timeMillis() + frameNanos / 1e6);
        Movie movie;
        try {
            movie = new Movie(
                    title + " - " + verdict.summary(),
                    info == null || info.getStartTimeUnixMs() == 0
                            ? null
                            : Instant.ofEpochMilli(info.getStartTimeUnixMs()),
                    size[0],
                    size[1],
                    frameNanos,
                    movieFrames,
                    chapters(frames, marks, info, endMillis));
        } catch (IllegalArgumentException e) {
            return List.of("no video: " + e.getMessage());
        }
        MjpegMatroskaWriter.write(movie, clipDir.resolve(name));
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "video: %s (%d frames, %.2f s, %dx%d MJPEG in Matroska)%s",
                name,
                frames.size(),
                movie.durationMillis() / 1000,
                size[0],
                size[1],
                verdict.isOk()
                        ? ""
                        : ": only the frames that verified, not the whole clip (" + verdict.status() + ")"));
        for (Movie.Chapter c : movie.chapters()) {
            lines.add(String.format("  chapter at %.3f s: %s", c.startMillis() / 1000.0, c.title()));
        }
        return lines;
    }

    /**
     * One chapter per marked frame, as on the contact sheet, and "pre-roll" from the start when the first frame is a
     * pre-roll frame; each ends where the next begins, the last at the end of the video.
     */
    static List<Movie.Chapter> chapters(List<OpenedFrame> frames, ClipMarks marks, ClipInfo info, long endMillis) {
        TreeSet<Integer> starts = marks.mustShow();
        if (marks.preRoll(0)) {
            starts.add(0);
        }
        List<Integer> at = new ArrayList<>(starts);
        List<Movie.Chapter> chapters = new ArrayList<>();
        for (int i = 0; i < at.size(); i++) {
            int index = at.get(i);
            List<String> parts = new ArrayList<>();
            if (marks.preRoll(index) && index == 0) {
                parts.add("pre-roll");
            }
            if (marks.press().contains(index)) {
                parts.add("ring");
            }
            if (index == marks.trigger()) {
                parts.add(info != null && info.getPreRollMs() > 0 ? "trigger: pre-roll ends" : "trigger");
            }
            long start = millis(frames.get(index).ptsMicros());
            long end = i + 1 < at.size() ? millis(frames.get(at.get(i + 1)).ptsMicros()) : endMillis;
            chapters.add(new Movie.Chapter(
                    start,
                    end,
                    String.join(", ", parts) + " (frame " + frames.get(index).seq() + ")"));
        }
        return chapters;
    }

    /** The nearest millisecond: the video's time scale. */
    static long millis(long micros) {
        return (micros + 500) / 1000;
    }

    /** One frame's display time: from the ClipInfo's frame rate, else the median gap between frames. */
    private static long frameNanos(List<OpenedFrame> frames, ClipInfo info) {
        if (info != null && info.getFps() > 0) {
            return Math.round(1e9 / info.getFps());
        }
        if (frames.size() < 2) {
            return FALLBACK_FRAME_NANOS;
        }
        long[] gaps = new long[frames.size() - 1];
        for (int i = 1; i < frames.size(); i++) {
            gaps[i - 1] = frames.get(i).ptsMicros() - frames.get(i - 1).ptsMicros();
        }
        Arrays.sort(gaps);
        long median = gaps[gaps.length / 2] * 1000;
        return median > 0 ? median : FALLBACK_FRAME_NANOS;
    }

    /**
     * Width and height from a JPEG's start-of-frame segment, or null when {@code jpeg} is not a JPEG: the frames are
     * what is played, so their own size goes into the track, whatever the ClipInfo says.
     */
    static int[] jpegSize(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xff) != 0xFF || (jpeg[1] & 0xff) != 0xD8) {
            return null;
        }
        int i = 2;
        while (i + 3 < jpeg.length) {
            if ((jpeg[i] & 0xff) != 0xFF) {
                return null;
            }
            int marker = jpeg[i + 1] & 0xff;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                return null;
            }
            int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
            boolean startOfFrame =
                    marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame && i + 8 < jpeg.length) {
                int height = ((jpeg[i + 5] & 0xff) << 8) | (jpeg[i + 6] & 0xff);
                int width = ((jpeg[i + 7] & 0xff) << 8) | (jpeg[i + 8] & 0xff);
                return width > 0 && height > 0 ? new int[] {width, height} : null;
            }
            i += 2 + length;
        }
        return null;
    }
}
