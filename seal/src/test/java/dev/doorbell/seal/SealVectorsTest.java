package dev.doorbell.seal;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.keys.SecretBytes;
import dev.doorbell.seal.keys.internal.Hkdf;
import dev.doorbell.seal.testing.InsecureReplayRandom;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * Known answers: testdata/vectors/seal_vectors.json is re-derived through the real code paths (ratchet, clip key,
 * ClipSealer with the recorded salt and prefix replayed) and the nonces, AADs and plaintexts are re-checked with
 * byte strings built here from docs/FORMAT.md and the plain JCA. Invalid vectors must give the recorded verdict.
 */
class SealVectorsTest {
    @Test
    void file_equalsWhatTheGeneratorProduces() throws Exception {
        String generated = JsonFiles.write(new SealVectorGenerator().generate());
        if (Boolean.getBoolean("doorbell.regenerate")) {
            Files.writeString(TestData.dir().resolve(SealVectorGenerator.FILE), generated, StandardCharsets.UTF_8);
        }
        assertEquals(
                Files.readString(TestData.dir().resolve(SealVectorGenerator.FILE)),
                generated,
                "seal_vectors.json is stale: rerun with -Ddoorbell.regenerate=true after a deliberate format change");
    }

    @Test
    void epochRatchetVectors_rederived() throws Exception {
        List<Object> tests = tests("EpochRatchetTest");
        assertEquals(2, tests.size());
        for (Object o : tests) {
            Map<String, Object> t = map(o);
            String device = (String) t.get("deviceId");
            RootKey root = RootKey.of(device, SecretBytes.copyOf(hex(t.get("rootKey"))));
            byte[] previous = hex(t.get("rootKey"));
            for (Object s : list(t.get("epochs"))) {
                Map<String, Object> step = map(s);
                int epoch = ((Number) step.get("epoch")).intValue();
                byte[] info = concat(
                        "doorbell/v1/epoch-key".getBytes(StandardCharsets.US_ASCII),
                        new byte[] {0},
                        device.getBytes(StandardCharsets.US_ASCII),
                        new byte[] {0},
                        ByteBuffer.allocate(4).putInt(epoch).array());
                assertEquals(step.get("info"), TestData.hex(info));
                byte[] expected = hex(step.get("epochKey"));
                assertArrayEquals(
                        expected, Hkdf.sha256(previous, null, info, 32), "independent ratchet, epoch " + epoch);
                assertArrayEquals(expected, root.epochKey(epoch).secret().toByteArray(), "RootKey, epoch " + epoch);
                previous = expected;
            }
        }
    }

    @Test
    void clipKeyVectors_rederived() throws Exception {
        for (Object o : tests("ClipKeyTest")) {
            Map<String, Object> t = map(o);
            byte[] info = concat(
                    "doorbell/v1/clip-key".getBytes(StandardCharsets.US_ASCII),
                    new byte[] {0},
                    ((String) t.get("deviceId")).getBytes(StandardCharsets.US_ASCII),
                    new byte[] {0},
                    ByteBuffer.allocate(8)
                            .putLong(((Number) t.get("clipId")).longValue())
                            .array());
            byte[] okm = Hkdf.sha256(hex(t.get("epochKey")), hex(t.get("salt")), info, 64);
            assertEquals(t.get("clipKey"), TestData.hex(java.util.Arrays.copyOf(okm, 32)));
            assertEquals(t.get("commitment"), TestData.hex(java.util.Arrays.copyOfRange(okm, 32, 64)));
        }
    }

    @Test
    void validClipVectors_resealedAndCheckedByPlainJca() throws Exception {
        int valid = 0;
        for (Object o : tests("ClipSealTest")) {
            Map<String, Object> t = map(o);
            if (!"valid".equals(t.get("result"))) {
                continue;
            }
            valid++;
            String device = (String) t.get("deviceId");
            EpochKey key = RootKey.of(device, SecretBytes.copyOf(hex(t.get("rootKey"))))
                    .epochKey(((Number) t.get("epoch")).intValue());
            assertEquals(t.get("epochKey"), TestData.hex(key.secret().toByteArray()));
            long clipId = ((Number) t.get("clipId")).longValue();
            InsecureReplayRandom replay = new InsecureReplayRandom(hex(t.get("salt")), hex(t.get("noncePrefix")));
            ClipSealer sealer = ClipSealer.start(key, TestClips.params(device, clipId), replay);
            assertEquals(0, replay.remaining());
            assertEquals(t.get("header"), TestData.hex(sealer.headerBytes()));
            assertEquals(
                    t.get("commitment"),
                    TestData.hex(sealer.header().getKeyCommitment().toByteArray()));
            byte[] headerHash = MessageDigest.getInstance("SHA-256").digest(hex(t.get("header")));
            assertEquals(t.get("headerSha256"), TestData.hex(headerHash));
            SecretKeySpec clipKey = new SecretKeySpec(hex(t.get("clipKey")), "AES");
            List<Object> frames = list(t.get("frames"));
            for (Object fo : frames) {
                Map<String, Object> f = map(fo);
                int seq = ((Number) f.get("seq")).intValue();
                boolean last = (Boolean) f.get("last");
                byte[] lastByte = {(byte) (last ? 1 : 0)};
                byte[] seqBytes = ByteBuffer.allocate(4).putInt(seq).array();
                byte[] nonce = concat(hex(t.get("noncePrefix")), seqBytes, lastByte);
                byte[] aad = concat(headerHash, seqBytes, lastByte, hex(f.get("meta")));
                assertEquals(f.get("nonce"), TestData.hex(nonce));
                assertEquals(f.get("aad"), TestData.hex(aad));
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, clipKey, new GCMParameterSpec(128, nonce));
                cipher.updateAAD(aad);
                assertArrayEquals(hex(f.get("plaintext")), cipher.doFinal(hex(f.get("sealed"))), "frame " + seq);
                SealedFrame resealed = sealer.seal(seq * 66_666L, hex(f.get("plaintext")), last);
                assertEquals(f.get("meta"), TestData.hex(resealed.meta()));
                assertEquals(f.get("sealed"), TestData.hex(resealed.sealed()));
            }
            assertEquals("OK " + frames.size() + " frames", openVector(t).summary());
        }
        assertEquals(3, valid);
    }

    @Test
    void invalidClipVectors_giveRecordedVerdict() throws Exception {
        int invalid = 0;
        for (Object o : tests("ClipSealTest")) {
            Map<String, Object> t = map(o);
            if (!"invalid".equals(t.get("result"))) {
                continue;
            }
            invalid++;
            Map<String, Object> expected = map(t.get("expected"));
            ClipVerdict verdict = openVector(t);
            String id = "tcId " + t.get("tcId") + " (" + t.get("comment") + "): " + verdict.summary();
            assertEquals(expected.get("status"), verdict.status().name(), id);
            Number failedSeq = (Number) expected.get("failedSeq");
            assertEquals(
                    failedSeq == null ? OptionalInt.empty() : OptionalInt.of(failedSeq.intValue()),
                    verdict.failedSeq(),
                    id);
            assertTrue(verdict.reason().startsWith((String) expected.get("reasonKeyword")), id);
        }
        assertEquals(9, invalid);
    }

    private static ClipVerdict openVector(Map<String, Object> t) throws Exception {
        String device = (String) t.get("deviceId");
        RootKey root = RootKey.of(device, SecretBytes.copyOf(hex(t.get("rootKey"))));
        List<StoredFrameBytes> frames = new ArrayList<>();
        for (Object fo : list(t.get("frames"))) {
            Map<String, Object> f = map(fo);
            frames.add(new StoredFrameBytes(
                    ((Number) f.get("seq")).intValue(),
                    (Boolean) f.get("last"),
                    hex(f.get("meta")),
                    hex(f.get("sealed"))));
        }
        return new ClipOpener(id -> id.equals(device) ? root : null)
                .open(
                        (String) t.get("storedDeviceId"),
                        ((Number) t.get("storedClipId")).longValue(),
                        hex(t.get("header")),
                        frames);
    }

    private static List<Object> tests(String type) throws Exception {
        for (Object g : list(JsonFiles.read(SealVectorGenerator.FILE).get("testGroups"))) {
            if (type.equals(map(g).get("type"))) {
                return list(map(g).get("tests"));
            }
        }
        throw new AssertionError("no test group " + type);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(
                java.util.Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
