package dev.doorbell.owner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code open} on stores with damage in the middle of the log (docs/FORMAT.md §6, reader rules): the reader
 * resynchronises after a bad record, names each damaged range, calls every clip that may have lost a record to it
 * DAMAGED, and opens every other clip.
 */
class OpenDamagedStoreTest {
    private static final String DEVICE = "porch";

    @TempDir
    Path dir;

    @Test
    void open_oneFlippedByteAmongSixClips_fiveOpenOkAndTheDamagedOneNamesTheRange() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        Path store = dir.resolve("store");
        try (DirectoryStore s = DirectoryStore.open(store, StoreOptions.defaults())) {
            for (long clipId = 1; clipId <= 6; clipId++) {
                SealedClips.upload(s, SealedClips.seal(keyring, DEVICE, clipId, 8), true);
            }
        }
        Path segment = store.resolve("segments/0000000001.seg");
        // Clip 3 frame 4: the middle of the segment.
        StoreFixture.RecordAt record = StoreFixture.find(
                segment,
                "frame 4 of clip 3",
                r -> r.hasFrame()
                        && r.getFrame().getClipId() == 3
                        && r.getFrame().getSeq() == 4);
        StoreFixture.flipByte(segment, record.offset() + 8 + record.length() / 2);

        OpenCli.Result r = OpenCli.open(store, keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertEquals(5, r.out().lines().filter(l -> l.contains("OK 8 frames")).count(), r.all());
        String range = "segment 0000000001 offsets " + record.offset() + ".." + (record.offset() + 8 + record.length());
        assertTrue(r.out().contains("DAMAGED at frame 4: frame missing"), r.all());
        assertTrue(
                r.out()
                        .contains("damaged range: " + range + ", " + (8 + record.length())
                                + " bytes skipped (CRC32C mismatch"),
                r.all());
        String summary = Files.readString(dir.resolve("out/summary.txt"));
        assertTrue(summary.contains("damaged range: " + range), summary);
        assertTrue(summary.contains("DAMAGED"), summary);
        Path clip3 = dir.resolve("out/porch/" + String.format("%016x", 3));
        assertTrue(Files.readString(clip3.resolve("verdict.txt")).startsWith("DAMAGED at frame 4: frame missing"));
        assertTrue(Files.readString(clip3.resolve("verdict.txt")).contains(range));
        assertTrue(Files.exists(clip3.resolve("frame-00003.jpg")));
        assertFalse(Files.exists(clip3.resolve("frame-00004.jpg")), "the frame in the damaged range is not there");
        assertTrue(Files.exists(clip3.resolve("frame-00007.jpg")), "frames after the damaged range are opened");
    }

    @Test
    void open_segmentNumberMissing_reportedByNameAndTheClipAcrossItDamaged() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        SealedClips.Clip before = SealedClips.seal(keyring, DEVICE, 1, 3);
        SealedClips.Clip across = SealedClips.seal(keyring, DEVICE, 2, 9);
        SealedClips.Clip after = SealedClips.seal(keyring, DEVICE, 3, 4);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(before);
        store.addAcrossSegments(across, 3, 6);
        store.addClose(DEVICE, 2, 9);
        store.addClip(after);
        store.write();
        Files.delete(store.segmentPath(2));

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("missing segment: segment 0000000002 is missing"), r.all());
        assertTrue(r.out().contains("DAMAGED at frame 3: frame missing"), r.all());
        assertTrue(r.out().contains("segment 0000000002 is missing"), r.all());
        assertEquals(2, r.out().lines().filter(l -> l.contains(" OK ")).count(), r.all());
    }

    @Test
    void open_framesWithoutHeaderAndNoDamage_tamperedNoHeaderWithVerdictFile() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        SealedClips.Clip headless = SealedClips.seal(keyring, DEVICE, 5, 3);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 4, 2));
        store.addFrames(headless, 0, 3);
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("TAMPERED at header: no header"), r.all());
        Path verdict = dir.resolve("out/porch/" + String.format("%016x", 5) + "/verdict.txt");
        assertTrue(Files.readString(verdict).startsWith("TAMPERED at header: no header"), Files.readString(verdict));
    }

    @Test
    void open_headerRecordDamaged_damagedAtHeaderNamingTheRange() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        List<Long> offsets = store.addClip(SealedClips.seal(keyring, DEVICE, 2, 3));
        store.addClip(SealedClips.seal(keyring, DEVICE, 3, 2));
        store.write();
        StoreFixture.flipByte(store.segmentPath(1), offsets.get(0) + 20);

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        String range = "segment 0000000001 offsets " + offsets.get(0) + ".." + offsets.get(1);
        assertTrue(r.out().contains("DAMAGED at header: no header"), r.all());
        assertTrue(r.out().contains("damaged range: " + range), r.all());
        Path verdict = dir.resolve("out/porch/" + String.format("%016x", 2) + "/verdict.txt");
        assertTrue(Files.readString(verdict).contains(range), Files.readString(verdict));
        assertEquals(2, r.out().lines().filter(l -> l.contains(" OK ")).count(), r.all());
    }

    @Test
    void open_crcValidRecordWithoutBodyCase_damagedRangeOtherClipsOpen() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        byte[] noBody = {0x28, 0x01}; // field 5, a varint: parses as a StoredRecord with no body case set
        long bad = store.addRaw(StoreFixture.framed(noBody));
        store.addClip(SealedClips.seal(keyring, DEVICE, 2, 2));
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("damaged range: segment 0000000001 offsets " + bad + ".." + (bad + 10)
                                + ", 10 bytes skipped (a StoredRecord with no body case"),
                r.all());
        assertEquals(2, r.out().lines().filter(l -> l.contains(" OK ")).count(), r.all());
    }

    @Test
    void open_recordWithImpossibleDeviceId_damagedRangeNothingWrittenForIt() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        long bad = store.add(StoredRecord.newBuilder()
                .setClipOpen(StoredClipOpen.newBuilder()
                        .setDeviceId("../../escape")
                        .setClipId(9)
                        .setHeader(ByteString.copyFrom(new byte[] {1})))
                .build());
        store.addClip(SealedClips.seal(keyring, DEVICE, 2, 2));
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(r.out().contains("damaged range: segment 0000000001 offsets " + bad + ".."), r.all());
        assertTrue(r.out().contains("not a valid device id"), r.all());
        assertFalse(Files.exists(dir.resolve("escape")));
        assertEquals(1, r.out().lines().filter(l -> l.contains(" OK ")).count(), r.all());
    }

    @Test
    void open_zeroPaddingBelowTheLimit_skippedQuietly() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.addRaw(new byte[65_535]);
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(0, r.exit(), r.all());
        assertFalse(r.all().contains("damaged"), r.all());
    }

    @Test
    void open_zeroRunAtThePaddingLimit_damagedRange() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        long zeros = store.addRaw(new byte[65_536]);
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out()
                        .contains("damaged range: segment 0000000001 offsets " + zeros + ".." + (zeros + 65_536)
                                + ", 65536 bytes skipped (65536 zero bytes"),
                r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }

    @Test
    void open_zerosAtTheEndOfAnOlderSegment_damagedRange() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        long zeros = store.addRaw(new byte[100]);
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 2, 2));
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(1, r.exit(), r.all());
        assertTrue(
                r.out().contains("damaged range: segment 0000000001 offsets " + zeros + ".." + (zeros + 100)), r.all());
        assertEquals(2, r.out().lines().filter(l -> l.contains(" OK ")).count(), r.all());
    }

    @Test
    void open_tornTailOfNewestV1Segment_warningAndClipsOk() throws Exception {
        Path keyring = SealedClips.keyring(dir.resolve("keyring"), DEVICE);
        StoreFixture store = StoreFixture.v1(dir.resolve("store"));
        store.startSegment();
        store.addClip(SealedClips.seal(keyring, DEVICE, 1, 2));
        store.addRaw(new byte[] {0, 0, 1, 0, 9, 9, 9});
        store.write();

        OpenCli.Result r = OpenCli.open(store.dir(), keyring, dir.resolve("out"));

        assertEquals(0, r.exit(), r.all());
        assertTrue(r.all().contains("torn tail"), r.all());
        assertTrue(r.out().contains("OK 2 frames"), r.all());
    }
}
