package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.LogCapture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store shorter than what was acknowledged is detected and named at start, never passed over (issue 9.3). */
class StoreShorteningTest {
    private static final String DEVICE = "front-door";

    @TempDir
    Path dir;

    @Test
    void open_newestSegmentCutAtRecordBoundary_errorNamesSegmentBytesAndRecordsMissing() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 5, 300, true);
            storeClip(store, DEVICE, 2, 4, 300, true);
            storeClip(store, DEVICE, 3, 3, 300, true);
        }
        Path segment = segment(dir, 1);
        List<Long> offsets = recordOffsets(segment);
        long full = Files.size(segment);
        // Clip 3 is the last five records: its header, three frames and its close, all acknowledged PERSISTED.
        long cut = offsets.get(offsets.size() - 5);
        truncate(segment, cut);
        String expected = "segment 0000000001.seg is shorter than committed: " + cut + " of " + full + " bytes, "
                + (offsets.size() - 5) + " of " + offsets.size() + " records";
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(dir)) {
            assertNull(store.status(DEVICE, 3), "the clip is gone from the store");
            assertTrue(
                    log.errors().stream().anyMatch(line -> line.contains(expected)),
                    "expected an ERROR containing '" + expected + "', the log was:\n" + String.join("\n", log.lines()));
            storeClip(store, DEVICE, 4, 2, 300, true);
        }
        // The new segment's start record keeps what was committed: the shortfall is named at every later start too.
        try (LogCapture log = new LogCapture();
                DirectoryStore store = StoreFixtures.open(dir)) {
            assertTrue(log.errors().stream().anyMatch(line -> line.contains(expected)), String.join("\n", log.lines()));
            assertTrue(store.status(DEVICE, 4).closePersisted());
        }
        StoreCheck.Report report = StoreCheck.check(dir);
        assertTrue(report.damage(), report.toString());
    }

    static Path segment(Path store, long number) {
        return store.resolve("segments").resolve(SegmentFormat.segmentName(number));
    }

    /** The offset of every record of a clean segment, read from the framing alone. */
    static List<Long> recordOffsets(Path segment) throws IOException {
        List<Long> offsets = new ArrayList<>();
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.READ)) {
            long at = SegmentFormat.MAGIC.length;
            ByteBuffer head = ByteBuffer.allocate(SegmentFormat.RECORD_HEADER_BYTES);
            while (at < channel.size()) {
                head.clear();
                channel.read(head, at);
                offsets.add(at);
                at += SegmentFormat.RECORD_HEADER_BYTES + head.getInt(0);
            }
            assertEquals(channel.size(), at, "a clean segment ends at a record boundary");
        }
        return offsets;
    }

    static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(size);
        }
    }
}
