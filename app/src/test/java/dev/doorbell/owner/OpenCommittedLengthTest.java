package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.SealedFrame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code open} on v2 stores (STORE-SPEC §1-4): start records and the checkpoint let the reader detect a store shorter
 * than what was acknowledged and name what is missing; bytes before the checkpoint's length are never called
 * unacknowledged; a live store is read up to its last group commit; v1 stores say that shortening cannot be checked.
 */
class OpenCommittedLengthTest {
    private static final String DEVICE = "porch";

    @TempDir
    Path dir;

    @Test
    void open_newestSegmentCutAtARecordBoundary_shorterThanCommittedNeverOk() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 3));
        List<Long> ring = store.addClip(SealedClips.seal(keyring, DEVICE, 2, 4));
        store.checkpoint();
        long committed = store.newest().length();
        store.write();
        StoreFixture.truncate(store.segmentPath(1), ring.get(0));

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("shorter than committed: segment 0000000001 is shorter than committed: " + ring.get(0)
                                + " of " + committed + " bytes, 6 of 12 records"),
                r.all());
        assertTrue(r.out().contains("OK 3 frames"), r.all());
        assertTrue(Files.readString(dir.resolve("out/summary.txt")).contains("shorter than committed"));
    }

    @Test
    void open_olderSegmentCutShort_namedThroughTheNextStartRecord() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        SealedClips.Clip across = SealedClips.seal(keyring, DEVICE, 2, 6);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.addOpen(DEVICE, 2, across.header());
        long cut = store.addFrame(DEVICE, across.frames().get(0));
        store.addFrame(DEVICE, across.frames().get(1));
        long committed = store.newest().length();
        store.startSegment();
        for (SealedFrame f : across.frames().subList(2, 6)) {
            store.addFrame(DEVICE, f);
        }
        store.checkpoint();
        store.write();
        StoreFixture.truncate(store.segmentPath(1), cut);

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("segment 0000000001 is shorter than committed: " + cut + " of " + committed
                                + " bytes, 6 of 8 records"),
                r.all());
        assertTrue(r.out().contains("DAMAGED at frame 0: frame missing"), r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }

    @Test
    void open_tornTailPastTheCheckpoint_warnsNeverAcknowledgedAndOpensOk() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 3));
        store.checkpoint();
        long tail = store.addRaw(new byte[] {0, 0, 2, 0, 1, 2, 3, 4, 5});
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(0, r.exit(), r.all());
        assertTrue(
                r.all().contains("segment 0000000001: 9 bytes after offset " + tail + " were never acknowledged"),
                r.all());
        assertTrue(r.out().contains("OK 3 frames"), r.all());
    }

    @Test
    void open_badRecordBeforeTheCheckpointLength_damageNeverCalledUnacknowledged() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        List<Long> last = store.addClip(SealedClips.seal(keyring, DEVICE, 2, 3));
        store.checkpoint();
        long committed = store.newest().length();
        store.write();
        // The last acknowledged record (clip 2's close) damaged: no valid record follows it, which a v1 reader took
        // for a torn, never-acknowledged tail.
        StoreFixture.flipByte(store.segmentPath(1), last.get(last.size() - 1) + 9);

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("damaged range: segment 0000000001 offsets " + last.get(last.size() - 1) + ".."
                                + committed),
                r.all());
        assertFalse(r.all().contains("unacknowledged"), r.all());
        assertFalse(r.all().contains("never acknowledged"), r.all());
        assertFalse(r.all().contains("torn"), r.all());
    }

    @Test
    void open_checkpointNamesAnAbsentSegment_segmentsAfterMissing() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        SealedClips.Clip across = SealedClips.seal(keyring, DEVICE, 2, 4);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.addOpen(DEVICE, 2, across.header());
        store.addFrame(DEVICE, across.frames().get(0));
        store.startSegment();
        store.addFrame(DEVICE, across.frames().get(1));
        store.checkpoint();
        store.write();
        Files.delete(store.segmentPath(2));

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("missing segment: segments after 0000000001 are missing (checkpoint names segment "
                                + "0000000002)"),
                r.all());
        assertTrue(r.out().contains("DAMAGED at frame 1: no final frame"), r.all());
    }

    @Test
    void open_firstSegmentsGoneBelowAStartRecord_namedMissing() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 2, 2));
        store.checkpoint();
        store.write();
        Files.delete(store.segmentPath(1));

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("missing segment: segment 0000000001 is missing"), r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }

    @Test
    void open_newestSegmentAboveTheCheckpointHoldingOnlyItsStartRecord_clean() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.checkpoint();
        store.startSegment();
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(0, r.exit(), r.all());
        assertFalse(r.all().contains("warning"), r.all());
    }

    @Test
    void open_startRecordOfTheOnlySegmentDamaged_theDamagedRangeAloneIsReported() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.checkpoint();
        store.write();
        StoreFixture.flipByte(store.segmentPath(1), 18);

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains(", 1 finding\n"), r.all());
        assertTrue(r.out().contains("damaged range: segment 0000000001 offsets 8.."), r.all());
        assertTrue(
                r.err().contains("segment 0000000001 begins with a damaged range: its start record cannot be read"),
                r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }

    @Test
    void open_bothCheckpointSlotsDamaged_damagedCheckpointReported() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.checkpoint();
        store.checkpoint();
        store.write();
        StoreFixture.flipByte(store.dir().resolve("checkpoint"), 20);
        StoreFixture.flipByte(store.dir().resolve("checkpoint"), 4096 + 20);

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("damaged checkpoint: "), r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }

    @Test
    void open_v1Store_warnsOnceThatShorteningCannotBeChecked() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(0, r.exit(), r.all());
        assertEquals(
                1, r.all().lines().filter(l -> l.contains("cannot be detected")).count(), r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }

    @Test
    void open_upgradedStore_v1SegmentsNamedAndTheLastOneCheckedThroughTheStartRecord() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.startSegment();
        List<Long> cut = store.addClip(SealedClips.seal(keyring, DEVICE, 2, 2));
        long committed = store.newest().length();
        store.upgradeToV2();
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 3, 2));
        store.checkpoint();
        store.write();
        StoreFixture.truncate(store.segmentPath(2), cut.get(0));

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.all().contains("segments 0000000001..0000000002 were written by a v1 uplink"), r.all());
        assertTrue(
                r.out()
                        .contains("segment 0000000002 is shorter than committed: 8 of " + committed
                                + " bytes, 0 of 4 records"),
                r.all());
        assertEquals(2, r.out().lines().filter(l -> l.contains(" OK ")).count(), r.all());
    }

    @Test
    void open_unknownStoreVersion_refusedNamingIt() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.write();
        Files.writeString(store.dir().resolve("doorbell-store"), "doorbell-store v3\n");

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(2, r.exit(), r.all());
        assertTrue(r.err().contains("doorbell-store v3"), r.all());
    }

    @Test
    void open_liveStoreThatRolledAfterItsCheckpoint_readsThePrefixWithoutFindings() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        SealedClips.Clip recording = SealedClips.seal(keyring, DEVICE, 2, 4);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addOpen(DEVICE, 2, recording.header());
        store.addFrame(DEVICE, recording.frames().get(0));
        store.checkpoint();
        // Between the reader's look at the checkpoint and at the segments, the uplink wrote more, rolled, and the new
        // segment's start record gives the old one a longer committed length than that checkpoint did.
        store.addFrame(DEVICE, recording.frames().get(1));
        store.startSegment();
        store.addFrame(DEVICE, recording.frames().get(2));
        store.write();

        try (LockHolder uplink = LockHolder.hold(store.dir())) {
            OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

            assertTrue(r.out().contains("TRUNCATED after 1 verified frames"), r.all());
            assertFalse(r.out().contains("finding"), r.all());
            assertFalse(r.all().contains("damaged"), r.all());
        }
    }

    @Test
    void open_liveStore_readsUpToTheCheckpointAndSaysSo() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        SealedClips.Clip recording = SealedClips.seal(keyring, DEVICE, 2, 5);
        StoreFixture store = StoreFixture.v2(dir.resolve("store"));
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.addOpen(DEVICE, 2, recording.header());
        store.addFrame(DEVICE, recording.frames().get(0));
        store.addFrame(DEVICE, recording.frames().get(1));
        store.checkpoint();
        long committed = store.newest().length();
        store.addFrame(DEVICE, recording.frames().get(2)); // written, not yet covered by a checkpoint
        store.addRaw(new byte[] {0, 0, 0, 50, 1, 2}); // a batch being written right now
        store.write();

        try (LockHolder uplink = LockHolder.hold(store.dir())) {
            OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

            assertEquals(1, r.exit(), r.all());
            assertTrue(
                    r.all()
                            .contains("live store (uplink pid " + uplink.pid() + "): read up to the last group commit, "
                                    + "segment 0000000001 offset " + committed),
                    r.all());
            assertTrue(r.out().contains("TRUNCATED after 2 verified frames"), r.all());
            assertTrue(r.out().contains("OK 2 frames"), r.all());
            assertFalse(r.all().contains("damaged"), r.all());
        }
        OpenCli.Result stopped = OpenCli.open(store.dir(), keyring, dir.resolve("out2"));
        assertTrue(stopped.out().contains("TRUNCATED after 3 verified frames"), stopped.all());
        assertFalse(stopped.all().contains("live store"), stopped.all());
    }
}
