package dev.doorbell.seal;

import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;

import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.TestData;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The invalid ClipSealTest vectors: one valid three-frame clip, changed the ways an attacker or a fault would. */
final class SealVectorTampering {
    private final SealVectorGenerator generator;
    private final Map<String, Object> base;

    SealVectorTampering(SealVectorGenerator generator, Map<String, Object> base) {
        this.generator = generator;
        this.base = base;
    }

    void addAll(List<Object> tests, RootKey wrongRoot) {
        List<Map<String, Object>> frames = frames();
        frames.get(1).put("sealed", flipFirstBit((String) frames.get(1).get("sealed")));
        tests.add(variant(
                "bit flipped in sealed frame 1", "ModifiedCiphertext", frames, "TAMPERED", 1, "authentication failed"));

        frames = frames();
        Collections.swap(frames, 1, 2);
        tests.add(variant("frames 1 and 2 swapped", "Reordered", frames, "TAMPERED", 1, "frames out of order"));

        frames = frames();
        frames.add(2, new LinkedHashMap<>(frames.get(1)));
        tests.add(variant("frame 1 stored twice", "Duplicate", frames, "TAMPERED", 1, "duplicate frame"));

        frames = frames();
        frames.remove(1);
        tests.add(variant("frame 1 dropped", "Gap", frames, "TAMPERED", 1, "frame missing"));

        frames = frames();
        frames.remove(2);
        tests.add(variant("final frame dropped", "Truncated", frames, "TRUNCATED", null, "no final frame"));

        frames = frames();
        frames.get(1).put("last", true);
        tests.add(variant(
                "frame 1 presented as final, frame 2 dropped",
                "Truncated",
                frames.subList(0, 2),
                "TAMPERED",
                1,
                "authentication failed"));

        Map<String, Object> t = variant(
                "stored under another clip id", "WrongClip", frames(), "TAMPERED", null, "header names another clip");
        t.put("storedClipId", ((Long) base.get("clipId")) + 1);
        tests.add(t);

        t = variant(
                "opened with another root key of the same device",
                "WrongKey",
                frames(),
                "TAMPERED",
                null,
                "key commitment mismatch");
        t.put("rootKey", SealVectorGenerator.rootHex(wrongRoot));
        tests.add(t);

        t = variant(
                "bit flipped in the header's key commitment",
                "ModifiedHeader",
                frames(),
                "TAMPERED",
                null,
                "key commitment mismatch");
        String header = (String) base.get("header");
        int at = header.indexOf((String) base.get("commitment"));
        t.put("header", header.substring(0, at) + flipFirstBit(header.substring(at)));
        tests.add(t);
    }

    private Map<String, Object> variant(
            String comment,
            String flag,
            List<Map<String, Object>> frames,
            String status,
            Integer failedSeq,
            String reasonKeyword) {
        Map<String, Object> t = generator.test(comment, "invalid");
        t.put("flags", List.of(flag));
        for (String field :
                List.of("rootKey", "deviceId", "epoch", "clipId", "header", "storedDeviceId", "storedClipId")) {
            t.put(field, base.get(field));
        }
        t.put("frames", new ArrayList<>(frames));
        t.put("expected", SealVectorGenerator.expected(status, failedSeq, reasonKeyword));
        return t;
    }

    /** The base clip's frames as stored: seq, last, meta and sealed only. */
    private List<Map<String, Object>> frames() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object o : list(base.get("frames"))) {
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
