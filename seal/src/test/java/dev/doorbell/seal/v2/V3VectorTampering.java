package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.testing.TestData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The invalid v3 ClipTest vectors: the generator's first clip (padded to 64) and second (unpadded), changed to earn
 * each verdict format v3 adds (docs/FORMAT.md §17), and a few of v2's for the frames. What a v3 sealer never writes
 * (a bad ClipInfo, FrameInfo or padding, public metadata) is sealed under the clip's real keys and the header signed
 * again by the device, so that only the rule can catch it.
 */
final class V3VectorTampering {
    private final V3VectorGenerator generator;
    private final V3VectorGenerator.Sealed padded;
    private final V3VectorGenerator.Sealed unpadded;

    V3VectorTampering(V3VectorGenerator generator, V3VectorGenerator.Sealed padded, V3VectorGenerator.Sealed unpadded) {
        this.generator = generator;
        this.padded = padded;
        this.unpadded = unpadded;
    }

    void addAll(List<Object> tests) {
        tests.add(header(
                "trigger (field 7) in the public header",
                "PublicEventField",
                h -> h.setTrigger(Trigger.TRIGGER_RING),
                "bad header"));
        tests.add(header(
                "start_time_unix_ms (field 12) in the public header",
                "PublicEventField",
                h -> h.setStartTimeUnixMs(V3VectorGenerator.PAIRED_AT),
                "bad header"));
        tests.add(header("no chain link", "Chain", ClipHeader.Builder::clearChain, "bad header"));
        tests.add(header(
                "chain position 2 without a predecessor's header hash",
                "Chain",
                h -> h.setChain(h.getChain().toBuilder().setPosition(2).setPrevClipId(1)),
                "bad header"));
        tests.add(header("no sealed_info", "ClipInfo", ClipHeader.Builder::clearSealedInfo, "bad header"));

        ClipInfo info = clipInfo(padded);
        byte[] good = info.toByteArray();
        V3Craft craft = padded.craft();
        byte[] flipped = sealedInfo(padded);
        flipped[0] ^= 1;
        tests.add(clipInfo("a bit flipped in sealed_info", flipped));
        tests.add(
                clipInfo("ClipInfo length larger than the plaintext", craft.sealInfo(V3Craft.prefixed(61, good, 64))));
        tests.add(clipInfo(
                "ClipInfo bytes that do not parse",
                craft.sealInfo(V3Craft.prefixed(3, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}, 64))));
        byte[] dirty = V3Craft.prefixed(good.length, good, 64);
        dirty[63] = 1;
        tests.add(clipInfo("a padding byte of the info plaintext is not zero", craft.sealInfo(dirty)));
        tests.add(clipInfo(
                "info plaintext of 96 bytes, not a multiple of 64",
                craft.sealInfo(V3Craft.prefixed(good.length, good, 96))));
        tests.add(clipInfo("trigger unspecified", seal(craft, info.toBuilder().clearTrigger())));
        tests.add(clipInfo("width 0", seal(craft, info.toBuilder().setWidth(0))));
        tests.add(clipInfo(
                "pad_to 100, not a multiple of 16", seal(craft, info.toBuilder().setPadTo(100))));

        Map<String, Object> frame = frame(padded, 1);
        byte[] image = hex(frame.get("image"));
        FrameInfo facts = frameInfo(frame);
        byte[] infoBytes = facts.toByteArray();
        int fit = Padding.sealedLength(64, infoBytes.length, image.length) - 16;
        tests.add(frame1(
                padded,
                "FrameInfo length larger than the plaintext",
                V3Craft.prefixed(200, new byte[0], fit),
                "bad frame info"));
        tests.add(frame1(
                padded,
                "FrameInfo bytes that do not parse",
                V3Craft.framePlaintext(new byte[] {(byte) 0xff, (byte) 0xff}, image, fit),
                "bad frame info"));
        byte[] tooLong = facts.toBuilder().setImageLength(fit).build().toByteArray();
        tests.add(frame1(
                padded,
                "image_length larger than what follows the FrameInfo",
                V3Craft.framePlaintext(tooLong, new byte[0], fit),
                "bad frame info"));
        byte[] moving = facts.toBuilder().setMotionPermille(1001).build().toByteArray();
        tests.add(frame1(
                padded,
                "motion_permille 1001",
                V3Craft.framePlaintext(moving, image, Padding.sealedLength(64, moving.length, image.length) - 16),
                "bad frame info"));
        byte[] nonZero = V3Craft.framePlaintext(infoBytes, image, fit);
        nonZero[fit - 1] = 1;
        tests.add(frame1(padded, "a padding byte is not zero", nonZero, "bad padding"));
        tests.add(frame1(
                padded,
                "one bucket of padding more than needed",
                V3Craft.framePlaintext(infoBytes, image, fit + 64),
                "bad padding"));
        tests.add(frame1(
                padded,
                "sealed length not a multiple of pad_to",
                V3Craft.framePlaintext(infoBytes, image, fit + 1),
                "bad padding"));
        Map<String, Object> unpaddedFrame = frame(unpadded, 1);
        byte[] unpaddedImage = hex(unpaddedFrame.get("image"));
        byte[] unpaddedInfo = hex(unpaddedFrame.get("frameInfo"));
        tests.add(frame1(
                unpadded,
                "padding in a clip whose pad_to is 0",
                V3Craft.framePlaintext(
                        unpaddedInfo, unpaddedImage, 4 + unpaddedInfo.length + unpaddedImage.length + 16),
                "bad padding"));
        tests.add(frame(
                padded,
                "public FrameMeta sealed into frame 1's AAD",
                "Metadata",
                new byte[] {0x08, 0x01},
                V3Craft.framePlaintext(infoBytes, image, fit),
                "bad metadata"));

        List<Map<String, Object>> frames = V2VectorTampering.storedFrames(padded.vector());
        byte[] sealed = hex(frames.get(1).get("sealed"));
        sealed[0] ^= 1;
        frames.get(1).put("sealed", hex(sealed));
        tests.add(variant(
                padded,
                "bit flipped in sealed frame 1",
                "ModifiedCiphertext",
                frames,
                "TAMPERED",
                1,
                "authentication failed"));
        frames = V2VectorTampering.storedFrames(padded.vector());
        frames.remove(2);
        tests.add(variant(padded, "final frame dropped", "Truncated", frames, "TRUNCATED", null, "no final frame"));
    }

    private Map<String, Object> header(
            String comment, String flag, UnaryOperator<ClipHeader.Builder> change, String keyword) {
        Map<String, Object> t = variant(
                padded, comment, flag, V2VectorTampering.storedFrames(padded.vector()), "TAMPERED", null, keyword);
        t.put("header", hex(V2Fixture.resigned(padded.header(), generator.deviceKey(), change)));
        return t;
    }

    private Map<String, Object> clipInfo(String comment, byte[] sealedInfo) {
        return header(comment, "ClipInfo", h -> h.setSealedInfo(ByteString.copyFrom(sealedInfo)), "bad clip info");
    }

    private Map<String, Object> frame1(
            V3VectorGenerator.Sealed clip, String comment, byte[] plaintext, String keyword) {
        return frame(
                clip,
                comment,
                keyword.equals("bad padding") ? "Padding" : "FrameInfo",
                new byte[0],
                plaintext,
                keyword);
    }

    /** Frame 1 (not the final one) replaced by {@code plaintext} sealed with {@code meta} in its AAD. */
    private Map<String, Object> frame(
            V3VectorGenerator.Sealed clip, String comment, String flag, byte[] meta, byte[] plaintext, String keyword) {
        List<Map<String, Object>> frames = V2VectorTampering.storedFrames(clip.vector());
        boolean last = (Boolean) frames.get(1).get("last");
        frames.get(1).put("meta", hex(meta));
        frames.get(1).put("sealed", hex(clip.craft().sealFrame(clip.header(), 1, last, meta, plaintext)));
        Map<String, Object> t = variant(clip, comment, flag, frames, "TAMPERED", 1, keyword);
        t.put("framePlaintext", hex(plaintext));
        return t;
    }

    private Map<String, Object> variant(
            V3VectorGenerator.Sealed clip,
            String comment,
            String flag,
            List<Map<String, Object>> frames,
            String status,
            Integer failedSeq,
            String keyword) {
        Map<String, Object> t = generator.test(comment, "invalid");
        t.put("flags", List.of(flag));
        for (String field : List.of("deviceId", "clipId", "header", "storedDeviceId", "storedClipId", "opener")) {
            t.put(field, clip.vector().get(field));
        }
        t.put("frames", new ArrayList<>(frames));
        t.put("expected", V2VectorGenerator.expected(status, failedSeq, keyword));
        return t;
    }

    private static byte[] seal(V3Craft craft, ClipInfo.Builder changed) {
        byte[] bytes = changed.build().toByteArray();
        return craft.sealInfo(V3Craft.prefixed(bytes.length, bytes, SealedClipInfo.plaintextLength(bytes.length)));
    }

    private static ClipInfo clipInfo(V3VectorGenerator.Sealed clip) {
        try {
            return ClipInfo.parseFrom(hex(clip.vector().get("clipInfoBytes")));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] sealedInfo(V3VectorGenerator.Sealed clip) {
        return hex(clip.vector().get("sealedInfo"));
    }

    private static Map<String, Object> frame(V3VectorGenerator.Sealed clip, int seq) {
        return new LinkedHashMap<>(map(list(clip.vector().get("frames")).get(seq)));
    }

    private static FrameInfo frameInfo(Map<String, Object> frame) {
        try {
            return FrameInfo.parseFrom(TestData.hex(frame.get("frameInfo")));
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new IllegalStateException(e);
        }
    }
}
