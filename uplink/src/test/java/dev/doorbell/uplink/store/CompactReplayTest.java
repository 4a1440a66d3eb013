package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.StoredClipClose;
import dev.doorbell.proto.v1.StoredClipOpen;
import dev.doorbell.proto.v1.StoredFrame;
import dev.doorbell.proto.v1.StoredRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A record after a clip's close, met on replay when the clip is already in compact form: the clip comes back to full
 * form, is marked damaged, and every later answer about it equals the answer of an index that kept it in full form.
 */
class CompactReplayTest {
    private static final String DEVICE = "porch";
    private static final byte[] HEADER = StoreFixtures.bytes(1, 300);
    private static final byte[] OTHER_HEADER = StoreFixtures.bytes(2, 300);

    @Test
    void recordAfterTheCloseOfACompactClip_damagedAsInFullForm() {
        ClipIndex compact = new ClipIndex(0);
        ClipIndex full = new ClipIndex();
        List<StoredRecord> log = new ArrayList<>();
        log.add(open(7));
        for (int seq = 0; seq < 3; seq++) {
            log.add(frame(7, seq, seq == 2));
        }
        log.add(close(7, 3));
        log.add(open(8));
        log.add(frame(8, 0, true));
        log.add(close(8, 1));
        // Frame 1 of clip 7 again, after its close: a rule broken on disk.
        log.add(frame(7, 1, false));
        long offset = 0;
        for (StoredRecord record : log) {
            int length = record.getSerializedSize() + SegmentFormat.RECORD_HEADER_BYTES;
            assertEquals(full.replay(record, 1, offset, length), compact.replay(record, 1, offset, length));
            offset += length;
        }
        assertNotNull(compact.get(DEVICE, 7), "back in full form");
        assertNotNull(compact.get(DEVICE, 7).damage);
        assertNull(compact.get(DEVICE, 8), "clip 8 stays compact");
        assertEquals(full.status(DEVICE, 7), compact.status(DEVICE, 7));
        assertEquals(full.status(DEVICE, 8), compact.status(DEVICE, 8));
        assertEquals(full.get(DEVICE, 7).damage, compact.get(DEVICE, 7).damage);

        for (byte[] sent : List.of(HEADER, OTHER_HEADER)) {
            Submission expected = full.openClip(DEVICE, 7, sent, List.of(), 0).submission();
            ClipIndex.HeaderCheck check = assertInstanceOf(
                    ClipIndex.HeaderCheck.class,
                    compact.openClip(DEVICE, 7, sent, List.of(), 0).check());
            assertEquals(
                    new Location(1, 0, log.get(0).getSerializedSize() + SegmentFormat.RECORD_HEADER_BYTES),
                    new Location(check.segment(), check.offset(), check.length()));
            Submission actual = ClipIndex.headerCompared(check, HEADER);
            assertEquals(expected.outcome(), actual.outcome());
            assertEquals(expected.detail(), actual.detail());
        }
        ByteString meta = ByteString.copyFrom(new byte[4]);
        ByteString sealed = ByteString.copyFrom(new byte[8]);
        Submission expected =
                full.appendFrame(DEVICE, 7, 3, true, meta, sealed, 0).submission();
        Submission actual =
                compact.appendFrame(DEVICE, 7, 3, true, meta, sealed, 0).submission();
        assertEquals(expected.outcome(), actual.outcome());
        assertEquals(expected.detail(), actual.detail());
        ClipIndex.FrameCheck check = assertInstanceOf(
                ClipIndex.FrameCheck.class,
                compact.appendFrame(DEVICE, 7, 1, false, meta, sealed, 0).check());
        assertEquals(false, check.located(), "its frames are found by reading its segments");
    }

    private record Location(long segment, long offset, int length) {}

    private static StoredRecord open(long clip) {
        return StoredRecord.newBuilder()
                .setClipOpen(StoredClipOpen.newBuilder()
                        .setDeviceId(DEVICE)
                        .setClipId(clip)
                        .setHeader(ByteString.copyFrom(HEADER))
                        .setReceivedUnixMs(1000 + clip))
                .build();
    }

    private static StoredRecord frame(long clip, int seq, boolean last) {
        return StoredRecord.newBuilder()
                .setFrame(StoredFrame.newBuilder()
                        .setDeviceId(DEVICE)
                        .setClipId(clip)
                        .setSeq(seq)
                        .setLast(last)
                        .setMeta(ByteString.copyFrom(new byte[4]))
                        .setSealed(ByteString.copyFrom(StoreFixtures.bytes(clip * 100 + seq, 32)))
                        .setReceivedUnixMs(1000 + clip))
                .build();
    }

    private static StoredRecord close(long clip, int frames) {
        return StoredRecord.newBuilder()
                .setClipClose(StoredClipClose.newBuilder()
                        .setDeviceId(DEVICE)
                        .setClipId(clip)
                        .setFrameCount(frames)
                        .setReceivedUnixMs(1000 + clip))
                .build();
    }
}
