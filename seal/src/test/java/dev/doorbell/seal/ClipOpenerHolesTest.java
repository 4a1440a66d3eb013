package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The opener with what a store reader knows about unreadable parts of the store (docs/FORMAT.md §6): a gap, a
 * missing final frame or a missing header that may lie in a hole is DAMAGED, every stored frame still verified;
 * the same gap with no hole is TAMPERED; a frame that fails after a hole is still TAMPERED.
 */
class ClipOpenerHolesTest {
    private static final long CLIP = 9;
    private static final String RANGE = "damaged range segment 0000000001 offsets 100..200";

    private final SecureRandom rnd = new InsecureDeterministicRandom("clip-opener-holes-test");
    private final RootKey root = RootKey.generate(TestClips.DEVICE, rnd);
    private final EpochKey key = root.epochKey(0);
    private final ClipOpener opener = new ClipOpener(id -> root);
    private final TestClips.Clip clip = TestClips.seal(key, CLIP, rnd, 11, 22, 33, 44, 55, 66);

    @Test
    void open_gapInAHole_damagedAndEveryOtherFrameVerified() {
        ClipVerdict verdict = open(without(2, 3), new ClipHoles(null, List.of(new FrameHole(1, 4, RANGE))));
        assertEquals(ClipVerdict.Status.DAMAGED, verdict.status(), verdict.summary());
        assertEquals(OptionalInt.of(2), verdict.failedSeq());
        assertEquals("frame missing", verdict.keyword());
        assertTrue(
                verdict.summary().startsWith("DAMAGED at frame 2: frame missing (frames 2..3 may be in " + RANGE),
                verdict.summary());
        assertEquals(
                List.of(0, 1, 4, 5),
                verdict.frames().stream().map(OpenedFrame::seq).toList());
    }

    @Test
    void open_sameGapWithoutAHole_tamperedFrameMissing() {
        ClipVerdict verdict = open(without(2, 3), ClipHoles.NONE);
        assertEquals(ClipVerdict.Status.TAMPERED, verdict.status(), verdict.summary());
        assertEquals("frame missing", verdict.keyword());
        assertEquals(2, verdict.frames().size());
    }

    @Test
    void open_holeBetweenOtherFramesThanTheGap_tamperedFrameMissing() {
        ClipVerdict verdict = open(without(2, 3), new ClipHoles(null, List.of(new FrameHole(4, 5, RANGE))));
        assertEquals(ClipVerdict.Status.TAMPERED, verdict.status(), verdict.summary());
    }

    @Test
    void open_finalFrameMissingBeforeAHole_damagedNoFinalFrame() {
        List<StoredFrameBytes> frames = clip.stored().subList(0, 4);
        ClipVerdict verdict =
                open(frames, new ClipHoles(null, List.of(new FrameHole(3, FrameHole.NO_LATER_FRAME, RANGE))));
        assertEquals(ClipVerdict.Status.DAMAGED, verdict.status(), verdict.summary());
        assertEquals(
                "DAMAGED at frame 4: no final frame (frames from 4 on may be in " + RANGE + "; device "
                        + TestClips.DEVICE + " clip 9)",
                verdict.summary());
        assertEquals(4, verdict.frames().size());
    }

    @Test
    void open_finalFrameMissingWithNoHoleAfter_truncated() {
        ClipVerdict verdict =
                open(clip.stored().subList(0, 4), new ClipHoles(null, List.of(new FrameHole(1, 2, RANGE))));
        assertEquals(ClipVerdict.Status.TRUNCATED, verdict.status(), verdict.summary());
    }

    @Test
    void open_alteredFrameAfterAHole_tamperedAtThatFrame() {
        List<StoredFrameBytes> frames = without(2, 3);
        StoredFrameBytes f = frames.get(3);
        byte[] sealed = f.sealed().clone();
        sealed[0] ^= 1;
        frames.set(3, new StoredFrameBytes(f.seq(), f.last(), f.meta(), sealed));
        ClipVerdict verdict = open(frames, new ClipHoles(null, List.of(new FrameHole(1, 4, RANGE))));
        assertEquals(ClipVerdict.Status.TAMPERED, verdict.status(), verdict.summary());
        assertEquals(OptionalInt.of(5), verdict.failedSeq());
        assertEquals("authentication failed", verdict.keyword());
        assertEquals(
                List.of(0, 1, 4),
                verdict.frames().stream().map(OpenedFrame::seq).toList());
    }

    @Test
    void open_noHeaderStored_damagedInAHoleElseTampered() {
        ClipVerdict inHole = opener.open(TestClips.DEVICE, CLIP, null, clip.stored(), new ClipHoles(RANGE, List.of()));
        assertEquals(
                "DAMAGED at header: no header (its clip_open record may be in " + RANGE + "; device " + TestClips.DEVICE
                        + " clip 9, 6 frames stored)",
                inHole.summary());
        ClipVerdict none = opener.open(TestClips.DEVICE, CLIP, null, clip.stored(), ClipHoles.NONE);
        assertEquals(ClipVerdict.Status.TAMPERED, none.status());
        assertEquals("no header", none.keyword());
        assertTrue(none.summary().startsWith("TAMPERED at header: no header"), none.summary());
    }

    private List<StoredFrameBytes> without(int... seqs) {
        List<StoredFrameBytes> frames = new ArrayList<>(clip.stored());
        for (int i = seqs.length - 1; i >= 0; i--) {
            frames.remove(seqs[i]);
        }
        return frames;
    }

    private ClipVerdict open(List<StoredFrameBytes> frames, ClipHoles holes) {
        return opener.open(TestClips.DEVICE, CLIP, clip.header(), frames, holes);
    }
}
