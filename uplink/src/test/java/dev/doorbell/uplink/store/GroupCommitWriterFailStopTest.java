package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.LogCapture;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * docs/FORMAT.md §6, "Failure policy", for each kind of failure of a group commit: a failed write, fdatasync or
 * checkpoint has the same outcome. Nothing of the failed batch nor of what was written or queued behind it is
 * acknowledged, every clip falls back to its durable state, submissions are refused while the disk stays full, the
 * segment is cut back to what its checkpoint covers and never written again, and once space returns the store carries
 * on in a new segment whose start record names what was committed. Real files; the disk fails through {@link DiskOps}.
 */
class GroupCommitWriterFailStopTest {
    private static final String DEVICE = "porch";
    /** Large enough that half a failed batch is whole 4 KiB blocks, as a direct write needs. */
    private static final int SEALED = 20_000;

    @TempDir
    Path dir;

    enum Kind {
        WRITE,
        FDATASYNC,
        CHECKPOINT
    }

    /**
     * A disk whose next operation of one kind, once armed, waits until the test has submitted more records, then fails
     * half-way; from then on the disk is full (a new segment cannot be made) until the test repairs it.
     */
    private static final class FailingDisk extends DiskOps {
        final AtomicReference<Kind> armed = new AtomicReference<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean full;

        @Override
        void write(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
            if (fires(Kind.WRITE)) {
                buffer.limit(buffer.position() + (buffer.remaining() / 2 & ~4095));
                super.write(channel, buffer, position);
                throw new IOException("No space left on device");
            }
            super.write(channel, buffer, position);
        }

        @Override
        void force(FileChannel channel) throws IOException {
            if (fires(Kind.FDATASYNC)) {
                throw new IOException("Input/output error (injected fdatasync failure)");
            }
            super.force(channel);
        }

        @Override
        void writeCheckpoint(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
            if (fires(Kind.CHECKPOINT)) {
                throw new IOException("No space left on device (injected checkpoint failure)");
            }
            super.writeCheckpoint(channel, buffer, position);
        }

        @Override
        void write(FileChannel channel, ByteBuffer[] buffers) throws IOException {
            if (full) {
                throw new IOException("No space left on device (new segment)");
            }
            super.write(channel, buffers);
        }

        private boolean fires(Kind kind) throws IOException {
            if (!armed.compareAndSet(kind, null)) {
                return false;
            }
            entered.countDown();
            try {
                if (!release.await(StoreFixtures.DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IOException("the test never released the injected failure");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            full = true;
            return true;
        }
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void failure_ofEachKind_samePolicyNothingAcknowledgedSegmentCutBackThenCarriesOn(Kind kind) throws Exception {
        FailingDisk disk = new FailingDisk();
        Path first = dir.resolve("segments").resolve(SegmentFormat.segmentName(1));
        Checkpoint committed;
        try (LogCapture log = new LogCapture();
                DirectoryStore store = DirectoryStore.open(
                        dir,
                        StoreFixtures.options(),
                        StoreFixtures.CLOCK,
                        disk,
                        new FailurePolicy(Duration.ofMillis(5), Duration.ofMillis(20), Integer.MAX_VALUE))) {
            StoreFixtures.durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 2; seq++) {
                StoreFixtures.durable(frame(store, seq), Outcome.ACCEPTED);
            }
            committed = CheckpointFile.read(dir.resolve("checkpoint")).latest();

            disk.armed.set(kind);
            List<Submission> lost = new ArrayList<>(List.of(frame(store, 2)));
            assertTrue(
                    disk.entered.await(StoreFixtures.DEADLINE.toMillis(), TimeUnit.MILLISECONDS),
                    kind + " not reached");
            for (int seq = 3; seq < 6; seq++) {
                lost.add(frame(store, seq));
            }
            disk.release.countDown();

            for (Submission s : lost) {
                assertEquals(Outcome.ACCEPTED, s.outcome(), s.detail());
                Throwable error =
                        s.durable().handle((ok, e) -> e).get(StoreFixtures.DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                assertTrue(error instanceof StoreUnavailableException, kind + ": " + error);
            }
            assertEquals(
                    new ClipStatus(DEVICE, 1, 2, 2, false, false, false),
                    store.status(DEVICE, 1),
                    "the clip falls back to its durable frames");
            assertTrue(
                    log.errors()
                            .contains("store " + kind.name().toLowerCase(Locale.ROOT) + " failed in segment "
                                    + SegmentFormat.segmentName(1) + "; 4 records dropped, none acknowledged: "
                                    + failureOf(kind)),
                    log.errors().toString());
            assertEquals(Outcome.STORAGE_UNAVAILABLE, frame(store, 2).outcome(), "refused while the disk is full");
            StoreFixtures.await(
                    "segment 1 cut back to the " + committed.length() + " committed bytes",
                    () -> size(first) == committed.length());

            disk.full = false;
            StoreFixtures.await("the store to take records again", () -> {
                Submission s = frame(store, 2);
                return s.outcome() == Outcome.ACCEPTED
                        && s.durable().handle((ok, e) -> e == null).join();
            });
            for (int seq = 3; seq < 6; seq++) {
                StoreFixtures.durable(frame(store, seq), Outcome.ACCEPTED);
            }
            StoreFixtures.durable(store.closeClip(DEVICE, 1, 6), Outcome.ACCEPTED);
        }

        assertEquals(committed.length(), size(first), "the abandoned segment is never written again");
        StoreCheck.Report report = StoreCheck.check(dir);
        assertTrue(report.findings().isEmpty(), report.findings().toString());
        SegmentScanner.Start second =
                SegmentScanner.readStart(dir.resolve("segments").resolve(SegmentFormat.segmentName(2)), 2);
        assertEquals(committed.length(), second.record().getPreviousLength());
        assertEquals(committed.records(), second.record().getPreviousRecords());
        try (StoreReader reader = StoreReader.open(dir)) {
            assertEquals(6, reader.clip(DEVICE, 1).frames().size());
            assertTrue(reader.clip(DEVICE, 1).closed());
        }
    }

    private static Submission frame(DirectoryStore store, int seq) {
        return store.appendFrame(DEVICE, 1, seq, seq == 5, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, SEALED));
    }

    private static String failureOf(Kind kind) {
        return "java.io.IOException: "
                + switch (kind) {
                    case WRITE -> "No space left on device";
                    case FDATASYNC -> "Input/output error (injected fdatasync failure)";
                    case CHECKPOINT -> "No space left on device (injected checkpoint failure)";
                };
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
