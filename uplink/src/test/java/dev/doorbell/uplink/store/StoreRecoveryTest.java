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

import dev.doorbell.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreRecoveryTest {
    private static final String DEVICE = "porch-cam";
    private static final String FIRST = SegmentFormat.segmentName(1);

    @TempDir
    Path dir;

    /**
     * A store whose last record is frame 3 of clip 1; returns the segment length before that record, and keeps the
     * checkpoint of that moment as {@code checkpoint-before}: what a crash after writing the record but before its
     * checkpoint leaves. The store is closed in between: an open store's segment may end in the zero padding of direct
     * writes.
     */
    private long storeWithLastFrame() throws Exception {
        Path base = dir.resolve("base");
        try (DirectoryStore store = StoreFixtures.open(base)) {
            durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 3; seq++) {
                durable(
                        store.appendFrame(DEVICE, 1, seq, false, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, 200)),
                        Outcome.ACCEPTED);
            }
        }
        Files.copy(base.resolve("checkpoint"), dir.resolve("checkpoint-before"));
        long before = Files.size(segment(base, 1));
        try (DirectoryStore store = StoreFixtures.open(base)) {
            durable(
                    store.appendFrame(DEVICE, 1, 3, false, meta(DEVICE, 1, 3), sealed(DEVICE, 1, 3, 60)),
                    Outcome.ACCEPTED);
        }
        return before;
    }

    /** A copy of the base store with segment 1 cut at {@code cut} and the given checkpoint file. */
    private Path copy(String name, long cut, Path checkpoint) throws Exception {
        Path copy = dir.resolve(name);
        Files.createDirectories(copy.resolve("segments"));
        Files.copy(dir.resolve("base/doorbell-store"), copy.resolve("doorbell-store"));
        Files.copy(checkpoint, copy.resolve("checkpoint"));
        byte[] full = Files.readAllBytes(segment(dir.resolve("base"), 1));
        Files.write(segment(copy, 1), Arrays.copyOf(full, (int) cut));
        return copy;
    }

    @Test
    void open_tornTailAtEveryBytePosition_cutQuietlyAndAppendsWork() throws Exception {
        long before = storeWithLastFrame();
        byte[] full = Files.readAllBytes(segment(dir.resolve("base"), 1));
        assertTrue(full.length - before > 80, "the last record spans many byte positions");
        for (long cut = before + 1; cut < full.length; cut++) {
            Path copy = copy("cut-" + cut, cut, dir.resolve("checkpoint-before"));
            try (LogCapture log = new LogCapture();
                    DirectoryStore store = StoreFixtures.open(copy)) {
                assertEquals(
                        new ClipStatus(DEVICE, 1, 3, 3, false, false, false), store.status(DEVICE, 1), "cut " + cut);
                assertEquals(before, Files.size(segment(copy, 1)), "torn tail cut at " + cut);
                assertEquals(List.of(), log.errors(), "cut " + cut);
                // A tail of zero bytes only (the first bytes of a length) cannot be told from padding; either is quiet.
                assertEquals(1, store.findings().size(), store.findings().toString());
                assertTrue(
                        Set.of(StoreFinding.Kind.TORN_TAIL, StoreFinding.Kind.PADDING)
                                .contains(store.findings().get(0).kind()),
                        store.findings().toString());
                durable(
                        store.appendFrame(DEVICE, 1, 3, true, meta(DEVICE, 1, 3), sealed(DEVICE, 1, 3, 70)),
                        Outcome.ACCEPTED);
            }
            try (StoreReader reader = StoreReader.open(copy)) {
                assertTrue(
                        reader.report().ok() && reader.report().tornTail() == null,
                        reader.report().toString());
                assertArrayEquals(
                        sealed(DEVICE, 1, 3, 70),
                        reader.clip(DEVICE, 1).frames().get(3).sealed());
            }
        }
    }

    @Test
    void open_acknowledgedRecordCut_shorterThanCommittedAtErrorAndStillAfterRestart() throws Exception {
        long before = storeWithLastFrame();
        long full = Files.size(segment(dir.resolve("base"), 1));
        Path copy = copy("cut", before + 20, dir.resolve("base/checkpoint"));
        String shortened = "segment " + FIRST + " is shorter than committed: " + (before + 20) + " of " + full
                + " bytes, " + "5 of 6 records";
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(copy)) {
            assertTrue(log.errors().stream().anyMatch(e -> e.contains(shortened)), String.join("\n", log.lines()));
            assertTrue(
                    log.errors().stream()
                            .anyMatch(e ->
                                    e.contains("offset " + before + " to " + (before + 20) + " (20 bytes): record of")),
                    String.join("\n", log.lines()));
            assertEquals(before + 20, Files.size(segment(copy, 1)), "acknowledged bytes are never cut as a torn tail");
            // Frames 0-2 are there; frame 3 was acknowledged and is gone: the clip takes nothing more.
            assertEquals(new ClipStatus(DEVICE, 1, 3, 3, true, true, true), store.status(DEVICE, 1));
        }
        SegmentScanner.Start start = SegmentScanner.readStart(segment(copy, 2), 2);
        assertNotNull(start);
        assertEquals(full, start.record().getPreviousLength(), "the new segment keeps what was committed");
        assertEquals(6, start.record().getPreviousRecords());
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(copy)) {
            assertTrue(log.errors().stream().anyMatch(e -> e.contains(shortened)), String.join("\n", log.lines()));
            assertTrue(store.findings().stream().anyMatch(f -> f.kind() == StoreFinding.Kind.SHORTENED));
        }
        StoreReader.Report report = StoreReader.verify(copy);
        assertFalse(report.ok(), report.toString());
    }

    @Test
    void open_byteFlippedInClipHeader_startsCopiesRangeAsideAndClipTakesNoMore() throws Exception {
        storeWithLastFrame();
        Path base = dir.resolve("base");
        byte[] bytes = Files.readAllBytes(segment(base, 1));
        List<Long> offsets = StoreShorteningTest.recordOffsets(segment(base, 1));
        long header = offsets.get(1);
        bytes[(int) header + 40] ^= 0x10;
        Files.write(segment(base, 1), bytes);
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(base)) {
            String range = "segment " + FIRST + " offset " + header + " to " + offsets.get(2);
            assertTrue(
                    log.errors().stream().anyMatch(e -> e.contains(range) && e.contains("CRC32C mismatch")),
                    String.join("\n", log.lines()));
            assertEquals(new ClipStatus(DEVICE, 1, 0, 0, true, true, true), store.status(DEVICE, 1), "header lost");
            assertEquals(
                    Outcome.CLIP_CLOSED,
                    store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)).outcome());
            assertEquals(
                    Outcome.CLIP_CLOSED,
                    store.appendFrame(DEVICE, 1, 4, true, meta(DEVICE, 1, 4), sealed(DEVICE, 1, 4, 10))
                            .outcome());
            storeClip(store, DEVICE, 2, 2, 100, true);
        }
        assertArrayEquals(bytes, Files.readAllBytes(segment(base, 1)), "the damaged segment is never rewritten");
        Path kept = base.resolve("damaged").resolve(String.format("0000000001-%d-%d.bin", header, offsets.get(2)));
        assertArrayEquals(Arrays.copyOfRange(bytes, (int) header, offsets.get(2).intValue()), Files.readAllBytes(kept));
        try (DirectoryStore store = StoreFixtures.open(base)) {
            assertNotNull(store.status(DEVICE, 2));
        }
        List<String> ranges = Files.readAllLines(base.resolve("damaged/ranges.txt"), StandardCharsets.UTF_8);
        assertEquals(1, ranges.size(), "kept once, however often the uplink starts: " + ranges);
        assertTrue(
                ranges.get(0)
                        .startsWith(
                                FIRST + " " + header + " " + offsets.get(2) + " " + (offsets.get(2) - header) + " "),
                ranges.get(0));
        StoreReader.Report report = StoreReader.verify(base);
        assertTrue(
                report.problems().get(0).contains("offset " + header),
                report.problems().toString());
    }

    @Test
    void open_lengthFlippedInFrame_resynchronisesAtTheNextRecord() throws Exception {
        storeWithLastFrame();
        Path base = dir.resolve("base");
        List<Long> offsets = StoreShorteningTest.recordOffsets(segment(base, 1));
        byte[] bytes = Files.readAllBytes(segment(base, 1));
        bytes[offsets.get(2).intValue() + 3] ^= 0x04;
        Files.write(segment(base, 1), bytes);
        try (DirectoryStore store = StoreFixtures.open(base)) {
            StoreFinding damaged = store.findings().get(0);
            assertEquals(StoreFinding.Kind.DAMAGED, damaged.kind());
            assertTrue(
                    damaged.message().contains("offset " + offsets.get(2) + " to " + offsets.get(3) + " ("),
                    damaged.toString());
            // Frame 0 is lost, so frames 1-3 no longer follow from 0: the clip keeps its header and takes nothing more.
            assertEquals(new ClipStatus(DEVICE, 1, 0, 0, true, true, true), store.status(DEVICE, 1));
            assertEquals(
                    Outcome.DUPLICATE,
                    store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)).outcome());
            assertTrue(
                    store.findings().stream()
                            .anyMatch(f -> f.kind() == StoreFinding.Kind.CLIP
                                    && f.message().contains("device " + DEVICE + " clip 1 frame 1")),
                    store.findings().toString());
        }
    }

    @Test
    void open_badTailInOlderSegment_startsAndNeverCutsIt() throws Exception {
        Path base = dir.resolve("base");
        try (DirectoryStore store =
                DirectoryStore.open(base, StoreFixtures.options().withSegmentBytes(4096), StoreFixtures.CLOCK)) {
            // One record per batch, so that segment 1 ends with frame 1 (two frames of 1500 bytes fit, three do not).
            durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 6; seq++) {
                durable(
                        store.appendFrame(DEVICE, 1, seq, seq == 5, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, 1500)),
                        Outcome.ACCEPTED);
            }
            durable(store.closeClip(DEVICE, 1, 6), Outcome.ACCEPTED);
        }
        assertTrue(Files.exists(segment(base, 2)));
        long size = Files.size(segment(base, 1));
        StoreShorteningTest.truncate(segment(base, 1), size - 5);
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(base)) {
            assertTrue(
                    log.errors().stream()
                            .anyMatch(e -> e.contains("segment " + FIRST + " is shorter than committed: ")
                                    && e.contains("of " + size + " bytes")),
                    String.join("\n", log.lines()));
            assertEquals(size - 5, Files.size(segment(base, 1)), "a segment that others follow is never cut");
            assertEquals(new ClipStatus(DEVICE, 1, 1, 1, true, true, true), store.status(DEVICE, 1));
        }
    }

    @Test
    void open_leftoverTemporarySegment_removed() throws Exception {
        Path base = dir.resolve("base");
        StoreFixtures.open(base).close();
        Path temp = base.resolve("segments").resolve(SegmentFormat.segmentName(2) + ".tmp");
        Files.write(temp, SegmentFormat.MAGIC);
        try (DirectoryStore store = StoreFixtures.open(base)) {
            assertFalse(Files.exists(temp));
            storeClip(store, DEVICE, 1, 1, 10, true);
        }
        assertNotNull(StoreReader.open(base).clip(DEVICE, 1));
    }

    @Test
    void verify_tornTail_reportedApartFromProblems() throws Exception {
        long before = storeWithLastFrame();
        Path copy = copy("torn", before + 20, dir.resolve("checkpoint-before"));
        StoreReader.Report report = StoreReader.verify(copy);
        assertTrue(report.ok(), report.toString());
        assertTrue(report.tornTail().contains("offset " + before), report.tornTail());
        assertEquals(5, report.records(), "the start record, the header and three frames");
    }

    private static Path segment(Path store, long number) {
        return store.resolve("segments").resolve(SegmentFormat.segmentName(number));
    }
}
