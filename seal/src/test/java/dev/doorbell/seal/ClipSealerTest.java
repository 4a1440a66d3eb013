package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.FrameMeta;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ClipSealerTest {
    private static final int[] SIZES = {
        0, 1, 15, 16, 17, 255, 1000, 8191, 8192, 8193, 16_384, 16_385, 65_536, 100_000, 1 << 20
    };

    private final SecureRandom rnd = new InsecureDeterministicRandom("clip-sealer-test");
    private final RootKey root = RootKey.generate(TestClips.DEVICE, rnd);
    private final EpochKey key = root.epochKey(3);
    private final ClipOpener opener = new ClipOpener(id -> id.equals(TestClips.DEVICE) ? root : null);

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 15, 16, 17, 8191, 8193, 16_384, 65_536, 1 << 20})
    void sealThenOpen_singleFrameOfSize_roundTrips(int size) {
        TestClips.Clip clip = TestClips.seal(key, size, rnd, size);
        ClipVerdict verdict = opener.open(TestClips.DEVICE, size, clip.header(), clip.stored());
        assertEquals("OK 1 frames", verdict.summary());
        assertArrayEquals(clip.plaintexts().get(0), verdict.frames().get(0).plaintext());
        assertEquals(size + 16, clip.frames().get(0).sealed().length);
    }

    @ParameterizedTest
    @CsvSource({"JCA, JCA", "JCA, BOUNCY_CASTLE", "BOUNCY_CASTLE, JCA"})
    void sealThenOpen_manySizesAcrossProviders_roundTrips(GcmProvider sealWith, GcmProvider openWith) {
        TestClips.Clip clip = TestClips.seal(key, 77, rnd, sealWith, SIZES);
        ClipVerdict verdict = opener.withProvider(openWith).open(TestClips.DEVICE, 77, clip.header(), clip.stored());
        assertEquals(ClipVerdict.Status.OK, verdict.status(), verdict.summary());
        assertEquals(SIZES.length, verdict.frames().size());
        for (int i = 0; i < SIZES.length; i++) {
            OpenedFrame frame = verdict.frames().get(i);
            assertEquals(i, frame.seq());
            assertEquals(i == SIZES.length - 1, frame.last());
            assertEquals(i * 66_666L, frame.ptsMicros());
            assertArrayEquals(clip.plaintexts().get(i), frame.plaintext(), "frame " + i);
        }
    }

    @Test
    void sealJcaAndBouncyCastle_sameRandomness_sameBytes() {
        TestClips.Clip jca = TestClips.seal(key, 5, new InsecureDeterministicRandom("same"), GcmProvider.JCA, 3, 40, 0);
        TestClips.Clip bc =
                TestClips.seal(key, 5, new InsecureDeterministicRandom("same"), GcmProvider.BOUNCY_CASTLE, 3, 40, 0);
        assertArrayEquals(jca.header(), bc.header());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(jca.frames().get(i).sealed(), bc.frames().get(i).sealed());
        }
    }

    @Test
    void start_headerCarriesParamsFreshSaltAndPrefix() throws Exception {
        ClipSealer first = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 9), rnd);
        ClipSealer second = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 9), rnd);
        ClipHeader header = ClipHeader.parseFrom(first.headerBytes());
        assertEquals(first.header(), header);
        assertEquals(1, header.getFormatVersion());
        assertEquals(TestClips.DEVICE, header.getDeviceId());
        assertEquals(9, header.getClipId());
        assertEquals(3, header.getKeyEpoch());
        assertEquals(32, header.getSalt().size());
        assertEquals(7, header.getNoncePrefix().size());
        assertEquals(32, header.getKeyCommitment().size());
        assertEquals(640, header.getWidth());
        assertEquals(4_000, header.getPreRollMs());
        assertFalse(header.getSalt().equals(second.header().getSalt()));
        assertFalse(header.getNoncePrefix().equals(second.header().getNoncePrefix()));
    }

    @Test
    void seal_framesNumberedAndMetaCarriesLength() throws Exception {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 10), rnd);
        Set<String> sealedSeen = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sealer.nextSeq());
            SealedFrame frame = sealer.seal(i, new byte[10], i == 49);
            assertEquals(i, frame.seq());
            assertEquals(10, frame.clipId());
            assertEquals(10, FrameMeta.parseFrom(frame.meta()).getPlaintextLength());
            assertTrue(
                    sealedSeen.add(java.util.HexFormat.of().formatHex(frame.sealed())),
                    "same plaintext must seal differently at each position");
        }
    }

    @Test
    void seal_afterLastFrame_throws() {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 11), rnd);
        sealer.seal(0, new byte[1], true);
        assertTrue(sealer.isFinished());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sealer.seal(1, new byte[1], false));
        assertTrue(e.getMessage().contains("clip 11 of device front-door is finished"), e.getMessage());
    }

    @Test
    void seal_afterThreeFrames_finishedErrorNamesTheLastFrame() {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 12), rnd);
        assertEquals(12, sealer.clipId());
        for (int i = 0; i < 3; i++) {
            assertFalse(sealer.isFinished(), "before frame " + i);
            sealer.seal(i, new byte[1], i == 2);
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sealer.seal(3, new byte[1], true));
        assertEquals(
                "clip 12 of device front-door is finished after frame 2; no more frames can be sealed", e.getMessage());
        assertEquals(3, sealer.nextSeq());
    }

    @Test
    void seal_finalFrame_erasesTheClipKey() {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 13), rnd);
        sealer.seal(0, new byte[1], false);
        assertFalse(sealer.isKeyDestroyed(), "the key is needed until the final frame");
        sealer.seal(1, new byte[1], true);
        assertTrue(sealer.isKeyDestroyed());
    }

    @Test
    void seal_ptsZeroAccepted_negativeRefused() throws Exception {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 14), rnd);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> sealer.seal(-1, new byte[1], false));
        assertEquals("clip 14 of device front-door frame 0: pts -1 us must not be negative", e.getMessage());
        assertEquals(0, sealer.nextSeq(), "a refused frame uses no seq");
        assertEquals(
                0,
                FrameMeta.parseFrom(sealer.seal(0, new byte[1], false).meta()).getPtsUs());
    }

    @Test
    void seal_lastSeq_onlyAsTheFinalFrame() throws Exception {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 17), rnd);
        sealer.skipTo(Integer.MAX_VALUE - 1);
        assertEquals(Integer.MAX_VALUE - 1, sealer.seal(0, new byte[1], false).seq());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> sealer.seal(1, new byte[1], false));
        assertEquals("clip 17 of device front-door reached the last seq", e.getMessage());
        SealedFrame last = sealer.seal(1, new byte[1], true);
        assertEquals(Integer.MAX_VALUE, last.seq());
        assertTrue(sealer.isFinished());
        assertTrue(sealer.isKeyDestroyed());
    }

    @Test
    void skipTo_forwardOrStay_neverBack() {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 18), rnd);
        sealer.skipTo(5);
        sealer.skipTo(5);
        assertEquals(5, sealer.nextSeq());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> sealer.skipTo(4));
        assertEquals("clip 18 of device front-door: cannot go back from seq 5 to 4", e.getMessage());
        assertEquals(5, sealer.seal(0, new byte[1], true).seq());
    }

    @Test
    void toString_namesClipAndStateOnly() {
        ClipSealer sealer = ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 15), rnd);
        assertEquals("ClipSealer{device=front-door, clip=15, epoch=3, nextSeq=0}", sealer.toString());
        sealer.seal(0, new byte[1], true);
        assertEquals("ClipSealer{device=front-door, clip=15, epoch=3, nextSeq=1, finished}", sealer.toString());
    }

    @Test
    void start_keyOfAnotherDevice_refused() {
        EpochKey other = RootKey.generate("back-door", rnd).epochKey(0);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ClipSealer.start(other, TestClips.params(TestClips.DEVICE, 1), rnd));
        assertEquals("epoch key of device back-door cannot seal clip 1 of device front-door", e.getMessage());
    }

    @Test
    void start_doesNotDestroyTheCallersEpochKey() {
        ClipSealer.start(key, TestClips.params(TestClips.DEVICE, 16), rnd).seal(0, new byte[1], true);
        assertFalse(key.isDestroyed());
    }

    @Test
    void clipParams_invalidValues_refused() {
        assertThrows(IllegalArgumentException.class, () -> TestClips.params("Front_Door", 1));
        assertEquals(
                "clip id -1 of device front-door must not be negative",
                assertThrows(IllegalArgumentException.class, () -> TestClips.params(TestClips.DEVICE, -1))
                        .getMessage());
        assertEquals(
                "clip 1 of device front-door: trigger is null",
                assertThrows(IllegalArgumentException.class, () -> params(null, Codec.CODEC_MJPEG, 1, 1, 1, 0, 0))
                        .getMessage());
        assertEquals(
                "clip 1 of device front-door: trigger is UNRECOGNIZED",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.UNRECOGNIZED, Codec.CODEC_MJPEG, 1, 1, 1, 0, 0))
                        .getMessage());
        assertEquals(
                "clip 1 of device front-door: codec is null",
                assertThrows(IllegalArgumentException.class, () -> params(Trigger.TRIGGER_RING, null, 1, 1, 1, 0, 0))
                        .getMessage());
        assertEquals(
                "clip 1 of device front-door: codec is UNRECOGNIZED",
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.TRIGGER_RING, Codec.UNRECOGNIZED, 1, 1, 1, 0, 0))
                        .getMessage());
    }

    @Test
    void clipParams_sizesAndTimesAtTheirLimits() {
        assertEquals(0, TestClips.params(TestClips.DEVICE, 0).clipId());
        ClipParams smallest = params(Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 1, 1, 1, 0, 0);
        assertEquals(1, smallest.width());
        String positive = "clip 1 of device front-door: width %d, height %d and fps %d must be positive";
        assertEquals(
                String.format(positive, 0, 1, 1),
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 0, 1, 1, 0, 0))
                        .getMessage());
        assertEquals(
                String.format(positive, 1, 0, 1),
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 1, 0, 1, 0, 0))
                        .getMessage());
        assertEquals(
                String.format(positive, 1, 1, 0),
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 1, 1, 0, 0, 0))
                        .getMessage());
        String notNegative = "clip 1 of device front-door: start time %d ms and pre-roll %d ms must not be negative";
        assertEquals(
                String.format(notNegative, -1, 0),
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 1, 1, 1, -1, 0))
                        .getMessage());
        assertEquals(
                String.format(notNegative, 0, -1),
                assertThrows(
                                IllegalArgumentException.class,
                                () -> params(Trigger.TRIGGER_RING, Codec.CODEC_MJPEG, 1, 1, 1, 0, -1))
                        .getMessage());
    }

    private static ClipParams params(
            Trigger trigger, Codec codec, int width, int height, int fps, long start, int preRoll) {
        return new ClipParams(TestClips.DEVICE, 1, trigger, codec, width, height, fps, start, preRoll);
    }
}
