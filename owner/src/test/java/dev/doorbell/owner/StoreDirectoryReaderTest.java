package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The device-side reader of the store format agrees with the uplink's writer, torn tails and corruption included. */
class StoreDirectoryReaderTest {
    @TempDir
    Path dir;

    @Test
    void read_storeWrittenByUplink_clipsInStoredOrder() throws Exception {
        writeStore();
        StoreSnapshot snapshot = StoreDirectoryReader.read(dir);
        assertEquals(1, snapshot.clips().size());
        StoredClip clip = snapshot.clips().get(0);
        assertEquals("cam-1", clip.deviceId());
        assertArrayEquals(new byte[] {1, 2, 3}, clip.header());
        assertEquals(3, clip.frames().size());
        assertArrayEquals(new byte[] {42, 2}, clip.frames().get(2).sealed());
        assertTrue(clip.closed());
        assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
    }

    @Test
    void read_tornTailOfNewestSegment_ignoredWithWarning() throws Exception {
        Path segment = writeStore();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 100, 1, 2, 3, 4, 5}));
        }
        StoreSnapshot snapshot = StoreDirectoryReader.read(dir);
        assertEquals(3, snapshot.clips().get(0).frames().size());
        assertTrue(
                snapshot.warnings().get(0).contains("torn tail"),
                snapshot.warnings().toString());
    }

    @Test
    void read_storeOpenInRunningUplink_zeroPaddingSkippedQuietly() throws Exception {
        try (DirectoryStore store = DirectoryStore.open(dir, StoreOptions.defaults())) {
            store.openClip("cam-1", 5, new byte[] {1, 2, 3}).durable().get(10, TimeUnit.SECONDS);
            store.appendFrame("cam-1", 5, 0, false, new byte[0], new byte[] {42, 0})
                    .durable()
                    .get(10, TimeUnit.SECONDS);
            // Read while the uplink holds the segment: direct writes leave zeros up to the next 4 KiB boundary (where
            // the
            // file system allows O_DIRECT; otherwise there is no padding and the read is the same).
            StoreSnapshot snapshot = StoreDirectoryReader.read(dir);
            assertEquals(1, snapshot.clips().get(0).frames().size());
            assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
        }
    }

    @Test
    void read_corruptRecordBeforeValidOnes_damagedRangeNamedAndTheRecordsAfterItRead() throws Exception {
        Path segment = writeStore();
        // The first clip_open record, after the start record that a v2 uplink writes first.
        long header = StoreFixture.find(segment, "clip_open record", StoredRecord::hasClipOpen)
                .offset();
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xff}), header + 8 + 2); // inside the header record's body
        }
        StoreSnapshot snapshot = StoreDirectoryReader.read(dir);
        List<StoreFinding> findings = snapshot.stores().get(0).findings();
        assertEquals(1, findings.size(), findings.toString());
        assertEquals(StoreFinding.Kind.DAMAGED_RANGE, findings.get(0).kind());
        assertEquals(header, findings.get(0).start());
        assertTrue(
                findings.get(0).line().contains("segment 0000000001 offsets " + header + ".."),
                findings.get(0).line());
        StoredClip clip = snapshot.clips().get(0);
        assertNull(clip.header());
        assertEquals(3, clip.frames().size());
        assertTrue(
                clip.holes().header().startsWith("damaged range segment 0000000001 offsets " + header + ".."),
                clip.holes().header());
    }

    private Path writeStore() throws Exception {
        try (DirectoryStore store = DirectoryStore.open(dir, StoreOptions.defaults())) {
            store.openClip("cam-1", 5, new byte[] {1, 2, 3}).durable().get(10, TimeUnit.SECONDS);
            for (int seq = 0; seq < 3; seq++) {
                store.appendFrame("cam-1", 5, seq, seq == 2, new byte[0], new byte[] {42, (byte) seq})
                        .durable()
                        .get(10, TimeUnit.SECONDS);
            }
            store.closeClip("cam-1", 5, 3).durable().get(10, TimeUnit.SECONDS);
        }
        return dir.resolve("segments/0000000001.seg");
    }
}
