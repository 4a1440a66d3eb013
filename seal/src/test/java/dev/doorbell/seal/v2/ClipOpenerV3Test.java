package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.InsecureRecordingRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The verdicts format v3 adds (docs/FORMAT.md §17): a public event field in the header, a missing or malformed
 * chain link or sealed info ("bad header"), a sealed ClipInfo that does not open or breaks a rule ("bad clip info"),
 * and frames whose sealed plaintext breaks a rule ("bad frame info", "bad padding") or which carry public metadata
 * ("bad metadata"). Each one is sealed under the clip's real keys, so that only the rule can catch it.
 */
class ClipOpenerV3Test {
    private static final long CLIP = 0x1234_5678_9abcL;
    private static final int PAD = 64;

    private final InsecureRecordingRandom rnd =
            new InsecureRecordingRandom(new InsecureDeterministicRandom("clip-opener-v3-test"));
    private final V2Fixture world = new V2Fixture(rnd);
    private final ClipOpenerV2 alice = new ClipOpenerV2(world.identityOf(world.alice));
    private final V2Fixture.Clip clip;
    private final V3Craft craft;
    private final ClipInfo info;

    ClipOpenerV3Test() {
        rnd.clear();
        ClipSealerV3 sealer = world.startV3(CLIP, V2Fixture.FIRST, PAD);
        List<byte[]> draws = rnd.draws();
        craft = new V3Craft(V2Fixture.DEVICE, CLIP, draws.get(0), draws.get(1));
        info = sealer.info();
        clip = world.sealV3(sealer, 10, 60, 5);
    }

    @Test
    void valid_ok() {
        assertEquals("OK 3 frames", open(clip.header(), clip.stored()).summary());
    }

    @Test
    void publicEventFields_eachOneRefused() {
        List<UnaryOperator<ClipHeader.Builder>> changes = List.of(
                h -> h.setKeyEpoch(1),
                h -> h.setSalt(ByteString.copyFrom(new byte[32])),
                h -> h.setTrigger(Trigger.TRIGGER_RING),
                h -> h.setCodecValue(1),
                h -> h.setWidth(640),
                h -> h.setHeight(480),
                h -> h.setFps(15),
                h -> h.setStartTimeUnixMs(1),
                h -> h.setPreRollMs(1));
        int[] numbers = {4, 5, 7, 8, 9, 10, 11, 12, 14};
        String[] names = {
            "key_epoch", "salt", "trigger", "codec", "width", "height", "fps", "start_time_unix_ms", "pre_roll_ms"
        };
        for (int i = 0; i < numbers.length; i++) {
            assertHeader(
                    "bad header (public event field " + numbers[i] + " present in a v3 header: " + names[i] + ";",
                    resigned(changes.get(i)));
        }
    }

    @Test
    void chainAndSealedInfo_requiredAndChecked() {
        assertHeader("bad header (no chain link; required in v3;", resigned(ClipHeader.Builder::clearChain));
        assertHeader("bad header (no sealed_info; required in v3;", resigned(ClipHeader.Builder::clearSealedInfo));
        assertHeader(
                "bad header (chain position 0; positions count from 1;",
                resigned(h -> h.setChain(h.getChain().toBuilder().setPosition(0))));
        assertHeader(
                "bad header (chain position 1 names a predecessor",
                resigned(h -> h.setChain(h.getChain().toBuilder().setPrevAcknowledgedFrames(3))));
        assertHeader(
                "bad header (chain position 3 names predecessor clip 0;",
                resigned(h -> h.setChain(h.getChain().toBuilder().setPosition(3))));
        assertHeader(
                "bad header (chain position 3: prev_header_sha256 is 31 bytes, expected 32;",
                resigned(h -> h.setChain(h.getChain().toBuilder()
                        .setPosition(3)
                        .setPrevClipId(9)
                        .setPrevHeaderSha256(ByteString.copyFrom(new byte[31])))));
        byte[] zeroId = resigned(h -> h.setClipId(0));
        assertEquals(
                "TAMPERED at header: bad header (clip_id 0; v3 clip ids are never 0; stored as device front-door clip 0)",
                alice.open(V2Fixture.DEVICE, 0, zeroId, clip.stored()).summary());
    }

    @Test
    void clipInfo_tagLengthParsePaddingBlockAndValues() {
        byte[] sealed = V2Fixture.inner(clip.header()).getSealedInfo().toByteArray();
        sealed[0] ^= 1;
        assertClipInfo("the tag of the 80 sealed bytes does not verify", sealed);
        byte[] good = info.toByteArray();
        assertClipInfo(
                "ClipInfo length 61 but only 60 bytes follow it", craft.sealInfo(V3Craft.prefixed(61, good, 64)));
        assertClipInfo(
                "the 3 bytes are not a parsable ClipInfo",
                craft.sealInfo(V3Craft.prefixed(3, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, 64)));
        byte[] dirty = V3Craft.prefixed(good.length, good, 64);
        dirty[63] = 1;
        assertClipInfo("padding byte " + (59 - good.length) + " is not zero", craft.sealInfo(dirty));
        assertClipInfo(
                "opened 96 bytes, not a multiple of 64", craft.sealInfo(V3Craft.prefixed(good.length, good, 96)));
        assertClipInfo("opened 4 bytes, not a multiple of 64", craft.sealInfo(V3Craft.prefixed(0, new byte[0], 4)));
        assertClipInfo(
                "trigger 0 is unspecified or unknown",
                sealedInfo(info.toBuilder().clearTrigger()));
        assertClipInfo(
                "trigger 9 is unspecified or unknown",
                sealedInfo(info.toBuilder().setTriggerValue(9)));
        assertClipInfo(
                "codec 0 is unspecified or unknown", sealedInfo(info.toBuilder().clearCodec()));
        assertClipInfo(
                "width 640, height 480 and fps 0 must not be 0",
                sealedInfo(info.toBuilder().setFps(0)));
        assertClipInfo(
                "pad_to 100 is neither 0 nor in 64..1048576",
                sealedInfo(info.toBuilder().setPadTo(100)));
        assertClipInfo("pad_to 1048592 is neither", sealedInfo(info.toBuilder().setPadTo((1 << 20) + 16)));
    }

    @Test
    void frameInfo_lengthParseImageLengthAndMotion() {
        byte[] image = clip.plaintexts().get(1);
        FrameInfo facts = V2Fixture.frameInfo(1, image.length);
        assertFrame1(
                "bad frame info (device front-door clip " + CLIP + " frame 1: plaintext of 3 bytes has no room",
                new byte[3],
                new byte[0]);
        assertFrame1("bad frame info", V3Craft.prefixed(200, new byte[0], 44), new byte[0]);
        assertFrame1(
                "bad frame info (device front-door clip " + CLIP
                        + " frame 1: the 2 bytes are not a parsable FrameInfo)",
                V3Craft.framePlaintext(new byte[] {(byte) 0xff, (byte) 0xff}, image, 124),
                new byte[0]);
        assertFrame1(
                "image_length 61 but only 60 bytes follow the FrameInfo",
                V3Craft.framePlaintext(
                        V2Fixture.frameInfo(1, 61).toByteArray(),
                        image,
                        4 + V2Fixture.frameInfo(1, 61).getSerializedSize() + 60),
                new byte[0]);
        FrameInfo moving = facts.toBuilder().setMotionPermille(1001).build();
        assertFrame1(
                "motion_permille 1001 is above 1000",
                V3Craft.framePlaintext(moving.toByteArray(), image, 128 - 16),
                new byte[0]);
    }

    @Test
    void padding_nonZeroTooMuchOrWhenOff() {
        byte[] image = clip.plaintexts().get(1);
        byte[] infoBytes = V2Fixture.frameInfo(1, image.length).toByteArray();
        int fit = Padding.sealedLength(PAD, infoBytes.length, image.length) - 16;
        byte[] dirty = V3Craft.framePlaintext(infoBytes, image, fit);
        dirty[fit - 1] = 7;
        assertFrame1("bad padding (device front-door clip " + CLIP + " frame 1: padding byte", dirty, new byte[0]);
        assertFrame1(
                "bad padding (device front-door clip " + CLIP + " frame 1: sealed length " + (fit + 16 + PAD)
                        + ", expected " + (fit + 16) + ", the smallest multiple of pad_to 64 that fits)",
                V3Craft.framePlaintext(infoBytes, image, fit + PAD),
                new byte[0]);
        assertFrame1(
                "bad padding (device front-door clip " + CLIP + " frame 1: sealed length " + (fit + 16 - 1)
                        + ", expected " + (fit + 16) + ",",
                V3Craft.framePlaintext(infoBytes, image, fit - 1),
                new byte[0]);

        rnd.clear();
        ClipSealerV3 unpadded = world.startV3(CLIP, V2Fixture.FIRST, 0);
        V3Craft keys = new V3Craft(
                V2Fixture.DEVICE, CLIP, rnd.draws().get(0), rnd.draws().get(1));
        V2Fixture.Clip plain = world.sealV3(unpadded, 10, 60);
        int exact = 4 + infoBytes.length + image.length;
        List<StoredFrameBytes> frames = new ArrayList<>(plain.stored());
        frames.set(
                1,
                new StoredFrameBytes(
                        1,
                        true,
                        new byte[0],
                        keys.sealFrame(
                                plain.header(),
                                1,
                                true,
                                new byte[0],
                                V3Craft.framePlaintext(infoBytes, image, exact + 1))));
        assertEquals(
                "TAMPERED at frame 1: bad padding (device front-door clip " + CLIP + " frame 1: sealed length "
                        + (exact + 17) + ", expected " + (exact + 16) + " with padding off (pad_to 0))",
                open(plain.header(), frames).summary());
    }

    @Test
    void metadata_anyPublicMetaRefusedEvenWhenSealedIntoTheAad() {
        byte[] image = clip.plaintexts().get(1);
        byte[] infoBytes = V2Fixture.frameInfo(1, image.length).toByteArray();
        int fit = Padding.sealedLength(PAD, infoBytes.length, image.length) - 16;
        byte[] meta = {0x08, 0x01};
        assertFrame1(
                "bad metadata (v3 frames carry no public metadata; device front-door clip " + CLIP
                        + " frame 1 has 2 bytes of it)",
                V3Craft.framePlaintext(infoBytes, image, fit),
                meta);
        // Meta added by the store, not sealed: the tag fails first, as in v1 and v2.
        List<StoredFrameBytes> frames = new ArrayList<>(clip.stored());
        StoredFrameBytes f = frames.get(1);
        frames.set(1, new StoredFrameBytes(1, false, meta, f.sealed()));
        assertEquals("authentication failed", open(clip.header(), frames).keyword());
    }

    /** Frame 1 replaced by {@code plaintext} sealed under the clip's AES key with {@code meta} in its AAD. */
    private void assertFrame1(String expectedStart, byte[] plaintext, byte[] meta) {
        List<StoredFrameBytes> frames = new ArrayList<>(clip.stored());
        frames.set(1, new StoredFrameBytes(1, false, meta, craft.sealFrame(clip.header(), 1, false, meta, plaintext)));
        ClipVerdict v = open(clip.header(), frames);
        assertEquals(ClipVerdict.Status.TAMPERED, v.status(), v::summary);
        assertEquals(1, v.failedSeq().orElse(-1), v::summary);
        assertEquals(1, v.frames().size(), v::summary);
        assertTrue(v.reason().contains(expectedStart), v::summary);
    }

    private byte[] sealedInfo(ClipInfo.Builder changed) {
        byte[] bytes = changed.build().toByteArray();
        return craft.sealInfo(V3Craft.prefixed(bytes.length, bytes, SealedClipInfo.plaintextLength(bytes.length)));
    }

    private void assertClipInfo(String details, byte[] sealedInfo) {
        byte[] header = resigned(h -> h.setSealedInfo(ByteString.copyFrom(sealedInfo)));
        ClipVerdict v = open(header, clip.stored());
        assertEquals(ClipVerdict.Status.TAMPERED, v.status(), v::summary);
        assertTrue(v.failedSeq().isEmpty(), v::summary);
        assertTrue(v.reason().startsWith("bad clip info (" + details), v::summary);
        assertTrue(v.info().isEmpty());
    }

    private void assertHeader(String reasonStart, byte[] header) {
        ClipVerdict v = open(header, clip.stored());
        assertEquals(ClipVerdict.Status.TAMPERED, v.status(), v::summary);
        assertTrue(v.reason().startsWith(reasonStart), v::summary);
    }

    private byte[] resigned(UnaryOperator<ClipHeader.Builder> change) {
        return V2Fixture.resigned(clip.header(), world.deviceKey, change);
    }

    private ClipVerdict open(byte[] header, List<StoredFrameBytes> frames) {
        return alice.open(V2Fixture.DEVICE, CLIP, header, frames);
    }
}
