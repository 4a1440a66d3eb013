package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checkpoint (docs/FORMAT.md §6): written after the fdatasync that makes what it covers durable, before any
 * record it covers is acknowledged, and never past what was fsync'd; two slots, so a failed write loses nothing.
 */
class CheckpointTest {
    private static final String DEVICE = "garden";

    @TempDir
    Path dir;

    /** Records, per segment channel, how far writes had returned when each fdatasync began. */
    private static final class Watching extends DiskOps {
        final Map<FileChannel, Long> written = new ConcurrentHashMap<>();
        final Map<FileChannel, Long> forced = new ConcurrentHashMap<>();
        final AtomicReference<FileChannel> appending = new AtomicReference<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final AtomicInteger checkpoints = new AtomicInteger();
        final List<Long> acknowledgedAt = new CopyOnWriteArrayList<>();

        @Override
        void write(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
            long end = position + buffer.remaining();
            super.write(channel, buffer, position);
            written.merge(channel, end, Math::max);
            appending.set(channel);
        }

        @Override
        void force(FileChannel channel) throws IOException {
            long snapshot = written.getOrDefault(channel, 0L);
            super.force(channel);
            forced.merge(channel, snapshot, Math::max);
        }

        @Override
        void writeCheckpoint(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
            long length = buffer.getLong(buffer.position() + 24);
            long records = buffer.getLong(buffer.position() + 32);
            FileChannel segment = appending.get();
            // A segment's first checkpoint covers its start record, fsync'd before the segment was renamed into place.
            if (records > 1 && (segment == null || length > forced.getOrDefault(segment, 0L))) {
                violations.add("checkpoint of length " + length + " before an fdatasync covered it (fsync'd up to "
                        + (segment == null ? 0 : forced.getOrDefault(segment, 0L)) + ")");
            }
            super.writeCheckpoint(channel, buffer, position);
            checkpoints.incrementAndGet();
        }
    }

    @Test
    void write_manyConcurrentBatches_checkpointNeverAheadOfFdatasyncAndCoversEveryAck() throws Exception {
        Watching ops = new Watching();
        List<CompletableFuture<?>> acks = new ArrayList<>();
        try (DirectoryStore store = DirectoryStore.open(
                dir,
                StoreFixtures.options().withSegmentBytes(256 << 10),
                StoreFixtures.CLOCK,
                ops,
                FailurePolicy.defaults())) {
            for (long clip = 1; clip <= 20; clip++) {
                StoreFixtures.durable(
                        store.openClip(DEVICE, clip, StoreFixtures.header(DEVICE, clip)), Outcome.ACCEPTED);
            }
            for (int seq = 0; seq < 40; seq++) {
                for (long clip = 1; clip <= 20; clip++) {
                    Submission s = store.appendFrame(
                            DEVICE,
                            clip,
                            seq,
                            seq == 39,
                            meta(DEVICE, clip, seq),
                            sealed(DEVICE, clip, seq, 700 + seq * 13));
                    assertEquals(Outcome.ACCEPTED, s.outcome(), s.detail());
                    // When the ack arrives, the newest checkpoint on disk must cover the record.
                    acks.add(s.durable().thenRun(() -> ops.acknowledgedAt.add(checkpointLength(dir))));
                }
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            assertTrue(store.stats().fsyncs() < 800, "group commit: " + store.stats());
        }
        assertEquals(List.of(), ops.violations);
        assertTrue(ops.checkpoints.get() > 3, "checkpoints written: " + ops.checkpoints);
        assertTrue(ops.acknowledgedAt.stream().allMatch(length -> length > 0));
        assertTrue(
                StoreCheck.check(dir).findings().isEmpty(),
                StoreCheck.check(dir).findings().toString());
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static long checkpointLength(Path store) {
        try {
            Checkpoint latest = CheckpointFile.read(store.resolve("checkpoint")).latest();
            return latest == null ? -1 : latest.length();
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void write_checkpointWriteFails_nothingAcknowledgedSegmentCutBackThenGoesOn() throws Exception {
        AtomicInteger failCheckpoints = new AtomicInteger();
        DiskOps failing = new DiskOps() {
            @Override
            void writeCheckpoint(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
                if (failCheckpoints.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new IOException("injected checkpoint failure");
                }
                super.writeCheckpoint(channel, buffer, position);
            }
        };
        try (DirectoryStore store = DirectoryStore.open(
                dir,
                StoreFixtures.options(),
                StoreFixtures.CLOCK,
                failing,
                new FailurePolicy(java.time.Duration.ofMillis(20), 5))) {
            StoreFixtures.durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 2; seq++) {
                StoreFixtures.durable(
                        store.appendFrame(DEVICE, 1, seq, false, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, 300)),
                        Outcome.ACCEPTED);
            }
            Checkpoint before = CheckpointFile.read(dir.resolve("checkpoint")).latest();
            failCheckpoints.set(1);
            Submission lost = store.appendFrame(DEVICE, 1, 2, false, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 300));
            assertEquals(Outcome.ACCEPTED, lost.outcome(), lost.detail());
            Throwable error = lost.durable().handle((ok, e) -> e).get(5, TimeUnit.SECONDS);
            assertTrue(error instanceof StoreUnavailableException, String.valueOf(error));
            assertEquals(new ClipStatus(DEVICE, 1, 2, 2, false, false, false), store.status(DEVICE, 1));
            // The writer abandons the segment after the failure is reported: cut back to what the last checkpoint
            // covers.
            Path first = dir.resolve("segments").resolve(SegmentFormat.segmentName(1));
            StoreFixtures.await(
                    "segment 1 cut back to " + before.length() + " bytes", () -> size(first) == before.length());
            StoreFixtures.await(
                    "store available again",
                    () -> store.appendFrame(DEVICE, 1, 2, true, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 300))
                                    .outcome()
                            == Outcome.ACCEPTED);
            StoreFixtures.durable(store.closeClip(DEVICE, 1, 3), Outcome.ACCEPTED);
        }
        StoreCheck.Report report = StoreCheck.check(dir);
        assertTrue(report.findings().isEmpty(), report.findings().toString());
        SegmentScanner.Start second =
                SegmentScanner.readStart(dir.resolve("segments").resolve(SegmentFormat.segmentName(2)), 2);
        assertEquals(
                4,
                second.record().getPreviousRecords(),
                "the start record names what was committed: start, " + "header and two frames");
    }

    @Test
    void read_tornNewerSlot_olderSlotCounts() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 100, true);
        }
        Path file = dir.resolve("checkpoint");
        CheckpointFile.Contents contents = CheckpointFile.read(file);
        Checkpoint latest = contents.latest();
        byte[] bytes = Files.readAllBytes(file);
        int slot = (int) (latest.sequence() & 1) * CheckpointFile.SLOT_BYTES;
        bytes[slot + 30] ^= 0x40;
        Files.write(file, bytes);
        Checkpoint older = CheckpointFile.read(file).latest();
        assertEquals(latest.sequence() - 1, older.sequence());
        // Both slots torn: no checkpoint, named as such.
        bytes[CheckpointFile.SLOT_BYTES - slot + 30] ^= 0x40;
        Files.write(file, bytes);
        assertNull(CheckpointFile.read(file).latest());
        assertEquals(
                "neither checkpoint slot is valid (magic or CRC32C)",
                CheckpointFile.read(file).problem());
    }

    @Test
    void latest_equalSequences_slotOfThatSequenceWins() {
        Checkpoint a = new Checkpoint(5, 1, 100, 2);
        Checkpoint b = new Checkpoint(5, 1, 200, 3);
        assertEquals(b, new CheckpointFile.Contents(true, 8192, new Checkpoint[] {a, b}).latest());
        Checkpoint c = new Checkpoint(6, 1, 300, 4);
        assertEquals(c, new CheckpointFile.Contents(true, 8192, new Checkpoint[] {c, a}).latest());
    }
}
