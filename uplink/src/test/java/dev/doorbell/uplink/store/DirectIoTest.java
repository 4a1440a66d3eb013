package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.durable;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Direct writes cover whole blocks: an open store's newest segment ends in zero padding, which a clean close cuts
 * and recovery cuts after a hard stop; records written across block boundaries read back byte for byte.
 */
class DirectIoTest {
    private static final String DEVICE = "porch-cam";

    @TempDir
    Path dir;

    @Test
    void open_copyOfSegmentTakenWhileRunning_paddingCutAndEveryDurableFrameKept() throws Exception {
        Path live = dir.resolve("live");
        Path crashed = dir.resolve("crashed");
        try (DirectoryStore store = StoreFixtures.open(live)) {
            durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 7; seq++) {
                durable(
                        store.appendFrame(
                                DEVICE, 1, seq, false, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, 1000 + seq)),
                        Outcome.ACCEPTED);
            }
            // What a SIGKILL leaves: every acknowledged record, then zeros up to the block boundary of the last write.
            // The
            // checkpoint is copied first: the segment copied after it holds at least what it covers.
            Files.createDirectories(crashed.resolve("segments"));
            Files.copy(live.resolve("doorbell-store"), crashed.resolve("doorbell-store"));
            Files.copy(live.resolve("checkpoint"), crashed.resolve("checkpoint"));
            Files.copy(segment(live), segment(crashed));
        }
        long padded = Files.size(segment(crashed));
        long logical = Files.size(segment(live));
        assertTrue(padded > logical && padded % 4096 == 0, "padded " + padded + ", logical " + logical);
        try (DirectoryStore store = StoreFixtures.open(crashed)) {
            assertEquals(new ClipStatus(DEVICE, 1, 7, 7, false, false, false), store.status(DEVICE, 1));
            assertEquals(logical, Files.size(segment(crashed)), "padding cut on open");
            assertEquals(
                    List.of(StoreFinding.Kind.PADDING),
                    store.findings().stream().map(StoreFinding::kind).toList());
            durable(
                    store.appendFrame(DEVICE, 1, 7, true, meta(DEVICE, 1, 7), sealed(DEVICE, 1, 7, 5000)),
                    Outcome.ACCEPTED);
            durable(store.closeClip(DEVICE, 1, 8), Outcome.ACCEPTED);
        }
        try (StoreReader reader = StoreReader.open(crashed)) {
            assertTrue(
                    reader.report().ok() && reader.report().tornTail() == null,
                    reader.report().toString());
            for (int seq = 0; seq < 8; seq++) {
                assertArrayEquals(
                        sealed(DEVICE, 1, seq, seq < 7 ? 1000 + seq : 5000),
                        reader.clip(DEVICE, 1).frames().get(seq).sealed(),
                        "frame " + seq);
            }
        }
    }

    @ParameterizedTest(name = "direct I/O {0}")
    @ValueSource(booleans = {true, false})
    void close_manyBatchesAcrossBlocksAndSegments_everyFrameReadBackAndNoPadding(boolean direct) throws Exception {
        StoreOptions options = StoreFixtures.options().withDirectIo(direct).withSegmentBytes(64 << 10);
        try (DirectoryStore store = DirectoryStore.open(dir, options, StoreFixtures.CLOCK)) {
            durable(store.openClip(DEVICE, 1, StoreFixtures.header(DEVICE, 1)), Outcome.ACCEPTED);
            for (int seq = 0; seq < 60; seq++) {
                // Sizes that put record ends at every kind of offset within a 4 KiB block.
                durable(
                        store.appendFrame(
                                DEVICE,
                                1,
                                seq,
                                seq == 59,
                                meta(DEVICE, 1, seq),
                                sealed(DEVICE, 1, seq, 1 + seq * 397 % 9000)),
                        Outcome.ACCEPTED);
            }
            durable(store.closeClip(DEVICE, 1, 60), Outcome.ACCEPTED);
        }
        try (var segments = Files.list(dir.resolve("segments"))) {
            assertTrue(segments.count() > 3, "rolled across several segments");
        }
        try (StoreReader reader = StoreReader.open(dir)) {
            assertTrue(
                    reader.report().ok() && reader.report().tornTail() == null,
                    reader.report().toString());
            for (int seq = 0; seq < 60; seq++) {
                assertArrayEquals(
                        sealed(DEVICE, 1, seq, 1 + seq * 397 % 9000),
                        reader.clip(DEVICE, 1).frames().get(seq).sealed(),
                        "frame " + seq);
            }
            assertTrue(reader.clip(DEVICE, 1).closed());
        }
    }

    private static Path segment(Path store) {
        return store.resolve("segments").resolve(SegmentFormat.segmentName(1));
    }
}
