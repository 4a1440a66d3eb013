package dev.doorbell.uplink.store;

import static dev.doorbell.uplink.store.StoreFixtures.durable;
import static dev.doorbell.uplink.store.StoreFixtures.header;
import static dev.doorbell.uplink.store.StoreFixtures.meta;
import static dev.doorbell.uplink.store.StoreFixtures.sealed;
import static dev.doorbell.uplink.store.StoreFixtures.storeClip;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryStoreTest {
    private static final String DEVICE = "front-door";

    @TempDir
    Path dir;

    @Test
    void appendFrame_roundTrip_readBackByteIdentical() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 7, 5, 3000, true);
            assertEquals(new ClipStatus(DEVICE, 7, 5, 5, true, true, true), store.status(DEVICE, 7));
        }
        try (StoreReader reader = StoreReader.open(dir)) {
            StoreReader.Clip clip = reader.clip(DEVICE, 7);
            assertArrayEquals(header(DEVICE, 7), clip.header());
            assertEquals(5, clip.frames().size());
            assertTrue(clip.closed());
            for (int seq = 0; seq < 5; seq++) {
                StoreReader.Frame frame = clip.frames().get(seq);
                assertEquals(seq, frame.seq());
                assertEquals(seq == 4, frame.last());
                assertArrayEquals(meta(DEVICE, 7, seq), frame.meta());
                assertArrayEquals(sealed(DEVICE, 7, seq, 3000), frame.sealed());
            }
            assertTrue(reader.report().ok(), reader.report().toString());
        }
    }

    @Test
    void open_afterClose_recoversExactStatus() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 4, 500, true);
            storeClip(store, DEVICE, 2, 3, 500, false);
            storeClip(store, "back-door", 1, 2, 500, false);
            durable(store.openClip(DEVICE, 3, header(DEVICE, 3)), Outcome.ACCEPTED);
            durable(
                    store.appendFrame(DEVICE, 3, 0, false, meta(DEVICE, 3, 0), sealed(DEVICE, 3, 0, 10)),
                    Outcome.ACCEPTED);
        }
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertEquals(new ClipStatus(DEVICE, 1, 4, 4, true, true, true), store.status(DEVICE, 1));
            assertEquals(new ClipStatus(DEVICE, 2, 3, 3, true, false, false), store.status(DEVICE, 2));
            assertEquals(new ClipStatus(DEVICE, 3, 1, 1, false, false, false), store.status(DEVICE, 3));
            assertEquals(new ClipStatus("back-door", 1, 2, 2, true, false, false), store.status("back-door", 1));
            assertEquals(List.of(store.status(DEVICE, 2), store.status(DEVICE, 3)), store.openClips(DEVICE));
            assertEquals(4, store.stats().clips());
            durable(
                    store.appendFrame(DEVICE, 3, 1, true, meta(DEVICE, 3, 1), sealed(DEVICE, 3, 1, 10)),
                    Outcome.ACCEPTED);
            durable(store.closeClip(DEVICE, 3, 2), Outcome.ACCEPTED);
            assertNull(store.status(DEVICE, 99));
            durable(
                    store.appendFrame(DEVICE, 1, 2, false, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 500)),
                    Outcome.DUPLICATE);
            assertEquals(
                    Outcome.FRAME_CONFLICT,
                    store.appendFrame(DEVICE, 1, 2, false, meta(DEVICE, 1, 1), sealed(DEVICE, 1, 2, 500))
                            .outcome());
            durable(store.openClip(DEVICE, 2, header(DEVICE, 2)), Outcome.DUPLICATE);
        }
    }

    @Test
    void openClip_sameOrOtherHeader_duplicateOrConflict() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            durable(store.openClip(DEVICE, 1, header(DEVICE, 1)), Outcome.ACCEPTED);
            durable(store.openClip(DEVICE, 1, header(DEVICE, 1)), Outcome.DUPLICATE);
            Submission conflict = store.openClip(DEVICE, 1, header(DEVICE, 2));
            assertEquals(Outcome.CLIP_CONFLICT, conflict.outcome());
            assertTrue(conflict.detail().contains("device front-door clip 1"), conflict.detail());
            assertTrue(conflict.durable().isDone());
        }
    }

    @Test
    void appendFrame_resentFrames_identicalDuplicateDifferentConflict() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 3, 800, false);
            durable(
                    store.appendFrame(DEVICE, 1, 1, false, meta(DEVICE, 1, 1), sealed(DEVICE, 1, 1, 800)),
                    Outcome.DUPLICATE);
            byte[] tampered = sealed(DEVICE, 1, 1, 800);
            tampered[100] ^= 1;
            Submission conflict = store.appendFrame(DEVICE, 1, 1, false, meta(DEVICE, 1, 1), tampered);
            assertEquals(Outcome.FRAME_CONFLICT, conflict.outcome());
            assertTrue(conflict.detail().contains("device front-door clip 1 frame 1"), conflict.detail());
            Submission lastFlag = store.appendFrame(DEVICE, 1, 2, false, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 800));
            assertEquals(Outcome.FRAME_CONFLICT, lastFlag.outcome());
        }
        try (StoreReader reader = StoreReader.open(dir)) {
            assertArrayEquals(
                    sealed(DEVICE, 1, 1, 800),
                    reader.clip(DEVICE, 1).frames().get(1).sealed());
        }
    }

    @Test
    void appendFrame_resentWhileQueued_duplicateCompletesWithOriginal() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            durable(store.openClip(DEVICE, 1, header(DEVICE, 1)), Outcome.ACCEPTED);
            Submission first = store.appendFrame(DEVICE, 1, 0, false, meta(DEVICE, 1, 0), sealed(DEVICE, 1, 0, 50));
            Submission again = store.appendFrame(DEVICE, 1, 0, false, meta(DEVICE, 1, 0), sealed(DEVICE, 1, 0, 50));
            Submission other = store.appendFrame(DEVICE, 1, 0, false, meta(DEVICE, 1, 0), sealed(DEVICE, 1, 0, 51));
            assertEquals(Outcome.ACCEPTED, first.outcome());
            assertTrue(again.outcome() == Outcome.DUPLICATE, again.detail());
            assertEquals(Outcome.FRAME_CONFLICT, other.outcome());
            durable(again, Outcome.DUPLICATE);
            assertTrue(first.durable().isDone());
        }
    }

    @Test
    void appendFrame_beyondNext_sequenceGap() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 0, 0, false);
            durable(
                    store.appendFrame(DEVICE, 1, 0, false, meta(DEVICE, 1, 0), sealed(DEVICE, 1, 0, 40)),
                    Outcome.ACCEPTED);
            Submission gap = store.appendFrame(DEVICE, 1, 2, false, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 40));
            assertEquals(Outcome.SEQUENCE_GAP, gap.outcome());
            assertTrue(gap.detail().contains("frame 2: expected frame 1"), gap.detail());
            assertEquals(
                    Outcome.SEQUENCE_GAP,
                    store.appendFrame(DEVICE, 1, -1, false, new byte[0], new byte[16])
                            .outcome());
            assertEquals(1, store.status(DEVICE, 1).receivedFrames());
        }
    }

    @Test
    void appendFrame_afterLastOrClose_clipClosed() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 2, 40, false);
            Submission afterLast = store.appendFrame(DEVICE, 1, 2, false, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 40));
            assertEquals(Outcome.CLIP_CLOSED, afterLast.outcome());
            durable(store.closeClip(DEVICE, 1, 2), Outcome.ACCEPTED);
            assertEquals(
                    Outcome.CLIP_CLOSED,
                    store.appendFrame(DEVICE, 1, 2, true, meta(DEVICE, 1, 2), sealed(DEVICE, 1, 2, 40))
                            .outcome());
            durable(store.closeClip(DEVICE, 1, 2), Outcome.DUPLICATE);
            assertEquals(Outcome.BAD_CLOSE, store.closeClip(DEVICE, 1, 3).outcome());
            assertEquals(List.of(), store.openClips(DEVICE));
        }
    }

    @Test
    void closeClip_wrongCountOrNoLast_badClose() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            storeClip(store, DEVICE, 1, 0, 0, false);
            durable(
                    store.appendFrame(DEVICE, 1, 0, false, meta(DEVICE, 1, 0), sealed(DEVICE, 1, 0, 40)),
                    Outcome.ACCEPTED);
            Submission noLast = store.closeClip(DEVICE, 1, 1);
            assertEquals(Outcome.BAD_CLOSE, noLast.outcome());
            assertTrue(noLast.detail().contains("without a last frame"), noLast.detail());
            durable(
                    store.appendFrame(DEVICE, 1, 1, true, meta(DEVICE, 1, 1), sealed(DEVICE, 1, 1, 40)),
                    Outcome.ACCEPTED);
            assertEquals(Outcome.BAD_CLOSE, store.closeClip(DEVICE, 1, 3).outcome());
            assertFalse(store.status(DEVICE, 1).closeReceived());
        }
    }

    @Test
    void appendFrameOrClose_noHeader_unknownClip() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            Submission frame = store.appendFrame(DEVICE, 5, 0, true, new byte[0], new byte[16]);
            assertEquals(Outcome.UNKNOWN_CLIP, frame.outcome());
            assertTrue(frame.detail().contains("device front-door clip 5 frame 0"), frame.detail());
            assertEquals(Outcome.UNKNOWN_CLIP, store.closeClip(DEVICE, 5, 1).outcome());
            assertNull(store.status(DEVICE, 5));
            assertEquals(0, store.stats().clips());
        }
    }

    @Test
    void submit_afterClose_stopped() throws Exception {
        DirectoryStore store = StoreFixtures.open(dir);
        store.close();
        store.close();
        assertEquals(
                Outcome.STOPPED, store.openClip(DEVICE, 1, header(DEVICE, 1)).outcome());
    }

    @Test
    void close_withQueuedRecords_makesThemDurable() throws Exception {
        Submission last;
        try (DirectoryStore store = DirectoryStore.open(
                dir, StoreFixtures.options().withMaxBatchDelay(java.time.Duration.ofMillis(50)), StoreFixtures.CLOCK)) {
            store.openClip(DEVICE, 1, header(DEVICE, 1));
            for (int seq = 0; seq < 99; seq++) {
                store.appendFrame(DEVICE, 1, seq, false, meta(DEVICE, 1, seq), sealed(DEVICE, 1, seq, 100));
            }
            last = store.appendFrame(DEVICE, 1, 99, true, meta(DEVICE, 1, 99), sealed(DEVICE, 1, 99, 100));
        }
        assertTrue(last.durable().isDone() && !last.durable().isCompletedExceptionally());
        try (StoreReader reader = StoreReader.open(dir)) {
            assertEquals(100, reader.clip(DEVICE, 1).frames().size());
        }
    }

    @Test
    void open_nonEmptyDirectoryWithoutMarker_refused() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "mine");
        IOException e = assertThrows(IOException.class, () -> StoreFixtures.open(dir));
        assertTrue(e.getMessage().contains("not empty"), e.getMessage());
    }

    @Test
    void openClip_invalidDeviceId_throws() throws Exception {
        try (DirectoryStore store = StoreFixtures.open(dir)) {
            assertThrows(IllegalArgumentException.class, () -> store.openClip("Front Door", 1, new byte[1]));
        }
    }
}
