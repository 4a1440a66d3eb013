package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record rules of docs/FORMAT.md §6 ("A valid record", "Reading a segment") that the owner's readers apply too,
 * on hand-made segments: the same bytes must give the same ranges and reasons everywhere.
 */
class SegmentScannerTest {
    @TempDir
    Path dir;

    private static StoredRecord frame(int seq) {
        return StoredRecord.newBuilder()
                .setFrame(StoredFrame.newBuilder()
                        .setDeviceId("porch")
                        .setClipId(1)
                        .setSeq(seq)
                        .setSealed(ByteString.copyFrom(new byte[100 + seq])))
                .build();
    }

    /** Framed records after the magic; returns the segment bytes and, in {@code offsets}, where each record starts. */
    private static byte[] segment(List<Long> offsets, byte[]... records) {
        ByteBuffer out = ByteBuffer.allocate(1 << 16).put(SegmentFormat.MAGIC);
        for (byte[] record : records) {
            offsets.add((long) out.position());
            out.put(record);
        }
        return Arrays.copyOf(out.array(), out.position());
    }

    private static byte[] framed(StoredRecord record) throws Exception {
        ByteBuffer buffer = ByteBuffer.allocate(record.getSerializedSize() + 8);
        SegmentFormat.frameInto(buffer, record);
        return buffer.array();
    }

    /** A record whose CRC32C matches {@code body}, whatever the body is. */
    private static byte[] framed(byte[] body) {
        return ByteBuffer.allocate(body.length + 8)
                .putInt(body.length)
                .putInt(SegmentFormat.crc32c(body, 0, body.length))
                .put(body)
                .array();
    }

    private SegmentScanner.Result scan(byte[] bytes, long number, boolean newest, long committed) throws Exception {
        Path file = dir.resolve(SegmentFormat.segmentName(number));
        Files.write(file, bytes);
        List<Long> seen = new ArrayList<>();
        return SegmentScanner.scan(
                file, number, newest, committed, false, (offset, length, record) -> seen.add(offset));
    }

    @Test
    void scan_bodyOfTwoFields_badRecordThenTheNextOne() throws Exception {
        byte[] first = frame(0).toByteArray();
        byte[] twice =
                ByteBuffer.allocate(first.length * 2).put(first).put(first).array();
        List<Long> at = new ArrayList<>();
        byte[] bytes = segment(at, framed(twice), framed(frame(1)));
        SegmentScanner.Result result = scan(bytes, 3, false, -1);
        assertEquals(
                List.of(new SegmentScanner.DamagedRange(
                        3,
                        8,
                        at.get(1),
                        "a record of " + twice.length + " bytes " + "whose body is not exactly one field")),
                result.damaged());
        assertEquals(1, result.records());
    }

    @Test
    void scan_startRecordNamingAnotherSegment_badRecord() throws Exception {
        List<Long> at = new ArrayList<>();
        byte[] bytes = segment(at, framed(SegmentFormat.startRecord(7, 6, 100, 3, 0)), framed(frame(0)));
        SegmentScanner.Result result = scan(bytes, 8, true, -1);
        assertEquals("a start record naming segment 7", result.damaged().get(0).reason());
        assertNull(result.start());
        assertNull(SegmentScanner.readStart(dir.resolve(SegmentFormat.segmentName(8)), 8));
    }

    @Test
    void scan_wrongMagic_rangeOfEightBytesAndTheRecordsRead() throws Exception {
        List<Long> at = new ArrayList<>();
        byte[] bytes = segment(at, framed(frame(0)), framed(frame(1)));
        bytes[0] = 'X';
        SegmentScanner.Result result = scan(bytes, 1, false, -1);
        assertEquals(
                List.of(new SegmentScanner.DamagedRange(1, 0, 8, "bad segment magic, expected DBSTORE1")),
                result.damaged());
        assertEquals(2, result.records());
    }

    @Test
    void scan_zeroedRecordBelowTheCommittedLength_rangeNamedByItsZeros() throws Exception {
        List<Long> at = new ArrayList<>();
        byte[] bytes = segment(at, framed(frame(0)), framed(frame(1)), framed(frame(2)));
        Arrays.fill(bytes, at.get(1).intValue(), at.get(2).intValue(), (byte) 0);
        SegmentScanner.Result result = scan(bytes, 2, true, bytes.length);
        long zeros = at.get(2) - at.get(1);
        assertEquals(
                List.of(new SegmentScanner.DamagedRange(2, at.get(1), at.get(2), zeros + " zero bytes")),
                result.damaged());
        assertNull(result.tail(), "below the committed length zeros are damage, never padding");
    }

    @Test
    void scan_recordAcrossTheCommittedLength_badBelowItAndReadPastIt() throws Exception {
        List<Long> at = new ArrayList<>();
        StoredRecord open = StoredRecord.newBuilder()
                .setClipOpen(StoredClipOpen.newBuilder().setDeviceId("porch").setClipId(1))
                .build();
        byte[] bytes = segment(at, framed(open), framed(frame(0)), framed(frame(1)));
        long committed = at.get(1) + 20;
        SegmentScanner.Result result = scan(bytes, 2, true, committed);
        assertEquals(
                List.of(new SegmentScanner.DamagedRange(
                        2,
                        at.get(1),
                        committed,
                        "record of " + frame(0).getSerializedSize() + " bytes runs past the committed length ("
                                + committed + ")")),
                result.damaged());
        assertEquals(1, result.committedRecords());
        // Past the committed length reading starts at it: mid-record, so the rest is a torn tail.
        assertEquals(committed, result.tail().start());
    }

    @Test
    void scan_garbageThenRecord_resynchronisesAtTheFirstValidOffset() throws Exception {
        List<Long> at = new ArrayList<>();
        byte[] junk = new byte[37];
        Arrays.fill(junk, (byte) 0x5a);
        byte[] bytes = segment(at, framed(frame(0)), junk, framed(frame(1)), framed(frame(2)));
        SegmentScanner.Result result = scan(bytes, 4, false, -1);
        assertEquals(
                List.of(new SegmentScanner.DamagedRange(4, at.get(1), at.get(2), "bad record length 1515870810")),
                result.damaged());
        assertEquals(3, result.records());
    }
}
