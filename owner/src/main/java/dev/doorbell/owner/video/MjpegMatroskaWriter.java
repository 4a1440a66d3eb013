package dev.doorbell.owner.video;

import dev.doorbell.owner.video.Ebml.Element;
import dev.doorbell.owner.video.Ebml.Master;
import dev.doorbell.owner.video.Ebml.Position;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes JPEG frames unchanged into a Matroska file (codec {@code V_MJPEG}), with each frame's own timestamp,
 * chapters, a seek index (Cues) and a SeekHead that points at every top-level element, so that players seek at once.
 *
 * <p>Hand-written rather than taken from a library: no well-kept Java library writes MJPEG Matroska or AVI without
 * native code. Monte Media (AVI, MJPG) and JCodec (MKVMuxer) are not in the build's repository; Monte Media's AVI
 * writer gives every frame the same duration, and neither writes chapters. FFmpeg wrappers (JavaCV, Jaffree) need the
 * ffmpeg binaries. Matroska rather than AVI because it carries what a doorbell clip needs: a capture time per frame
 * (AVI has only a fixed frame rate) and chapters for the press and the end of the pre-roll.
 *
 * <p>Layout, all sizes known before the first byte is written, so the file is written front to back in one pass:
 *
 * <pre>
 * EBML header (DocType matroska, version 2)
 * Segment
 *   SeekHead    Info, Tracks, Chapters, Cues and where each starts
 *   Info        timestamp scale 1 ms, duration, title, date, muxing and writing application
 *   Tracks      one video track: V_MJPEG, width, height, default duration (one frame)
 *   Chapters    one edition, a ChapterAtom per chapter (left out when there is none)
 *   Cluster...  a timestamp, then a SimpleBlock (keyframe) per frame; a new cluster each second
 *   Cues        a CuePoint per cluster
 * </pre>
 *
 * <p>Frame times are in whole milliseconds (the timestamp scale most Matroska files use, and the one players are
 * tested with); a block's time is a signed 16-bit offset from its cluster's.
 */
public final class MjpegMatroskaWriter {
    static final int EBML = 0x1A45DFA3;
    static final int EBML_VERSION = 0x4286;
    static final int EBML_READ_VERSION = 0x42F7;
    static final int EBML_MAX_ID_LENGTH = 0x42F2;
    static final int EBML_MAX_SIZE_LENGTH = 0x42F3;
    static final int DOC_TYPE = 0x4282;
    static final int DOC_TYPE_VERSION = 0x4287;
    static final int DOC_TYPE_READ_VERSION = 0x4285;
    static final int SEGMENT = 0x18538067;
    static final int SEEK_HEAD = 0x114D9B74;
    static final int SEEK = 0x4DBB;
    static final int SEEK_ID = 0x53AB;
    static final int SEEK_POSITION = 0x53AC;
    static final int INFO = 0x1549A966;
    static final int TIMESTAMP_SCALE = 0x2AD7B1;
    static final int DURATION = 0x4489;
    static final int DATE_UTC = 0x4461;
    static final int TITLE = 0x7BA9;
    static final int MUXING_APP = 0x4D80;
    static final int WRITING_APP = 0x5741;
    static final int TRACKS = 0x1654AE6B;
    static final int TRACK_ENTRY = 0xAE;
    static final int TRACK_NUMBER = 0xD7;
    static final int TRACK_UID = 0x73C5;
    static final int TRACK_TYPE = 0x83;
    static final int FLAG_LACING = 0x9C;
    static final int LANGUAGE = 0x22B59C;
    static final int CODEC_ID = 0x86;
    static final int DEFAULT_DURATION = 0x23E383;
    static final int VIDEO = 0xE0;
    static final int PIXEL_WIDTH = 0xB0;
    static final int PIXEL_HEIGHT = 0xBA;
    static final int CHAPTERS = 0x1043A770;
    static final int EDITION_ENTRY = 0x45B9;
    static final int EDITION_UID = 0x45BC;
    static final int CHAPTER_ATOM = 0xB6;
    static final int CHAPTER_UID = 0x73C4;
    static final int CHAPTER_TIME_START = 0x91;
    static final int CHAPTER_TIME_END = 0x92;
    static final int CHAPTER_DISPLAY = 0x80;
    static final int CHAP_STRING = 0x85;
    static final int CHAP_LANGUAGE = 0x437C;
    static final int CLUSTER = 0x1F43B675;
    static final int TIMESTAMP = 0xE7;
    static final int SIMPLE_BLOCK = 0xA3;
    static final int CUES = 0x1C53BB6B;
    static final int CUE_POINT = 0xBB;
    static final int CUE_TIME = 0xB3;
    static final int CUE_TRACK_POSITIONS = 0xB7;
    static final int CUE_TRACK = 0xF7;
    static final int CUE_CLUSTER_POSITION = 0xF1;

    static final long TIMESTAMP_SCALE_NANOS = 1_000_000;
    /** A cluster spans at most this long, so that a seek through the Cues lands within a second of its target. */
    static final long CLUSTER_MILLIS = 1_000;

    private static final int TRACK = 1;
    private static final Instant MATROSKA_EPOCH = Instant.parse("2001-01-01T00:00:00Z");

    private MjpegMatroskaWriter() {}

    /**
     * Writes {@code movie} to {@code file}, first under a temporary name beside it, so that a player never finds a
     * half-written file under the real name.
     */
    public static void write(Movie movie, Path file) throws IOException {
        Path partial = file.resolveSibling(file.getFileName() + ".part");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(partial), 1 << 16)) {
            write(movie, out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(partial);
            throw e;
        }
        Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Writes {@code movie} to {@code out} as one Matroska file. */
    public static void write(Movie movie, OutputStream out) throws IOException {
        header().write(out);
        segment(movie).write(out);
    }

    private static Master header() {
        return new Master(EBML)
                .add(Ebml.uint(EBML_VERSION, 1))
                .add(Ebml.uint(EBML_READ_VERSION, 1))
                .add(Ebml.uint(EBML_MAX_ID_LENGTH, 4))
                .add(Ebml.uint(EBML_MAX_SIZE_LENGTH, 8))
                .add(Ebml.string(DOC_TYPE, "matroska"))
                // SimpleBlock is the newest element used: Matroska version 2.
                .add(Ebml.uint(DOC_TYPE_VERSION, 2))
                .add(Ebml.uint(DOC_TYPE_READ_VERSION, 2));
    }

    private static Master segment(Movie movie) {
        Master info = info(movie);
        Master tracks = tracks(movie);
        Master chapters = movie.chapters().isEmpty() ? null : chapters(movie.chapters());
        List<Master> clusters = new ArrayList<>();
        List<Long> clusterTimes = new ArrayList<>();
        Master cluster = null;
        long clusterTime = 0;
        for (Movie.Frame frame : movie.frames()) {
            if (cluster == null || frame.timeMillis() - clusterTime >= CLUSTER_MILLIS) {
                clusterTime = frame.timeMillis();
                cluster = new Master(CLUSTER).add(Ebml.uint(TIMESTAMP, clusterTime));
                clusters.add(cluster);
                clusterTimes.add(clusterTime);
            }
            cluster.add(new SimpleBlock((int) (frame.timeMillis() - clusterTime), frame.jpeg()));
        }
        Master cues = new Master(CUES);
        List<Position> cuePositions = new ArrayList<>();
        for (long time : clusterTimes) {
            Position position = new Position(CUE_CLUSTER_POSITION);
            cuePositions.add(position);
            cues.add(new Master(CUE_POINT)
                    .add(Ebml.uint(CUE_TIME, time))
                    .add(new Master(CUE_TRACK_POSITIONS)
                            .add(Ebml.uint(CUE_TRACK, TRACK))
                            .add(position)));
        }

        List<Master> indexed = new ArrayList<>(List.of(info, tracks));
        if (chapters != null) {
            indexed.add(chapters);
        }
        indexed.add(cues);
        Master seekHead = new Master(SEEK_HEAD);
        List<Position> seekPositions = new ArrayList<>();
        for (Master element : indexed) {
            Position position = new Position(SEEK_POSITION);
            seekPositions.add(position);
            seekHead.add(new Master(SEEK)
                    .add(Ebml.binary(SEEK_ID, Ebml.idBytes(element.id)))
                    .add(position));
        }

        Master segment = new Master(SEGMENT).add(seekHead).add(info).add(tracks);
        if (chapters != null) {
            segment.add(chapters);
        }
        clusters.forEach(segment::add);
        segment.add(cues);
        // Positions count from the first byte of the Segment's data; every one is 8 bytes wide, so filling them in
        // changes no size.
        long offset = 0;
        int cluster0 = 0;
        for (Element child : segment.children) {
            int seek = indexed.indexOf(child);
            if (seek >= 0) {
                seekPositions.get(seek).value = offset;
            }
            if (child.id == CLUSTER) {
                cuePositions.get(cluster0++).value = offset;
            }
            offset += child.totalSize();
        }
        return segment;
    }

    private static Master info(Movie movie) {
        Master info = new Master(INFO)
                .add(Ebml.uint(TIMESTAMP_SCALE, TIMESTAMP_SCALE_NANOS))
                .add(Ebml.float64(DURATION, movie.durationMillis()))
                .add(Ebml.string(TITLE, movie.title()))
                .add(Ebml.string(MUXING_APP, "doorbell"))
                .add(Ebml.string(WRITING_APP, "doorbell open --video"));
        if (movie.recorded() != null) {
            Duration since = Duration.between(MATROSKA_EPOCH, movie.recorded());
            info.add(Ebml.signed(DATE_UTC, since.getSeconds() * 1_000_000_000L + since.getNano()));
        }
        return info;
    }

    private static Master tracks(Movie movie) {
        return new Master(TRACKS)
                .add(new Master(TRACK_ENTRY)
                        .add(Ebml.uint(TRACK_NUMBER, TRACK))
                        .add(Ebml.uint(TRACK_UID, TRACK))
                        .add(Ebml.uint(TRACK_TYPE, 1))
                        .add(Ebml.uint(FLAG_LACING, 0))
                        .add(Ebml.string(LANGUAGE, "und"))
                        .add(Ebml.string(CODEC_ID, "V_MJPEG"))
                        .add(Ebml.uint(DEFAULT_DURATION, movie.frameDurationNanos()))
                        .add(new Master(VIDEO)
                                .add(Ebml.uint(PIXEL_WIDTH, movie.width()))
                                .add(Ebml.uint(PIXEL_HEIGHT, movie.height()))));
    }

    private static Master chapters(List<Movie.Chapter> chapters) {
        Master edition = new Master(EDITION_ENTRY).add(Ebml.uint(EDITION_UID, 1));
        for (int i = 0; i < chapters.size(); i++) {
            Movie.Chapter chapter = chapters.get(i);
            edition.add(new Master(CHAPTER_ATOM)
                    .add(Ebml.uint(CHAPTER_UID, i + 1L))
                    .add(Ebml.uint(CHAPTER_TIME_START, chapter.startMillis() * TIMESTAMP_SCALE_NANOS))
                    .add(Ebml.uint(CHAPTER_TIME_END, chapter.endMillis() * TIMESTAMP_SCALE_NANOS))
                    .add(new Master(CHAPTER_DISPLAY)
                            .add(Ebml.string(CHAP_STRING, chapter.title()))
                            .add(Ebml.string(CHAP_LANGUAGE, "eng"))));
        }
        return new Master(CHAPTERS).add(edition);
    }

    /**
     * A frame as a SimpleBlock: the track number (a variable-length integer), the time relative to the cluster (signed
     * 16 bits), the flags (keyframe: every JPEG stands alone), then the JPEG unchanged. The JPEG is not copied.
     */
    static final class SimpleBlock extends Element {
        private static final int KEYFRAME = 0x80;
        private final int relativeMillis;
        private final byte[] jpeg;

        SimpleBlock(int relativeMillis, byte[] jpeg) {
            super(SIMPLE_BLOCK);
            if (relativeMillis < Short.MIN_VALUE || relativeMillis > Short.MAX_VALUE) {
                throw new IllegalArgumentException("block time " + relativeMillis + " ms outside its cluster");
            }
            this.relativeMillis = relativeMillis;
            this.jpeg = jpeg;
        }

        @Override
        long dataSize() {
            return 4L + jpeg.length;
        }

        @Override
        void writeData(OutputStream out) throws IOException {
            out.write(0x80 | TRACK);
            out.write(relativeMillis >> 8);
            out.write(relativeMillis);
            out.write(KEYFRAME);
            out.write(jpeg);
        }
    }
}
