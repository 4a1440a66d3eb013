package dev.doorbell.owner;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredRecord;
import dev.doorbell.seal.SealedFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * A catalogue of stores, whole and damaged, v1 and v2, each built byte for byte with {@link StoreFixture} from real
 * sealed clips of one device, so that two readers can open the same stores and be compared case by case.
 */
public final class StoreCases {
    public static final String DEVICE = "porch";

    /** A store to open; {@code live} when an uplink must hold its lock while it is read. */
    public record Case(String name, Path store, boolean live) {}

    private interface Builder {
        void build(Path store, Path keyring) throws Exception;
    }

    private record Named(String name, boolean live, Builder builder) {}

    private StoreCases() {}

    /** A keyring for {@link #DEVICE} under {@code dir}. */
    public static Path keyring(Path dir) throws IOException {
        return SealedClips.keyring(dir, DEVICE);
    }

    /** Holds the store's lock from another process, as a running uplink does, until closed. */
    public static AutoCloseable holdLock(Path store) throws IOException, InterruptedException {
        return LockHolder.hold(store);
    }

    /** Builds every case under {@code dir} with clips sealed for {@code keyring}. */
    public static List<Case> build(Path dir, Path keyring) throws Exception {
        List<Case> cases = new ArrayList<>();
        for (Named n : catalogue()) {
            Path store = dir.resolve(n.name());
            n.builder().build(store, keyring);
            cases.add(new Case(n.name(), store, n.live()));
        }
        return cases;
    }

    private static List<Named> catalogue() {
        List<Named> c = new ArrayList<>();
        c.add(new Named("v1-whole", false, (s, k) -> v1(s, k, 3).write()));
        c.add(new Named("v1-flipped-byte-in-a-frame", false, (s, k) -> {
            StoreFixture f = v1(s, k, 2);
            List<Long> at = f.addClip(SealedClips.seal(k, DEVICE, 50, 6));
            f.addClip(SealedClips.seal(k, DEVICE, 51, 2));
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), at.get(3) + 30);
        }));
        c.add(new Named("v1-flipped-byte-in-a-header", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            List<Long> at = f.addClip(SealedClips.seal(k, DEVICE, 50, 3));
            f.addClip(SealedClips.seal(k, DEVICE, 51, 2));
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), at.get(0) + 12);
        }));
        c.add(new Named("v1-damaged-length-field", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            List<Long> at = f.addClip(SealedClips.seal(k, DEVICE, 50, 4));
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), at.get(2) + 2);
        }));
        c.add(new Named("v1-missing-segment", false, (s, k) -> {
            SealedClips.Clip across = SealedClips.seal(k, DEVICE, 50, 6);
            StoreFixture f = v1(s, k, 1);
            f.addAcrossSegments(across, 2, 4);
            f.addClose(DEVICE, 50, 6);
            f.write();
            Files.delete(f.segmentPath(2));
        }));
        c.add(new Named("v1-first-segments-missing", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            f.startSegment();
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.write();
            Files.delete(f.segmentPath(1));
            Files.delete(f.segmentPath(2));
        }));
        c.add(new Named("v1-frames-without-header", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            f.addFrames(SealedClips.seal(k, DEVICE, 50, 3), 0, 3);
            f.write();
        }));
        c.add(new Named("v1-second-header", false, (s, k) -> {
            SealedClips.Clip clip = SealedClips.seal(k, DEVICE, 50, 3);
            StoreFixture f = v1(s, k, 1);
            f.addOpen(DEVICE, 50, clip.header());
            f.addFrames(clip, 0, 1);
            f.addOpen(DEVICE, 50, clip.header());
            f.addFrames(clip, 1, 3);
            f.write();
        }));
        c.add(new Named("v1-record-without-body-case", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            f.addRaw(StoreFixture.framed(new byte[] {0x28, 0x01}));
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.write();
        }));
        c.add(new Named("v1-impossible-device-id", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            f.add(StoredRecord.newBuilder()
                    .setClipOpen(StoredClipOpen.newBuilder()
                            .setDeviceId("Porch")
                            .setClipId(9)
                            .setHeader(ByteString.copyFrom(new byte[] {1})))
                    .build());
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.write();
        }));
        c.add(new Named("v1-padding-below-limit", false, (s, k) -> {
            StoreFixture f = v1(s, k, 2);
            f.addRaw(new byte[SegmentScan.PADDING_LIMIT - 1]);
            f.write();
        }));
        c.add(new Named("v1-zero-run-at-limit", false, (s, k) -> {
            StoreFixture f = v1(s, k, 2);
            f.addRaw(new byte[SegmentScan.PADDING_LIMIT]);
            f.write();
        }));
        c.add(new Named("v1-zeros-in-older-segment", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            f.addRaw(new byte[40]);
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.write();
        }));
        c.add(new Named("v1-torn-tail", false, (s, k) -> {
            StoreFixture f = v1(s, k, 2);
            SealedClips.Clip open = SealedClips.seal(k, DEVICE, 50, 3);
            f.addOpen(DEVICE, 50, open.header());
            f.addFrames(open, 0, 2);
            f.addRaw(new byte[] {0, 0, 1, 0, 7, 7, 7, 7, 7});
            f.write();
        }));
        c.add(new Named("v1-bad-magic", false, (s, k) -> {
            StoreFixture f = v1(s, k, 2);
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), 3);
        }));
        c.add(new Named("v2-whole", false, (s, k) -> {
            StoreFixture f = v2(s, k, 2);
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 50, 3));
            f.checkpoint();
            f.write();
        }));
        c.add(new Named("v2-clip-in-progress", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            SealedClips.Clip open = SealedClips.seal(k, DEVICE, 50, 5);
            f.addOpen(DEVICE, 50, open.header());
            f.addFrames(open, 0, 3);
            f.checkpoint();
            f.write();
        }));
        c.add(new Named("v2-newest-cut-at-record-boundary", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            List<Long> ring = f.addClip(SealedClips.seal(k, DEVICE, 50, 3));
            f.checkpoint();
            f.write();
            StoreFixture.truncate(f.segmentPath(1), ring.get(0));
        }));
        c.add(new Named("v2-newest-cut-inside-a-clip", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            List<Long> ring = f.addClip(SealedClips.seal(k, DEVICE, 50, 5));
            f.checkpoint();
            f.write();
            StoreFixture.truncate(f.segmentPath(1), ring.get(3) + 5);
        }));
        c.add(new Named("v2-older-segment-cut", false, (s, k) -> {
            SealedClips.Clip across = SealedClips.seal(k, DEVICE, 50, 5);
            StoreFixture f = v2(s, k, 1);
            f.addOpen(DEVICE, 50, across.header());
            long cut = f.addFrame(DEVICE, across.frames().get(0));
            f.addFrames(across, 1, 2);
            f.startSegment();
            f.addFrames(across, 2, 5);
            f.addClose(DEVICE, 50, 5);
            f.checkpoint();
            f.write();
            StoreFixture.truncate(f.segmentPath(1), cut);
        }));
        c.add(new Named("v2-torn-tail-past-checkpoint", false, (s, k) -> {
            StoreFixture f = v2(s, k, 2);
            f.checkpoint();
            f.addRaw(new byte[] {0, 0, 3, 0, 1, 2, 3});
            f.write();
        }));
        c.add(new Named("v2-records-past-checkpoint", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            SealedClips.Clip clip = SealedClips.seal(k, DEVICE, 50, 4);
            f.addOpen(DEVICE, 50, clip.header());
            f.addFrames(clip, 0, 2);
            f.checkpoint();
            f.addFrames(clip, 2, 4);
            f.addRaw(new byte[100]);
            f.write();
        }));
        c.add(new Named("v2-bad-last-record-before-checkpoint", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            List<Long> at = f.addClip(SealedClips.seal(k, DEVICE, 50, 3));
            f.checkpoint();
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), at.get(at.size() - 2) + 40);
        }));
        c.add(new Named("v2-zeros-before-checkpoint", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            f.addRaw(new byte[64]);
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.checkpoint();
            f.write();
        }));
        c.add(new Named("v2-checkpoint-names-absent-segment", false, (s, k) -> {
            SealedClips.Clip across = SealedClips.seal(k, DEVICE, 50, 4);
            StoreFixture f = v2(s, k, 1);
            f.addAcrossSegments(across, 2);
            f.checkpoint();
            f.write();
            Files.delete(f.segmentPath(2));
        }));
        c.add(new Named("v2-first-segment-missing", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.checkpoint();
            f.write();
            Files.delete(f.segmentPath(1));
        }));
        c.add(new Named("v2-middle-segment-missing", false, (s, k) -> {
            SealedClips.Clip across = SealedClips.seal(k, DEVICE, 50, 6);
            StoreFixture f = v2(s, k, 1);
            f.addAcrossSegments(across, 2, 4);
            f.checkpoint();
            f.write();
            Files.delete(f.segmentPath(2));
        }));
        c.add(new Named("v2-new-segment-before-its-checkpoint", false, (s, k) -> {
            StoreFixture f = v2(s, k, 2);
            f.checkpoint();
            f.startSegment();
            f.write();
        }));
        c.add(new Named("v2-no-valid-checkpoint-slot", false, (s, k) -> {
            StoreFixture f = v2(s, k, 2);
            f.checkpoint();
            f.write();
            StoreFixture.flipByte(f.dir().resolve("checkpoint"), 4096 + 17);
        }));
        c.add(new Named("v2-stale-checkpoint", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            f.checkpoint();
            f.startSegment();
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.write();
        }));
        c.add(new Named("v2-damaged-start-record", false, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.checkpoint();
            f.write();
            StoreFixture.flipByte(f.segmentPath(2), 18);
        }));
        c.add(new Named("v2-first-start-record-damaged", false, (s, k) -> {
            StoreFixture f = v2(s, k, 2);
            f.checkpoint();
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), 18);
        }));
        c.add(new Named("v2-upgraded-v1-segment-cut", false, (s, k) -> {
            StoreFixture f = v1(s, k, 1);
            f.startSegment();
            List<Long> cut = f.addClip(SealedClips.seal(k, DEVICE, 50, 2));
            f.upgradeToV2();
            f.startSegment();
            f.addClip(SealedClips.seal(k, DEVICE, 51, 2));
            f.checkpoint();
            f.write();
            StoreFixture.truncate(f.segmentPath(2), cut.get(2));
        }));
        c.add(new Named("v2-altered-frame-after-damage", false, (s, k) -> {
            SealedClips.Clip clip = SealedClips.seal(k, DEVICE, 50, 5);
            StoreFixture f = v2(s, k, 0);
            f.addOpen(DEVICE, 50, clip.header());
            List<Long> at = new ArrayList<>();
            for (SealedFrame frame : clip.frames()) {
                at.add(f.addFrame(DEVICE, frame));
            }
            f.checkpoint();
            f.write();
            StoreFixture.flipByte(f.segmentPath(1), at.get(1) + 20);
            alterSealedByte(f.segmentPath(1), at.get(3));
        }));
        c.add(new Named("v2-live", true, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            SealedClips.Clip clip = SealedClips.seal(k, DEVICE, 50, 4);
            f.addOpen(DEVICE, 50, clip.header());
            f.addFrames(clip, 0, 2);
            f.checkpoint();
            f.addFrames(clip, 2, 3);
            f.addRaw(new byte[] {0, 0, 0, 90, 1});
            f.write();
        }));
        c.add(new Named("v2-live-segment-made-after-the-checkpoint", true, (s, k) -> {
            StoreFixture f = v2(s, k, 1);
            SealedClips.Clip clip = SealedClips.seal(k, DEVICE, 50, 4);
            f.addOpen(DEVICE, 50, clip.header());
            f.addFrames(clip, 0, 1);
            f.checkpoint();
            f.addFrames(clip, 1, 2);
            f.startSegment();
            f.addFrames(clip, 2, 4);
            f.write();
        }));
        return c;
    }

    /** A v1 store with {@code clips} whole clips (ids 1, 2, ...) in its first segment. */
    private static StoreFixture v1(Path store, Path keyring, int clips) {
        StoreFixture f = StoreFixture.v1(store);
        f.startSegment();
        for (int i = 1; i <= clips; i++) {
            f.addClip(SealedClips.seal(keyring, DEVICE, i, 2 + i));
        }
        return f;
    }

    private static StoreFixture v2(Path store, Path keyring, int clips) {
        StoreFixture f = StoreFixture.v2(store);
        for (int i = 1; i <= clips; i++) {
            f.addClip(SealedClips.seal(keyring, DEVICE, i, 2 + i));
        }
        return f;
    }

    /**
     * Changes the last byte of the sealed bytes of the frame record at {@code offset} and fixes the record's CRC32C,
     * as someone who rewrites the store would: the record is valid, the frame does not authenticate. The fixture's
     * frame records end with received_unix_ms = 2, two bytes, after the sealed bytes.
     */
    private static void alterSealedByte(Path segment, long offset) throws IOException {
        byte[] bytes = Files.readAllBytes(segment);
        ByteBuffer all = ByteBuffer.wrap(bytes);
        int length = all.getInt((int) offset);
        int body = (int) offset + 8;
        bytes[body + length - 3] ^= 0x01;
        CRC32C crc = new CRC32C();
        crc.update(bytes, body, length);
        all.putInt((int) offset + 4, (int) crc.getValue());
        Files.write(segment, bytes);
    }
}
