package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;

import com.google.protobuf.ByteString;
import dev.doorbell.seal.testing.TestData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The invalid ClipTest vectors: one valid three-frame v2 clip, changed the ways an attacker (the uplink among them)
 * or a fault would, one for each verdict keyword of docs/FORMAT.md §15 and the frame verdicts of §4.
 */
final class V2VectorTampering {
    private final V2VectorGenerator generator;
    private final Map<String, Object> base;
    private final byte[] header;

    V2VectorTampering(V2VectorGenerator generator, Map<String, Object> base) {
        this.generator = generator;
        this.base = base;
        this.header = TestData.hex(base.get("header"));
    }

    void addAll(List<Object> tests) {
        SigningKey device = generator.deviceKey();
        tests.add(headerVariant(
                "header bytes that are no SignedClipHeader", "BadHeader", new byte[] {0x0a, 0x05, 0x01}, "bad header"));
        tests.add(headerVariant(
                "format_version 3, signed by the device",
                "BadHeader",
                V2Fixture.resigned(header, device, h -> h.setFormatVersion(3)),
                "bad header"));
        tests.add(headerVariant(
                "a wrapped key's enc of 31 bytes, signed by the device",
                "BadHeader",
                V2Fixture.resigned(
                        header,
                        device,
                        h -> h.setWrappedKeys(
                                1,
                                h.getWrappedKeys(1).toBuilder()
                                        .setEnc(h.getWrappedKeys(1).getEnc().substring(1)))),
                "bad header"));
        Map<String, Object> t =
                headerVariant("stored under another device", "WrongDevice", header, "header names another device");
        t.put("storedDeviceId", "back-door");
        tests.add(t);
        t = headerVariant("stored under another clip id", "WrongClip", header, "header names another clip");
        t.put("storedClipId", ((Number) base.get("clipId")).longValue() + 1);
        tests.add(t);

        // The uplink knows the recipients' public keys and the device certificate; it has no key the owner certified.
        SigningKey uplink = SigningKey.generate(generator.random());
        SigningKey uplinkOwner = SigningKey.generate(generator.random());
        byte[] uplinkCertificate =
                DeviceKeyCertificates.issue(uplinkOwner, V2VectorGenerator.DEVICE, uplink.publicKey(), 1);
        tests.add(headerVariant(
                "the uplink certifies a key of its own and signs the header with it",
                "Forgery",
                V2Fixture.resigned(
                        header, uplink, h -> h.setDeviceKeyCertificate(ByteString.copyFrom(uplinkCertificate))),
                "unknown device key"));
        tests.add(headerVariant(
                "the uplink keeps the device certificate and signs the header with its own key",
                "Forgery",
                V2Fixture.resigned(header, uplink, h -> h.setWidth(1280)),
                "bad signature"));
        SigningKey second = SigningKey.generate(generator.random());
        byte[] secondCertificate = DeviceKeyCertificates.issue(
                generator.owner(), V2VectorGenerator.DEVICE, second.publicKey(), V2VectorGenerator.PAIRED_AT + 1);
        t = headerVariant(
                "signed by a key the owner certified, opened by the owner who paired another",
                "NotPaired",
                V2Fixture.resigned(
                        header, second, h -> h.setDeviceKeyCertificate(ByteString.copyFrom(secondCertificate))),
                "signed with a key other than the one paired");
        t.put(
                "opener",
                V2VectorGenerator.opener(generator.owner().publicKey(), generator.ownerViewer(), device.publicKey()));
        tests.add(t);
        byte[] flipped = V2Fixture.outerChanged(header, b -> {
            byte[] sig = b.getSignature().toByteArray();
            sig[0] ^= 1;
            return b.setSignature(ByteString.copyFrom(sig));
        });
        tests.add(headerVariant("a bit flipped in the header signature", "ModifiedHeader", flipped, "bad signature"));
        t = headerVariant(
                "opened by bob, who is not on the list the clip was sealed to",
                "NotRecipient",
                header,
                "not a recipient of this clip");
        t.put("opener", V2VectorGenerator.opener(generator.owner().publicKey(), generator.bob(), null));
        tests.add(t);
        tests.add(headerVariant(
                "alice's wrapped key altered, signed by the device",
                "ModifiedWrappedKey",
                V2Fixture.resigned(header, device, h -> {
                    byte[] ct = h.getWrappedKeys(1).getCiphertext().toByteArray();
                    ct[0] ^= 1;
                    return h.setWrappedKeys(1, h.getWrappedKeys(1).toBuilder().setCiphertext(ByteString.copyFrom(ct)));
                }),
                "key unwrap failed"));
        tests.add(headerVariant(
                "key commitment altered, signed by the device",
                "ModifiedCommitment",
                V2Fixture.resigned(header, device, h -> {
                    byte[] c = h.getKeyCommitment().toByteArray();
                    c[0] ^= 1;
                    return h.setKeyCommitment(ByteString.copyFrom(c));
                }),
                "key commitment mismatch"));

        List<Map<String, Object>> frames = storedFrames(base);
        frames.get(1).put("sealed", flipFirstBit((String) frames.get(1).get("sealed")));
        tests.add(framesVariant(
                "bit flipped in sealed frame 1", "ModifiedCiphertext", frames, "TAMPERED", 1, "authentication failed"));
        frames = storedFrames(base);
        Collections.swap(frames, 1, 2);
        tests.add(framesVariant("frames 1 and 2 swapped", "Reordered", frames, "TAMPERED", 1, "frames out of order"));
        frames = storedFrames(base);
        frames.add(2, new LinkedHashMap<>(frames.get(1)));
        tests.add(framesVariant("frame 1 stored twice", "Duplicate", frames, "TAMPERED", 1, "duplicate frame"));
        frames = storedFrames(base);
        frames.remove(1);
        tests.add(framesVariant("frame 1 dropped", "Gap", frames, "TAMPERED", 1, "frame missing"));
        frames = storedFrames(base);
        frames.remove(2);
        tests.add(framesVariant("final frame dropped", "Truncated", frames, "TRUNCATED", null, "no final frame"));
    }

    private Map<String, Object> headerVariant(String comment, String flag, byte[] headerBytes, String keyword) {
        Map<String, Object> t = variant(comment, flag, storedFrames(base), "TAMPERED", null, keyword);
        t.put("header", hex(headerBytes));
        return t;
    }

    private Map<String, Object> framesVariant(
            String comment,
            String flag,
            List<Map<String, Object>> frames,
            String status,
            Integer failedSeq,
            String keyword) {
        return variant(comment, flag, frames, status, failedSeq, keyword);
    }

    private Map<String, Object> variant(
            String comment,
            String flag,
            List<Map<String, Object>> frames,
            String status,
            Integer failedSeq,
            String keyword) {
        Map<String, Object> t = generator.test(comment, "invalid");
        t.put("flags", List.of(flag));
        for (String field : List.of("deviceId", "clipId", "header", "storedDeviceId", "storedClipId", "opener")) {
            t.put(field, base.get(field));
        }
        t.put("frames", new ArrayList<>(frames));
        t.put("expected", V2VectorGenerator.expected(status, failedSeq, keyword));
        return t;
    }

    /** A clip vector's frames as stored: seq, last, meta and sealed only. */
    static List<Map<String, Object>> storedFrames(Map<String, Object> clip) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list(clip.get("frames"))) {
            Map<String, Object> f = map(o);
            Map<String, Object> stored = new LinkedHashMap<>();
            for (String field : List.of("seq", "last", "meta", "sealed")) {
                stored.put(field, f.get(field));
            }
            out.add(stored);
        }
        return out;
    }

    private static String flipFirstBit(String hex) {
        byte[] b = TestData.hex(hex);
        b[0] ^= 1;
        return TestData.hex(b);
    }
}
