package dev.doorbell.uplink.store;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.proto.v1.StoredSegmentStart;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/** The byte layout of a store, docs/FORMAT.md §6: names, the magic, the record frame and its limits. */
final class SegmentFormat {
    static final String MARKER_FILE = "doorbell-store";
    /** Written by uplinks before issue 9: no lock, no checkpoint, no start records. Opened and upgraded. */
    static final String MARKER_LINE_V1 = "doorbell-store v1";

    static final String MARKER_LINE = "doorbell-store v2";
    static final String SEGMENTS_DIR = "segments";
    static final String LOCK_FILE = "lock";
    static final String CHECKPOINT_FILE = "checkpoint";
    static final String DAMAGED_DIR = "damaged";
    static final String RANGES_FILE = "ranges.txt";
    static final String SUFFIX = ".seg";
    static final String TEMP_SUFFIX = ".seg.tmp";
    /**
     * Zero padding of direct writes is at most one block less a byte, and blocks are at most 64 KiB; a longer run of
     * zeros is never padding.
     */
    static final int MAX_PADDING_BYTES = 65_535;

    static final byte[] MAGIC = "DBSTORE1".getBytes(StandardCharsets.US_ASCII);
    /** u32be length then u32be CRC32C of the body. */
    static final int RECORD_HEADER_BYTES = 8;

    static final int MAX_BODY_BYTES = 64 << 20;

    private SegmentFormat() {}

    static String segmentName(long number) {
        return String.format("%010d%s", number, SUFFIX);
    }

    /** The number of a segment file name, or -1 when the name is not one of a segment. */
    static long segmentNumber(String fileName) {
        if (fileName.length() != 10 + SUFFIX.length() || !fileName.endsWith(SUFFIX)) {
            return -1;
        }
        for (int i = 0; i < 10; i++) {
            if (fileName.charAt(i) < '0' || fileName.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(fileName.substring(0, 10));
    }

    static int crc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }

    /**
     * Writes {@code record} framed (header, then body) at the buffer's position and advances it; returns the framed
     * length. The body is the record's serialization, the same bytes as {@code toByteArray()}.
     */
    static int frameInto(ByteBuffer buffer, MessageLite record) throws IOException {
        int size = record.getSerializedSize();
        if (size < 1 || size > MAX_BODY_BYTES) {
            throw new IllegalArgumentException("record body of " + size + " bytes is outside 1.." + MAX_BODY_BYTES);
        }
        int start = buffer.position();
        int bodyStart = start + RECORD_HEADER_BYTES;
        CodedOutputStream out = CodedOutputStream.newInstance(
                buffer.duplicate().position(bodyStart).limit(bodyStart + size));
        record.writeTo(out);
        out.flush();
        out.checkNoSpaceLeft();
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().position(bodyStart).limit(bodyStart + size));
        buffer.putInt(start, size).putInt(start + 4, (int) crc.getValue()).position(bodyStart + size);
        return RECORD_HEADER_BYTES + size;
    }

    static boolean saneLength(long length) {
        return length >= 1 && length <= MAX_BODY_BYTES;
    }

    /** The first record of a segment made by a v2 uplink: it chains the segment to the one before it. */
    static StoredRecord startRecord(
            long segment, long previousSegment, long previousLength, long previousRecords, long createdUnixMs) {
        return StoredRecord.newBuilder()
                .setSegmentStart(StoredSegmentStart.newBuilder()
                        .setSegment(segment)
                        .setPreviousSegment(previousSegment)
                        .setPreviousLength(previousLength)
                        .setPreviousRecords(previousRecords)
                        .setCreatedUnixMs(createdUnixMs))
                .build();
    }
}
