package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.seal.internal.AesGcm;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Each way a stored clip can be wrong is detected and named: status, failing frame and reason. */
class ClipOpenerVerdictTest {
    private static final long CLIP = 7;

    private final SecureRandom rnd = new InsecureDeterministicRandom("clip-opener-verdict-test");
    private final RootKey root = RootKey.generate(TestClips.DEVICE, rnd);
    private final EpochKey key = root.epochKey(0);
    private final ClipOpener opener = new ClipOpener(id -> root);
    private final TestClips.Clip clip = TestClips.seal(key, CLIP, rnd, 11, 22, 33, 44, 55);

    @Test
    void open_untouched_okWithAllFramesInOrder() {
        ClipVerdict verdict = open(clip.stored());
        assertEquals(ClipVerdict.Status.OK, verdict.status());
        assertEquals("OK 5 frames", verdict.summary());
        assertEquals("", verdict.reason());
        assertEquals(OptionalInt.empty(), verdict.failedSeq());
        assertEquals(
                List.of(0, 1, 2, 3, 4),
                verdict.frames().stream().map(OpenedFrame::seq).toList());
    }

    @Test
    void open_wrongRootKey_keyCommitmentMismatch() {
        RootKey wrong = RootKey.generate(TestClips.DEVICE, rnd);
        ClipVerdict verdict = new ClipOpener(id -> wrong).open(TestClips.DEVICE, CLIP, clip.header(), clip.stored());
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.empty(), "key commitment mismatch", 0);
        assertTrue(verdict.summary().startsWith("TAMPERED at header: key commitment mismatch"), verdict.summary());
    }

    @Test
    void open_storedUnderAnotherDevice_headerNamesAnotherDevice() {
        RootKey other = RootKey.generate("back-door", rnd);
        ClipVerdict verdict = new ClipOpener(id -> other).open("back-door", CLIP, clip.header(), clip.stored());
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.empty(), "header names another device", 0);
    }

    @Test
    void open_storedUnderAnotherClip_headerNamesAnotherClip() {
        ClipVerdict verdict = opener.open(TestClips.DEVICE, CLIP + 1, clip.header(), clip.stored());
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.empty(), "header names another clip", 0);
    }

    @Test
    void open_swappedFrames_outOfOrderAtFirstMissingPosition() {
        List<StoredFrameBytes> frames = clip.stored();
        java.util.Collections.swap(frames, 2, 3);
        assertVerdict(open(frames), ClipVerdict.Status.TAMPERED, OptionalInt.of(2), "frames out of order", 2);
    }

    @Test
    void open_duplicatedFrame_duplicateNamed() {
        List<StoredFrameBytes> frames = clip.stored();
        frames.add(3, frames.get(2));
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(2), "duplicate frame", 3);
        assertTrue(verdict.summary().startsWith("TAMPERED at frame 2: duplicate frame"), verdict.summary());
    }

    @Test
    void open_duplicatedFrame_reasonNamesTheFrameBefore() {
        List<StoredFrameBytes> frames = clip.stored();
        frames.add(3, frames.get(1));
        assertEquals(
                "duplicate frame (frame 1 stored again after frame 2; device front-door clip 7)",
                open(frames).reason());
    }

    @Test
    void open_negativeSeq_frameMissingAtTheExpectedPosition() {
        List<StoredFrameBytes> frames = clip.stored();
        StoredFrameBytes second = frames.get(1);
        frames.set(1, new StoredFrameBytes(-1, second.last(), second.meta(), second.sealed()));
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(1), "frame missing", 1);
        assertEquals(
                "frame missing (gap: frame 1 expected, stored seq 4294967295 is out of range; device front-door"
                        + " clip 7)",
                verdict.reason());
    }

    @Test
    void open_negativeSeqAfterTheFinalFrame_afterFinalAtTheNextPosition() {
        List<StoredFrameBytes> frames = clip.stored();
        StoredFrameBytes first = frames.get(0);
        frames.add(new StoredFrameBytes(Integer.MIN_VALUE, false, first.meta(), first.sealed()));
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(5), "frames after the final frame", 5);
        assertEquals(
                "frames after the final frame (frame 2147483648 stored after final frame 4; device front-door"
                        + " clip 7)",
                verdict.reason());
    }

    @Test
    void open_metadataNotAFrameMeta_badMetadata() throws Exception {
        byte[] notMeta = {(byte) 0xff, (byte) 0xff};
        List<StoredFrameBytes> frames = clip.stored();
        frames.set(2, new StoredFrameBytes(2, false, notMeta, sealWithClipKey(2, notMeta, new byte[33])));
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(2), "bad metadata", 2);
        assertEquals("bad metadata (device front-door clip 7 frame 2: not a parsable FrameMeta)", verdict.reason());
        assertEquals("TAMPERED at frame 2: " + verdict.reason(), verdict.toString());
        assertFalse(verdict.isOk());
    }

    @Test
    void open_sealedFramesGivenDirectly_sameAsStored() {
        ClipVerdict verdict =
                opener.open(TestClips.DEVICE, CLIP, clip.header(), clip.frames().toArray(new SealedFrame[0]));
        assertEquals("OK 5 frames", verdict.toString());
        assertTrue(verdict.isOk());
        assertArrayEquals(clip.plaintexts().get(4), verdict.frames().get(4).plaintext());
        assertFalse(
                opener.open(TestClips.DEVICE, CLIP, clip.header(), clip.frames().get(0))
                        .isOk());
    }

    @Test
    void open_droppedFrame_frameMissing() {
        List<StoredFrameBytes> frames = clip.stored();
        frames.remove(1);
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(1), "frame missing", 1);
        assertTrue(verdict.reason().contains("next stored is frame 2"), verdict.reason());
    }

    @Test
    void open_missingFinalFrame_truncatedWithVerifiedFrames() {
        List<StoredFrameBytes> frames = clip.stored();
        frames.remove(4);
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TRUNCATED, OptionalInt.empty(), "no final frame", 4);
        assertEquals("TRUNCATED after 4 verified frames (no final frame)", verdict.summary());
    }

    @Test
    void open_noFramesAtAll_truncatedAfterZero() {
        assertEquals(
                "TRUNCATED after 0 verified frames (no final frame)",
                open(List.of()).summary());
    }

    @Test
    void open_frameMarkedFinalEarly_authenticationFailed() {
        List<StoredFrameBytes> frames = new ArrayList<>(clip.stored().subList(0, 3));
        StoredFrameBytes f = frames.get(2);
        frames.set(2, new StoredFrameBytes(2, true, f.meta(), f.sealed()));
        assertVerdict(open(frames), ClipVerdict.Status.TAMPERED, OptionalInt.of(2), "authentication failed", 2);
    }

    @Test
    void open_frameFromAnotherClipAtSamePosition_authenticationFailed() {
        TestClips.Clip other = TestClips.seal(key, CLIP + 1, rnd, 11, 22, 33, 44, 55);
        List<StoredFrameBytes> frames = clip.stored();
        frames.set(3, other.stored().get(3));
        assertVerdict(open(frames), ClipVerdict.Status.TAMPERED, OptionalInt.of(3), "authentication failed", 3);
    }

    @Test
    void open_frameRelabelledToOtherSeq_authenticationFailed() {
        List<StoredFrameBytes> frames = clip.stored();
        StoredFrameBytes third = frames.get(3);
        frames.remove(2);
        frames.set(2, new StoredFrameBytes(2, third.last(), third.meta(), third.sealed()));
        assertVerdict(open(frames), ClipVerdict.Status.TAMPERED, OptionalInt.of(2), "authentication failed", 2);
    }

    @Test
    void open_frameAfterFinal_named() {
        List<StoredFrameBytes> frames = clip.stored();
        StoredFrameBytes extra =
                TestClips.seal(key, CLIP + 2, rnd, 1, 1, 1, 1, 1, 1).stored().get(5);
        frames.add(extra);
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(5), "frames after the final frame", 5);
    }

    @Test
    void open_truncatedSealedBytes_authenticationFailed() {
        List<StoredFrameBytes> frames = clip.stored();
        StoredFrameBytes f = frames.get(0);
        frames.set(0, new StoredFrameBytes(0, false, f.meta(), Arrays.copyOf(f.sealed(), 10)));
        assertVerdict(open(frames), ClipVerdict.Status.TAMPERED, OptionalInt.of(0), "authentication failed", 0);
    }

    @Test
    void open_metaLengthDisagreesWithPlaintext_named() throws Exception {
        byte[] lyingMeta = FrameMeta.newBuilder()
                .setPtsUs(1)
                .setPlaintextLength(999)
                .build()
                .toByteArray();
        List<StoredFrameBytes> frames = clip.stored();
        frames.set(1, new StoredFrameBytes(1, false, lyingMeta, sealWithClipKey(1, lyingMeta, new byte[22])));
        ClipVerdict verdict = open(frames);
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.of(1), "length disagrees with the metadata", 1);
        assertTrue(verdict.reason().contains("plaintext_length 999, opened 22 bytes"), verdict.reason());
    }

    @Test
    void open_unparsableHeader_badHeaderWithoutParsedHeader() {
        ClipVerdict verdict = opener.open(TestClips.DEVICE, CLIP, new byte[] {(byte) 0xff, (byte) 0xff}, clip.stored());
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.empty(), "bad header", 0);
        assertNull(verdict.header());
    }

    @Test
    void open_unknownFormatVersion_badHeader() throws Exception {
        byte[] v2 = ClipHeader.parseFrom(clip.header()).toBuilder()
                .setFormatVersion(2)
                .build()
                .toByteArray();
        ClipVerdict verdict = opener.open(TestClips.DEVICE, CLIP, v2, clip.stored());
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.empty(), "bad header", 0);
        assertTrue(verdict.reason().contains("format_version 2"), verdict.reason());
    }

    @Test
    void open_shortSalt_badHeader() throws Exception {
        ClipHeader h = ClipHeader.parseFrom(clip.header());
        byte[] shortSalt =
                h.toBuilder().setSalt(h.getSalt().substring(1)).build().toByteArray();
        ClipVerdict verdict = opener.open(TestClips.DEVICE, CLIP, shortSalt, clip.stored());
        assertVerdict(verdict, ClipVerdict.Status.TAMPERED, OptionalInt.empty(), "bad header", 0);
        assertTrue(verdict.reason().contains("salt is 31 bytes, expected 32"), verdict.reason());
    }

    /** Seals a non-final frame as the sealer would, but with metadata of the test's choosing. */
    private byte[] sealWithClipKey(int seq, byte[] meta, byte[] plaintext) throws Exception {
        ClipHeader header = ClipHeader.parseFrom(clip.header());
        byte[] clipKey = new byte[32];
        ClipFormat.deriveClipKey(
                key.secret().toByteArray(),
                TestClips.DEVICE,
                CLIP,
                header.getSalt().toByteArray(),
                clipKey);
        return AesGcm.create(GcmProvider.JCA, clipKey)
                .seal(
                        ClipFormat.nonce(header.getNoncePrefix().toByteArray(), seq, false),
                        ClipFormat.aad(ClipFormat.sha256(clip.header()), seq, false, meta),
                        plaintext);
    }

    private ClipVerdict open(List<StoredFrameBytes> frames) {
        return opener.open(TestClips.DEVICE, CLIP, clip.header(), frames);
    }

    private static void assertVerdict(
            ClipVerdict verdict,
            ClipVerdict.Status status,
            OptionalInt failedSeq,
            String reasonStart,
            int verifiedFrames) {
        assertEquals(status, verdict.status(), verdict.summary());
        assertEquals(failedSeq, verdict.failedSeq(), verdict.summary());
        assertTrue(verdict.reason().startsWith(reasonStart), verdict.reason());
        assertEquals(verifiedFrames, verdict.frames().size(), verdict.summary());
        assertTrue(verdict.reason().contains("device ") || verdict.reason().equals("no final frame"), verdict.reason());
    }
}
