package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.keys.internal.Hkdf;
import dev.doorbell.seal.testing.InsecureReplayRandom;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.pqc.crypto.xwing.XWingPrivateKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * Known answers for format v2: testdata/vectors/v2/seal_v2_vectors.json is what {@link V2VectorGenerator} makes, and
 * every value in it is derived again here, through the real code paths (ClipSealerV2 with the recorded draws
 * replayed) and independently from the byte strings of docs/FORMAT.md (HKDF info, HPKE with BouncyCastle directly,
 * nonces and AADs, plain JCA AES-GCM). Invalid vectors give the recorded verdict.
 */
class V2VectorsTest {
    @Test
    void file_equalsWhatTheGeneratorProduces() throws Exception {
        assertFresh(V2VectorGenerator.FILE, JsonFiles.write(new V2VectorGenerator().generate()));
    }

    /** The vector file equals a fresh generation; with -Ddoorbell.regenerate=true it is written first. */
    static void assertFresh(String file, String generated) throws Exception {
        if (Boolean.getBoolean("doorbell.regenerate")) {
            Files.createDirectories(TestData.dir().resolve(file).getParent());
            Files.writeString(TestData.dir().resolve(file), generated, StandardCharsets.UTF_8);
        }
        assertEquals(
                Files.readString(TestData.dir().resolve(file)),
                generated,
                file + " is stale: rerun with -Ddoorbell.regenerate=true after a deliberate format change");
    }

    @Test
    void ownerKeys_rederived() throws Exception {
        List<Object> tests = tests("OwnerKeyTest");
        assertEquals(2, tests.size());
        for (Object o : tests) {
            Map<String, Object> t = map(o);
            byte[] secret = hex(t.get("ownerSecret"));
            byte[] seed = Hkdf.sha256(secret, null, ascii("doorbell/v2/owner-signing-key"), 32);
            assertEquals(t.get("signingSeed"), TestData.hex(seed));
            assertEquals(
                    t.get("signingPublicKey"),
                    TestData.hex(SigningKey.fromSeed(seed).publicKey().bytes()));
            byte[] ikm = Hkdf.sha256(secret, null, ascii("doorbell/v2/owner-viewer-key"), 32);
            assertEquals(t.get("viewerIkm"), TestData.hex(ikm));
            AsymmetricCipherKeyPair pair = suite().deriveKeyPair(ikm);
            assertEquals(
                    t.get("viewerPrivateKey"),
                    TestData.hex(((X25519PrivateKeyParameters) pair.getPrivate()).getEncoded()));
            byte[] pk = suite().serializePublicKey(pair.getPublic());
            assertEquals(t.get("viewerPublicKey"), TestData.hex(pk));
            byte[] idInput =
                    ByteBuffer.allocate(34).putShort((short) 0x20).put(pk).array();
            assertEquals(
                    t.get("viewerKeyId"),
                    TestData.hex(
                            Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(idInput), 8)));
            // The owner's X-Wing key (FORMAT.md §11): the seed is the HKDF output, the key pair the draft's from it.
            byte[] xWingSeed = Hkdf.sha256(secret, null, ascii("doorbell/v3/owner-viewer-key-xwing"), 32);
            assertEquals(t.get("xWingViewerSeed"), TestData.hex(xWingSeed));
            byte[] xWingPublic = new XWingPrivateKeyParameters(xWingSeed)
                    .getPublicKeyParameters()
                    .getEncoded();
            assertEquals(t.get("xWingViewerPublicKey"), TestData.hex(xWingPublic));
            byte[] xWingIdInput = ByteBuffer.allocate(2 + xWingPublic.length)
                    .putShort((short) 0x647a)
                    .put(xWingPublic)
                    .array();
            assertEquals(
                    t.get("xWingViewerKeyId"),
                    TestData.hex(
                            Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(xWingIdInput), 8)));
        }
    }

    @Test
    void signatures_rederived() throws Exception {
        List<Object> tests = tests("SignatureTest");
        assertEquals(4, tests.size());
        for (Object o : tests) {
            Map<String, Object> t = map(o);
            String context = (String) t.get("context");
            byte[] message = hex(t.get("message"));
            byte[] signed = concat(ascii(context), new byte[] {0}, message);
            assertEquals(t.get("signedBytes"), TestData.hex(signed));
            SigningKey key = SigningKey.fromSeed(hex(t.get("seed")));
            assertEquals(t.get("publicKey"), TestData.hex(key.publicKey().bytes()));
            assertEquals(t.get("signature"), TestData.hex(key.sign(context, message)));
            assertTrue(key.publicKey().verify(context, message, hex(t.get("signature"))));
        }
    }

    @Test
    void certificates_verifiedOrRefusedAsRecorded() throws Exception {
        int valid = 0;
        for (Object o : tests("DeviceKeyCertificateTest")) {
            Map<String, Object> t = map(o);
            VerifyingKey owner = new VerifyingKey(hex(t.get("ownerPublicKey")));
            String device = (String) t.get("deviceId");
            byte[] signed = hex(t.get("signedCertificate"));
            if ("valid".equals(t.get("result"))) {
                DeviceKeyCertificates.Verified v = DeviceKeyCertificates.parseVerified(owner, device, signed);
                assertEquals(t.get("devicePublicKey"), TestData.hex(v.key().bytes()));
                assertEquals(((Number) t.get("pairedUnixMs")).longValue(), v.pairedUnixMs());
                valid++;
            } else {
                assertThrows(
                        CertificateRefused.class, () -> DeviceKeyCertificates.verify(owner, device, signed), id(t));
            }
        }
        assertEquals(1, valid);
    }

    @Test
    void recipientLists_acceptedOrRefusedAsRecorded() throws Exception {
        List<Object> tests = tests("RecipientListTest");
        assertEquals(9, tests.size());
        for (Object o : tests) {
            Map<String, Object> t = map(o);
            VerifyingKey owner = new VerifyingKey(hex(t.get("ownerPublicKey")));
            long current = Long.parseUnsignedLong((String) t.get("currentVersion"));
            byte[] signed = hex(t.get("signedList"));
            RecipientListResult.Status status;
            try {
                RecipientList list = RecipientLists.verify(owner, (String) t.get("deviceId"), current, signed);
                assertArrayEquals(
                        SignedRecipientList.parseFrom(signed).getList().toByteArray(), list.toByteArray());
                status = RecipientListResult.Status.ACCEPTED;
            } catch (RecipientListRefused e) {
                status = e.status();
            }
            assertEquals(t.get("expected"), status.name(), id(t));
        }
    }

    @Test
    void validClips_resealedFromTheRecordedDrawsAndCheckedIndependently() throws Exception {
        int valid = 0;
        for (Object o : tests("ClipTest")) {
            Map<String, Object> t = map(o);
            if (!"valid".equals(t.get("result"))) {
                continue;
            }
            valid++;
            String device = (String) t.get("deviceId");
            long clipId = ((Number) t.get("clipId")).longValue();
            byte[] k = hex(t.get("clipKey"));
            byte[] clipKeyInfo =
                    concat(ascii("doorbell/v2/clip-key"), new byte[] {0}, ascii(device), new byte[] {0}, u64(clipId));
            assertEquals(t.get("clipKeyInfo"), TestData.hex(clipKeyInfo));
            byte[] okm = Hkdf.sha256(k, null, clipKeyInfo, 64);
            assertEquals(t.get("aesKey"), TestData.hex(Arrays.copyOf(okm, 32)));
            assertEquals(t.get("commitment"), TestData.hex(Arrays.copyOfRange(okm, 32, 64)));
            byte[] wrapInfo =
                    concat(ascii("doorbell/v2/wrap"), new byte[] {0}, ascii(device), new byte[] {0}, u64(clipId));
            assertEquals(t.get("wrapInfo"), TestData.hex(wrapInfo));
            List<byte[]> draws = wrappedKeysRederived(t, k, wrapInfo);
            SigningKey deviceKey = SigningKey.fromSeed(hex(t.get("deviceSeed")));
            assertEquals(
                    t.get("devicePublicKey"), TestData.hex(deviceKey.publicKey().bytes()));
            VerifyingKey owner = new VerifyingKey(hex(t.get("ownerPublicKey")));
            byte[] certificate = hex(t.get("deviceKeyCertificate"));
            assertEquals(deviceKey.publicKey(), DeviceKeyCertificates.verify(owner, device, certificate));
            RecipientList list = RecipientLists.verify(owner, device, 0, hex(t.get("signedList")));
            InsecureReplayRandom replay = new InsecureReplayRandom(draws.toArray(new byte[0][]));
            ClipSealerV2 sealer =
                    ClipSealerV2.start(new DeviceSigner(device, deviceKey, certificate), list, params(t), replay);
            assertEquals(0, replay.remaining());
            byte[] header = hex(t.get("header"));
            assertArrayEquals(header, sealer.headerBytes(), id(t));
            SignedClipHeader signed = SignedClipHeader.parseFrom(header);
            assertEquals(t.get("innerHeader"), TestData.hex(signed.getHeader().toByteArray()));
            assertEquals(
                    t.get("headerSignature"), TestData.hex(signed.getSignature().toByteArray()));
            assertTrue(deviceKey
                    .publicKey()
                    .verify(
                            Contexts.CLIP_HEADER,
                            signed.getHeader().toByteArray(),
                            signed.getSignature().toByteArray()));
            ClipHeader inner = ClipHeader.parseFrom(signed.getHeader());
            assertEquals(
                    t.get("commitment"), TestData.hex(inner.getKeyCommitment().toByteArray()));
            byte[] headerHash = MessageDigest.getInstance("SHA-256").digest(header);
            assertEquals(t.get("headerSha256"), TestData.hex(headerHash));
            SecretKeySpec aesKey = new SecretKeySpec(hex(t.get("aesKey")), "AES");
            for (Object fo : list(t.get("frames"))) {
                Map<String, Object> f = map(fo);
                int seq = ((Number) f.get("seq")).intValue();
                boolean last = (Boolean) f.get("last");
                byte[] position = ByteBuffer.allocate(5)
                        .putInt(seq)
                        .put((byte) (last ? 1 : 0))
                        .array();
                byte[] nonce = concat(hex(t.get("noncePrefix")), position);
                byte[] aad = concat(headerHash, position, hex(f.get("meta")));
                assertEquals(f.get("nonce"), TestData.hex(nonce));
                assertEquals(f.get("aad"), TestData.hex(aad));
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, aesKey, new GCMParameterSpec(128, nonce));
                cipher.updateAAD(aad);
                assertArrayEquals(hex(f.get("plaintext")), cipher.doFinal(hex(f.get("sealed"))), "frame " + seq);
                SealedFrame resealed =
                        sealer.seal(((Number) f.get("ptsUs")).longValue(), hex(f.get("plaintext")), last);
                assertEquals(f.get("meta"), TestData.hex(resealed.meta()));
                assertEquals(f.get("sealed"), TestData.hex(resealed.sealed()));
            }
            assertEquals("OK " + list(t.get("frames")).size() + " frames", open(t).summary());
        }
        assertEquals(2, valid);
    }

    @Test
    void invalidClips_giveTheRecordedVerdict() throws Exception {
        List<String> keywords = new ArrayList<>();
        for (Object o : tests("ClipTest")) {
            Map<String, Object> t = map(o);
            if ("invalid".equals(t.get("result"))) {
                assertVerdict(t, open(t));
                keywords.add((String) map(t.get("expected")).get("reasonKeyword"));
            }
        }
        for (String keyword : List.of(
                "bad header",
                "header names another device",
                "header names another clip",
                "unknown device key",
                "signed with a key other than the one paired",
                "bad signature",
                "not a recipient of this clip",
                "key unwrap failed",
                "key commitment mismatch",
                "authentication failed",
                "frames out of order",
                "duplicate frame",
                "frame missing",
                "no final frame")) {
            assertTrue(keywords.contains(keyword), "no invalid vector for " + keyword);
        }
    }

    @Test
    void shares_openAsRecorded() throws Exception {
        List<Object> tests = tests("ShareTest");
        assertEquals(3, tests.size());
        for (Object o : tests) {
            Map<String, Object> t = map(o);
            RecipientKeyPair thirdParty =
                    RecipientKeyPair.fromPrivate((String) t.get("thirdPartyName"), hex(t.get("thirdPartyPrivateKey")));
            ClipVerdict verdict = ClipOpenerV2.forShare(hex(t.get("signedShare")), thirdParty)
                    .open(
                            (String) t.get("storedDeviceId"),
                            ((Number) t.get("storedClipId")).longValue(),
                            hex(t.get("header")),
                            frames(t));
            assertVerdict(t, verdict);
        }
    }

    /**
     * Each recipient's wrapped key made again with BouncyCastle's HPKE directly (the recorded ephemeral draw,
     * clamped by X25519, gives enc and ciphertext); returns the sealer's draws: k, the nonce prefix, the ephemerals.
     */
    static List<byte[]> wrappedKeysRederived(Map<String, Object> t, byte[] k, byte[] wrapInfo) throws Exception {
        List<byte[]> draws = new ArrayList<>(List.of(k, hex(t.get("noncePrefix"))));
        for (Object ro : list(t.get("recipients"))) {
            Map<String, Object> r = map(ro);
            RecipientKeyPair pair = RecipientKeyPair.fromPrivate((String) r.get("name"), hex(r.get("privateKey")));
            assertEquals(r.get("publicKey"), TestData.hex(pair.publicKey().publicKey()));
            assertEquals(r.get("keyId"), TestData.hex(pair.keyId()));
            byte[] ephemeral = hex(r.get("ephemeralRandom"));
            X25519PrivateKeyParameters skE = new X25519PrivateKeyParameters(ephemeral);
            HPKEContextWithEncapsulation sender = suite().setupBaseS(
                            suite().deserializePublicKey(pair.publicKey().publicKey()),
                            wrapInfo,
                            new AsymmetricCipherKeyPair(skE.generatePublicKey(), skE));
            assertEquals(r.get("enc"), TestData.hex(sender.getEncapsulation()));
            assertEquals(r.get("ciphertext"), TestData.hex(sender.seal(pair.keyId(), k)));
            draws.add(ephemeral);
        }
        return draws;
    }

    static void assertVerdict(Map<String, Object> t, ClipVerdict verdict) {
        Map<String, Object> expected = map(t.get("expected"));
        String id = id(t) + ": " + verdict.summary();
        assertEquals(expected.get("status"), verdict.status().name(), id);
        Number failedSeq = (Number) expected.get("failedSeq");
        assertEquals(
                failedSeq == null ? OptionalInt.empty() : OptionalInt.of(failedSeq.intValue()),
                verdict.failedSeq(),
                id);
        assertEquals(expected.get("reasonKeyword"), verdict.keyword(), id);
    }

    static ClipVerdict open(Map<String, Object> t) {
        Map<String, Object> opener = map(t.get("opener"));
        RecipientKeyPair pair = RecipientKeyPair.fromPrivate(
                (String) opener.get("recipientName"), hex(opener.get("recipientPrivateKey")));
        VerifyingKey owner = new VerifyingKey(hex(opener.get("ownerPublicKey")));
        Map<String, VerifyingKey> paired = opener.get("pairedDeviceKey") == null
                ? Map.of()
                : Map.of((String) t.get("deviceId"), new VerifyingKey(hex(opener.get("pairedDeviceKey"))));
        return new ClipOpenerV2(Identity.of(owner, paired, List.of(pair)))
                .open(
                        (String) t.get("storedDeviceId"),
                        ((Number) t.get("storedClipId")).longValue(),
                        hex(t.get("header")),
                        frames(t));
    }

    static List<StoredFrameBytes> frames(Map<String, Object> t) {
        List<StoredFrameBytes> frames = new ArrayList<>();
        for (Object fo : list(t.get("frames"))) {
            Map<String, Object> f = map(fo);
            frames.add(new StoredFrameBytes(
                    ((Number) f.get("seq")).intValue(),
                    (Boolean) f.get("last"),
                    hex(f.get("meta")),
                    hex(f.get("sealed"))));
        }
        return frames;
    }

    private static ClipParams params(Map<String, Object> t) {
        Map<String, Object> p = map(t.get("params"));
        return new ClipParams(
                (String) t.get("deviceId"),
                ((Number) t.get("clipId")).longValue(),
                Trigger.forNumber(((Number) p.get("trigger")).intValue()),
                Codec.forNumber(((Number) p.get("codec")).intValue()),
                ((Number) p.get("width")).intValue(),
                ((Number) p.get("height")).intValue(),
                ((Number) p.get("fps")).intValue(),
                ((Number) p.get("startTimeUnixMs")).longValue(),
                ((Number) p.get("preRollMs")).intValue());
    }

    static HPKE suite() {
        return new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
    }

    static String id(Map<String, Object> t) {
        return "tcId " + t.get("tcId") + " (" + t.get("comment") + ")";
    }

    private static List<Object> tests(String type) throws Exception {
        for (Object g : list(JsonFiles.read(V2VectorGenerator.FILE).get("testGroups"))) {
            if (type.equals(map(g).get("type"))) {
                return list(map(g).get("tests"));
            }
        }
        throw new AssertionError("no test group " + type);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] u64(long v) {
        return ByteBuffer.allocate(8).putLong(v).array();
    }

    static byte[] concat(byte[]... parts) {
        ByteBuffer out =
                ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
