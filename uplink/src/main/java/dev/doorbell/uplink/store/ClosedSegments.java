package dev.doorbell.uplink.store;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.TreeMap;

/**
 * The segments of a store, live or stopped, that the uplink will never write again, for a shipper that copies them
 * elsewhere unchanged (docs/OPERATIONS.md, "Long-term tier on S3"). Read without the store's lock and without
 * writing anything: a segment is closed once a later segment is in place (the uplink makes a segment as a temporary
 * file and renames it into place only after its start record is durable, and never writes to a segment again once a
 * later one exists, docs/FORMAT.md §6), and its committed length is the one that later segment's start record names.
 */
public final class ClosedSegments {
    /** The marker's content, for a copy of the store elsewhere. */
    public static final byte[] MARKER = (SegmentFormat.MARKER_LINE + "\n").getBytes(StandardCharsets.US_ASCII);

    public static final String MARKER_FILE = SegmentFormat.MARKER_FILE;
    public static final String CHECKPOINT_FILE = SegmentFormat.CHECKPOINT_FILE;
    public static final String SEGMENTS_DIR = SegmentFormat.SEGMENTS_DIR;

    /**
     * A closed segment.
     *
     * @param committedLength its committed length and {@code committedRecords} its records up to there, from the next
     *     segment's start record; -1 when that record does not name this segment (a v1 segment of an upgraded store,
     *     or one the next start record skips)
     */
    public record Segment(long number, Path file, long committedLength, long committedRecords) {
        public String name() {
            return SegmentFormat.segmentName(number);
        }
    }

    private ClosedSegments() {}

    /** The store's closed segments in number order; the newest segment, still written, is never among them. */
    public static List<Segment> list(Path storeDir) throws IOException {
        Path dir = storeDir.resolve(SegmentFormat.SEGMENTS_DIR);
        TreeMap<Long, Path> present = new TreeMap<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path file : files) {
                long number = SegmentFormat.segmentNumber(file.getFileName().toString());
                if (number > 0) {
                    present.put(number, file);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        List<Segment> closed = new ArrayList<>();
        Long next = null;
        for (Long number : present.descendingKeySet()) {
            if (next != null) {
                StoredSegmentStart start = startRecord(present.get(next));
                boolean names = start != null && start.getPreviousSegment() == number;
                closed.add(new Segment(
                        number,
                        present.get(number),
                        names ? start.getPreviousLength() : -1,
                        names ? start.getPreviousRecords() : -1));
            }
            next = number;
        }
        Collections.reverse(closed);
        return closed;
    }

    /**
     * The bytes of a checkpoint file (docs/FORMAT.md §6, "The checkpoint") that names {@code segment} with its
     * committed length and records: what a reader of a copy whose newest segment is a closed one needs.
     */
    public static byte[] checkpointFor(Segment segment) {
        if (segment.committedLength() < 0) {
            throw new IllegalArgumentException("segment " + segment.name() + " has no committed length");
        }
        return CheckpointFile.fileBytes(new Checkpoint(
                segment.number(), segment.number(), segment.committedLength(), segment.committedRecords()));
    }

    /** The segment's valid start record, or null when it does not begin with one. */
    private static StoredSegmentStart startRecord(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int headerEnd = SegmentFormat.MAGIC.length + SegmentFormat.RECORD_HEADER_BYTES;
            ByteBuffer head = ByteBuffer.allocate(headerEnd);
            if (channel.read(head, 0) < headerEnd
                    || !Arrays.equals(Arrays.copyOf(head.array(), SegmentFormat.MAGIC.length), SegmentFormat.MAGIC)) {
                return null;
            }
            int length = head.getInt(SegmentFormat.MAGIC.length);
            // A start record is a few dozen bytes; anything longer is not one.
            if (length < 1 || length > 1024) {
                return null;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            if (channel.read(body, headerEnd) < length) {
                return null;
            }
            if (SegmentFormat.crc32c(body.array(), 0, length) != head.getInt(SegmentFormat.MAGIC.length + 4)) {
                return null;
            }
            StoredRecord record = StoredRecord.parseFrom(body.array());
            return record.hasSegmentStart() ? record.getSegmentStart() : null;
        } catch (InvalidProtocolBufferException e) {
            return null;
        }
    }
}
