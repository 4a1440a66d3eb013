package dev.doorbell.owner.video;

import static dev.doorbell.owner.video.MjpegMatroskaWriter.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Matroska writer on its own, read back by a small EBML reader written here from RFC 8794 and the Matroska
 * element table: every master element's size is exactly the sum of its children, the SeekHead and the Cues point at
 * the elements they name, and each block holds its JPEG byte for byte at its own time. (The app's tests play the files
 * with the real ffprobe and ffmpeg.)
 */
class MjpegMatroskaWriterTest {
    private static final Set<Integer> MASTERS = Set.of(
            EBML,
            SEGMENT,
            SEEK_HEAD,
            SEEK,
            INFO,
            TRACKS,
            TRACK_ENTRY,
            VIDEO,
            CHAPTERS,
            EDITION_ENTRY,
            CHAPTER_ATOM,
            CHAPTER_DISPLAY,
            CLUSTER,
            CUES,
            CUE_POINT,
            CUE_TRACK_POSITIONS);

    @TempDir
    Path dir;

    /** One parsed element: where it starts in the file, where its data starts, and its children if a master. */
    record Node(int id, long start, long dataStart, long size, List<Node> children) {
        Node child(int childId) {
            return children.stream()
                    .filter(c -> c.id() == childId)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no " + Integer.toHexString(childId) + " in " + this));
        }

        List<Node> all(int childId) {
            return children.stream().filter(c -> c.id() == childId).toList();
        }
    }

    /** Not JPEGs that decode, only distinct bytes: this test checks the container, the app's tests decode. */
    private static byte[] image(int n, int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) n);
        b[0] = (byte) 0xFF;
        b[1] = (byte) 0xD8;
        return b;
    }

    private static Movie movie(long... times) {
        List<Movie.Frame> frames = new ArrayList<>();
        for (int i = 0; i < times.length; i++) {
            frames.add(new Movie.Frame(times[i], image(i, 100 + 37 * i)));
        }
        long end = times[times.length - 1] + 100;
        return new Movie(
                "porch  clip 00000000000000aa - OK",
                Instant.parse("2026-12-05T10:00:00.250Z"),
                320,
                240,
                100_000_000L,
                frames,
                List.of(
                        new Movie.Chapter(0, times[1], "pre-roll (frame 0)"),
                        new Movie.Chapter(times[1], end, "ring, trigger: pre-roll ends (frame 1)")));
    }

    private static byte[] bytes(Movie movie) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MjpegMatroskaWriter.write(movie, out);
        return out.toByteArray();
    }

    @Test
    void ebml_sizesAndIds_encodedAsRfc8794Says() {
        assertArrayEquals(new byte[] {(byte) 0x80}, Ebml.size(0));
        assertArrayEquals(new byte[] {(byte) 0xFE}, Ebml.size(126));
        // 127 in one byte would be all ones, "unknown size": it takes two.
        assertArrayEquals(new byte[] {0x40, 0x7F}, Ebml.size(127));
        assertArrayEquals(new byte[] {0x7F, (byte) 0xFE}, Ebml.size(16_382));
        assertArrayEquals(new byte[] {0x20, 0x3F, (byte) 0xFF}, Ebml.size(16_383));
        assertEquals(8, Ebml.sizeLength(Ebml.MAX_SIZE));
        assertThrows(IllegalArgumentException.class, () -> Ebml.sizeLength(Ebml.MAX_SIZE + 1));
        assertArrayEquals(new byte[] {0x1A, 0x45, (byte) 0xDF, (byte) 0xA3}, Ebml.idBytes(EBML));
        assertArrayEquals(new byte[] {0x2A, (byte) 0xD7, (byte) 0xB1}, Ebml.idBytes(TIMESTAMP_SCALE));
        assertArrayEquals(new byte[] {(byte) 0xA3}, Ebml.idBytes(SIMPLE_BLOCK));
        assertEquals(1, Ebml.uint(TRACK_NUMBER, 0).dataSize());
        assertEquals(2, Ebml.uint(PIXEL_WIDTH, 1920).dataSize());
        assertEquals(3, Ebml.uint(TIMESTAMP_SCALE, 1_000_000).dataSize());
    }

    @Test
    void write_threeFrames_everySizeAddsUpAndTheIndexPointsAtWhatItNames() throws IOException {
        Movie movie = movie(0, 100, 233);
        byte[] file = bytes(movie);
        List<Node> top = parse(file, 0, file.length);

        assertEquals(List.of(EBML, SEGMENT), top.stream().map(Node::id).toList(), "the header, then one segment");
        Node header = top.get(0);
        assertEquals("matroska", string(file, header.child(DOC_TYPE)));
        assertEquals(2, uint(file, header.child(DOC_TYPE_VERSION)));
        Node segment = top.get(1);
        assertEquals(file.length, segment.dataStart() + segment.size(), "the segment ends the file");
        assertEquals(
                List.of(SEEK_HEAD, INFO, TRACKS, CHAPTERS, CLUSTER, CUES),
                segment.children().stream().map(Node::id).toList());

        for (Node seek : segment.child(SEEK_HEAD).all(SEEK)) {
            int target = (int) uint(file, seek.child(SEEK_ID));
            long position = segment.dataStart() + uint(file, seek.child(SEEK_POSITION));
            Node at = segment.children().stream()
                    .filter(c -> c.start() == position)
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("a SeekHead position at no element: " + position));
            assertEquals(target, at.id(), "the SeekHead entry for " + Integer.toHexString(target));
        }
        assertEquals(4, segment.child(SEEK_HEAD).all(SEEK).size(), "Info, Tracks, Chapters and Cues are indexed");

        Node info = segment.child(INFO);
        assertEquals(TIMESTAMP_SCALE_NANOS, uint(file, info.child(TIMESTAMP_SCALE)));
        assertEquals(
                333.0,
                ByteBuffer.wrap(file, (int) info.child(DURATION).dataStart(), 8).getDouble());
        assertEquals("porch  clip 00000000000000aa - OK", string(file, info.child(TITLE)));
        long dateNanos =
                ByteBuffer.wrap(file, (int) info.child(DATE_UTC).dataStart(), 8).getLong();
        assertEquals(
                Instant.parse("2026-12-05T10:00:00.250Z"),
                Instant.parse("2001-01-01T00:00:00Z").plusNanos(dateNanos),
                "DateUTC counts from 2001");

        Node track = segment.child(TRACKS).child(TRACK_ENTRY);
        assertEquals("V_MJPEG", string(file, track.child(CODEC_ID)));
        assertEquals(1, uint(file, track.child(TRACK_TYPE)), "a video track");
        assertEquals(100_000_000L, uint(file, track.child(DEFAULT_DURATION)));
        assertEquals(320, uint(file, track.child(VIDEO).child(PIXEL_WIDTH)));
        assertEquals(240, uint(file, track.child(VIDEO).child(PIXEL_HEIGHT)));

        List<Node> atoms = segment.child(CHAPTERS).child(EDITION_ENTRY).all(CHAPTER_ATOM);
        assertEquals(2, atoms.size());
        assertEquals(100_000_000L, uint(file, atoms.get(1).child(CHAPTER_TIME_START)), "nanoseconds, unscaled");
        assertEquals(333_000_000L, uint(file, atoms.get(1).child(CHAPTER_TIME_END)));
        assertEquals(
                "ring, trigger: pre-roll ends (frame 1)",
                string(file, atoms.get(1).child(CHAPTER_DISPLAY).child(CHAP_STRING)));

        Node cluster = segment.child(CLUSTER);
        assertEquals(0, uint(file, cluster.child(TIMESTAMP)));
        List<Node> blocks = cluster.all(SIMPLE_BLOCK);
        assertEquals(3, blocks.size());
        long[] times = {0, 100, 233};
        for (int i = 0; i < blocks.size(); i++) {
            Node block = blocks.get(i);
            int at = (int) block.dataStart();
            assertEquals(0x81, file[at] & 0xff, "track 1");
            assertEquals(
                    times[i], (short) (((file[at + 1] & 0xff) << 8) | (file[at + 2] & 0xff)), "time of frame " + i);
            assertEquals(0x80, file[at + 3] & 0xff, "a keyframe");
            assertArrayEquals(
                    movie.frames().get(i).jpeg(),
                    Arrays.copyOfRange(file, at + 4, (int) (block.dataStart() + block.size())),
                    "frame " + i + " unchanged");
        }
        Node cue = segment.child(CUES).child(CUE_POINT);
        assertEquals(
                cluster.start(),
                segment.dataStart() + uint(file, cue.child(CUE_TRACK_POSITIONS).child(CUE_CLUSTER_POSITION)));
    }

    @Test
    void write_framesOverSeveralSeconds_aClusterAndACuePointPerSecond() throws IOException {
        long[] times = new long[26];
        for (int i = 0; i < times.length; i++) {
            times[i] = i * 100L + (i % 3);
        }
        byte[] file = bytes(movie(times));
        Node segment = parse(file, 0, file.length).get(1);
        List<Node> clusters = segment.all(CLUSTER);
        List<Node> cues = segment.child(CUES).all(CUE_POINT);
        assertEquals(3, clusters.size(), "0-1 s, 1-2 s, 2-2.5 s");
        assertEquals(3, cues.size());
        int frame = 0;
        for (int c = 0; c < clusters.size(); c++) {
            long clusterTime = uint(file, clusters.get(c).child(TIMESTAMP));
            assertEquals(clusterTime, uint(file, cues.get(c).child(CUE_TIME)));
            assertEquals(
                    clusters.get(c).start(),
                    segment.dataStart()
                            + uint(file, cues.get(c).child(CUE_TRACK_POSITIONS).child(CUE_CLUSTER_POSITION)));
            for (Node block : clusters.get(c).all(SIMPLE_BLOCK)) {
                int at = (int) block.dataStart();
                long relative = (short) (((file[at + 1] & 0xff) << 8) | (file[at + 2] & 0xff));
                assertTrue(relative >= 0 && relative < CLUSTER_MILLIS, "block " + frame + " at +" + relative);
                assertEquals(times[frame++], clusterTime + relative);
            }
        }
        assertEquals(times.length, frame);
    }

    @Test
    void write_toFile_noPartialFileLeftAndTheSameBytes() throws IOException {
        Movie movie = movie(0, 100, 200);
        Path file = dir.resolve("video.mkv");
        MjpegMatroskaWriter.write(movie, file);
        assertArrayEquals(bytes(movie), Files.readAllBytes(file));
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList());
        }
    }

    @Test
    void movie_frameGoingBackInTime_refusedNamingTheFrame() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> movie(0, 100, 90));
        assertTrue(
                e.getMessage().contains("frame 2 of 'porch  clip 00000000000000aa - OK' goes back in time"),
                e.getMessage());
    }

    /** The elements between {@code from} and {@code to}, which must end exactly at {@code to}. */
    private static List<Node> parse(byte[] file, long from, long to) {
        List<Node> nodes = new ArrayList<>();
        long at = from;
        while (at < to) {
            long start = at;
            int idLength = Integer.numberOfLeadingZeros(file[(int) at] & 0xff) - 23;
            assertTrue(idLength >= 1 && idLength <= 4, "an ID at " + at);
            int id = 0;
            for (int i = 0; i < idLength; i++) {
                id = (id << 8) | (file[(int) at++] & 0xff);
            }
            int sizeLength = Integer.numberOfLeadingZeros(file[(int) at] & 0xff) - 23;
            assertTrue(sizeLength >= 1 && sizeLength <= 8, "a size at " + at);
            long size = (file[(int) at++] & 0xff) & (0xff >> sizeLength);
            for (int i = 1; i < sizeLength; i++) {
                size = (size << 8) | (file[(int) at++] & 0xff);
            }
            assertEquals(Ebml.sizeLength(size), sizeLength, "the shortest size field at " + start);
            long dataStart = at;
            assertTrue(
                    dataStart + size <= to,
                    "element " + Integer.toHexString(id) + " at " + start + " overruns its parent");
            List<Node> children = MASTERS.contains(id) ? parse(file, dataStart, dataStart + size) : List.of();
            nodes.add(new Node(id, start, dataStart, size, children));
            at = dataStart + size;
        }
        assertEquals(to, at, "children fill their parent exactly");
        return nodes;
    }

    private static long uint(byte[] file, Node node) {
        long value = 0;
        for (long i = 0; i < node.size(); i++) {
            value = (value << 8) | (file[(int) (node.dataStart() + i)] & 0xff);
        }
        return value;
    }

    private static String string(byte[] file, Node node) {
        return new String(file, (int) node.dataStart(), (int) node.size(), StandardCharsets.UTF_8);
    }
}
