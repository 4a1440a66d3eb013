package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.durable;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredClipClose;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.testing.LogCapture;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the uplink does at start with a store that is not what it acknowledged (docs/FORMAT.md §6, issue 9.2 and
 * 9.3): it starts, names every range and clip, copies damage aside, and never cuts acknowledged bytes.
 */
class StoreDamageTest {
    private static final String DEVICE = "back-yard";

    @TempDir
    Path dir;

    private static Path segment(Path store, long number) {
        return store.resolve("segments").resolve(SegmentFormat.segmentName(number));
    }

    private static List<StoreFinding.Kind> kinds(DirectoryStore store) {
        return store.findings().stream().map(StoreFinding::kind).toList();
    }

    /** Three clips of four 1500-byte frames in 4 KiB segments, one record per batch: several segments. */
    private void storeAcrossSegments() throws Exception {
        try (DirectoryStore store =
                DirectoryStore.open(dir, StoreFixtures.options().withSegmentBytes(4096), StoreFixtures.CLOCK)) {
            for (long clip = 1; clip <= 3; clip++) {
                durable(store.openClip(DEVICE, clip, StoreFixtures.header(DEVICE, clip)), Outcome.ACCEPTED);
                for (int seq = 0; seq < 4; seq++) {
                    durable(
                            store.appendFrame(
                                    DEVICE,
                                    clip,
                                    seq,
                                    seq == 3,
                                    meta(DEVICE, clip, seq),
                                    sealed(DEVICE, clip, seq, 1500)),
                            Outcome.ACCEPTED);
                }
                durable(store.closeClip(DEVICE, clip, 4), Outcome.ACCEPTED);
            }
        }
    }

    @Test
    void open_crcValidRecordWithoutBody_damagedRangeLikeAnyBadRecord() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 200, true);
            storeClip(store, DEVICE, 2, 3, 200, true);
        }
        Path first = segment(dir, 1);
        List<Long> offsets = StoreShorteningTest.recordOffsets(first);
        // Frame 1 of clip 1 replaced by a record of the same length whose CRC32C matches but whose body is field 9
        // only.
        int at = offsets.get(3).intValue();
        int length = (int) (offsets.get(4) - at) - SegmentFormat.RECORD_HEADER_BYTES;
        byte[] body = new byte[length];
        int inner = length - 3;
        assertTrue(inner >= 128 && inner < 16384, "a two-byte varint");
        body[0] = 0x4a;
        body[1] = (byte) (0x80 | (inner & 0x7f));
        body[2] = (byte) (inner >>> 7);
        assertEquals(
                StoredRecord.BodyCase.BODY_NOT_SET, StoredRecord.parseFrom(body).getBodyCase());
        byte[] bytes = Files.readAllBytes(first);
        ByteBuffer.wrap(bytes, at, 8).putInt(length).putInt(SegmentFormat.crc32c(body, 0, length));
        System.arraycopy(body, 0, bytes, at + 8, length);
        Files.write(first, bytes);
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            StoreFinding damaged = store.findings().get(0);
            assertEquals(
                    StoreFinding.Kind.DAMAGED, damaged.kind(), store.findings().toString());
            assertTrue(
                    damaged.message().contains("offset " + at + " to " + offsets.get(4))
                            && damaged.message()
                                    .contains("CRC32C matches but whose body is not a StoredRecord with a body"),
                    damaged.toString());
            assertEquals(new ClipStatus(DEVICE, 1, 1, 1, true, true, true), store.status(DEVICE, 1), "frames 0 only");
            assertEquals(new ClipStatus(DEVICE, 2, 3, 3, true, true, true), store.status(DEVICE, 2));
            assertEquals(List.of(StoreFinding.Kind.DAMAGED, StoreFinding.Kind.CLIP), kinds(store));
        }
        try (StoreReader reader = StoreReader.open(dir)) {
            assertEquals(3, reader.clip(DEVICE, 2).frames().size());
            assertNotNull(reader.clip(DEVICE, 1).damage());
        }
    }

    @Test
    void open_zeroPaddingUpToTheLimit_cutQuietly() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 200, true);
        }
        long size = Files.size(segment(dir, 1));
        Files.write(segment(dir, 1), new byte[SegmentFormat.MAX_PADDING_BYTES], StandardOpenOption.APPEND);
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(StoreFinding.Kind.PADDING), kinds(store));
            assertEquals(size, Files.size(segment(dir, 1)));
            assertEquals(List.of(), log.errors());
        }
    }

    @Test
    void open_zeroRunPastTheLimit_damagedRangeNotPaddingCopiedAsideThenCut() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 200, true);
        }
        long size = Files.size(segment(dir, 1));
        Files.write(segment(dir, 1), new byte[SegmentFormat.MAX_PADDING_BYTES + 1], StandardOpenOption.APPEND);
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(StoreFinding.Kind.DAMAGED), kinds(store));
            assertEquals(
                    "segment 0000000001.seg offset " + size + " to " + (size + 65_536) + " (65536 bytes): 65536 zero "
                            + "bytes",
                    store.findings().get(0).message());
            assertTrue(
                    log.errors().stream().anyMatch(e -> e.contains("65536 zero bytes")),
                    log.lines().toString());
            // Past the checkpoint nothing was acknowledged: kept in damaged/, then cut so that the segment can go on.
            assertEquals(size, Files.size(segment(dir, 1)));
            assertEquals(
                    65_536, Files.size(dir.resolve("damaged").resolve(DamagedRanges.fileName(1, size, size + 65_536))));
            assertEquals(new ClipStatus(DEVICE, 1, 3, 3, true, true, true), store.status(DEVICE, 1));
        }
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(), store.findings());
        }
    }

    @Test
    void open_zeroedBlockInOlderSegment_damagedRangeNotPadding() throws Exception {
        storeAcrossSegments();
        byte[] bytes = Files.readAllBytes(segment(dir, 1));
        Arrays.fill(bytes, 1024, 2048, (byte) 0);
        Files.write(segment(dir, 1), bytes);
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            StoreFinding first = store.findings().get(0);
            assertEquals(
                    StoreFinding.Kind.DAMAGED, first.kind(), store.findings().toString());
            assertTrue(first.message().startsWith("segment 0000000001.seg offset "), first.message());
            assertEquals(bytes.length, Files.size(segment(dir, 1)));
            assertEquals(new ClipStatus(DEVICE, 3, 4, 4, true, true, true), store.status(DEVICE, 3), "clip 3 intact");
        }
    }

    @Test
    void open_middleSegmentMissing_namedAndTheClipAcrossItDamaged() throws Exception {
        storeAcrossSegments();
        assertTrue(Files.exists(segment(dir, 3)));
        Files.delete(segment(dir, 2));
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(dir)) {
            assertTrue(
                    log.errors().stream().anyMatch(e -> e.contains("segment 0000000002.seg is missing")),
                    String.join("\n", log.lines()));
            assertTrue(
                    kinds(store).contains(StoreFinding.Kind.MISSING),
                    store.findings().toString());
            assertTrue(
                    kinds(store).contains(StoreFinding.Kind.CLIP),
                    store.findings().toString());
            assertTrue(store.status(DEVICE, 1).closePersisted(), "damaged clips take nothing more");
            assertEquals(
                    Outcome.CLIP_CLOSED,
                    store.appendFrame(DEVICE, 1, 9, true, meta(DEVICE, 1, 9), sealed(DEVICE, 1, 9, 10))
                            .outcome());
        }
        StoreCheck.Report report = StoreCheck.check(dir);
        assertTrue(report.damage(), report.toString());
    }

    @Test
    void open_checkpointMissing_errorThenANewOne() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 200, true);
        }
        Files.delete(dir.resolve("checkpoint"));
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(dir)) {
            assertTrue(
                    log.errors().stream().anyMatch(e -> e.contains("the checkpoint file is missing")),
                    String.join("\n", log.lines()));
            assertEquals(new ClipStatus(DEVICE, 1, 3, 3, true, true, true), store.status(DEVICE, 1));
        }
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(), store.findings());
        }
    }

    @Test
    void open_tornWriteWithValidRecordsAfterItPastCheckpoint_copiedAsideThenCut() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 200, true);
        }
        long size = Files.size(segment(dir, 1));
        ByteBuffer tail = ByteBuffer.allocate(1000);
        tail.put(new byte[] {0, 0, 1, 0, 1, 2, 3, 4, 5});
        SegmentFormat.frameInto(
                tail,
                StoredRecord.newBuilder()
                        .setClipClose(StoredClipClose.newBuilder()
                                .setDeviceId(DEVICE)
                                .setClipId(9)
                                .setFrameCount(1))
                        .build());
        Files.write(segment(dir, 1), Arrays.copyOf(tail.array(), tail.position()), StandardOpenOption.APPEND);
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(StoreFinding.Kind.TORN_TAIL), kinds(store));
            assertTrue(
                    store.findings().get(0).message().contains("valid records follow"),
                    store.findings().toString());
            assertEquals(size, Files.size(segment(dir, 1)));
        }
        assertArrayEquals(
                Arrays.copyOf(tail.array(), tail.position()),
                Files.readAllBytes(
                        dir.resolve("damaged").resolve(DamagedRanges.fileName(1, size, size + tail.position()))));
    }

    @Test
    void open_v1Store_upgradedToV2WithEveryClipIntact() throws Exception {
        Files.createDirectories(dir.resolve("segments"));
        Files.writeString(dir.resolve("doorbell-store"), "doorbell-store v1\n", StandardCharsets.US_ASCII);
        ByteBuffer v1 = ByteBuffer.allocate(4096).put(SegmentFormat.MAGIC);
        SegmentFormat.frameInto(
                v1,
                StoredRecord.newBuilder()
                        .setClipOpen(StoredClipOpen.newBuilder()
                                .setDeviceId(DEVICE)
                                .setClipId(5)
                                .setHeader(ByteString.copyFrom(StoreFixtures.header(DEVICE, 5))))
                        .build());
        for (int seq = 0; seq < 2; seq++) {
            SegmentFormat.frameInto(
                    v1,
                    StoredRecord.newBuilder()
                            .setFrame(StoredFrame.newBuilder()
                                    .setDeviceId(DEVICE)
                                    .setClipId(5)
                                    .setSeq(seq)
                                    .setLast(seq == 1)
                                    .setMeta(ByteString.copyFrom(meta(DEVICE, 5, seq)))
                                    .setSealed(ByteString.copyFrom(sealed(DEVICE, 5, seq, 100))))
                            .build());
        }
        Files.write(segment(dir, 1), Arrays.copyOf(v1.array(), v1.position()));
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(StoreFinding.Kind.UNCHECKED), kinds(store), "a v1 store cannot show a shortening");
            assertEquals(new ClipStatus(DEVICE, 5, 2, 2, true, false, false), store.status(DEVICE, 5));
            durable(store.closeClip(DEVICE, 5, 2), Outcome.ACCEPTED);
        }
        assertEquals("doorbell-store v2\n", Files.readString(dir.resolve("doorbell-store")));
        SegmentScanner.Start start = SegmentScanner.readStart(segment(dir, 2), 2);
        assertEquals(1, start.record().getPreviousSegment());
        assertEquals(v1.position(), start.record().getPreviousLength());
        assertEquals(3, start.record().getPreviousRecords());
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(List.of(StoreFinding.Kind.UNCHECKED), kinds(store));
            assertTrue(
                    store.findings().get(0).message().startsWith("segment 0000000001.seg predates start records"),
                    store.findings().toString());
            assertTrue(store.status(DEVICE, 5).closePersisted());
        }
    }

    @Test
    void check_liveStore_readUpToTheCheckpointAndSaysSo() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 200, true);
            StoreCheck.Report report = StoreCheck.check(dir);
            assertEquals(ProcessHandle.current().pid(), report.livePid());
            assertFalse(report.damage(), report.toString());
            assertTrue(report.findings().get(0).message().startsWith("live store (uplink pid "), report.toString());
            assertEquals(1, report.clips());
            // The padding of direct writes past the checkpoint is not read: no padding finding for a live store.
            assertEquals(report.checkpoint().length(), report.segments().get(0).committedLength());
            assertEquals(report.checkpoint().records(), report.segments().get(0).records());
            assertEquals(1, report.findings().size(), report.findings().toString());
        }
    }
}
