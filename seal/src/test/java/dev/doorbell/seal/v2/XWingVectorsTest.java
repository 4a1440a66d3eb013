package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.StoredFrameBytes;
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
import org.bouncycastle.crypto.SecretWithEncapsulation;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.prng.FixedSecureRandom;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMExtractor;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingKeyGenerationParameters;
import org.bouncycastle.pqc.crypto.xwing.XWingKeyPairGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingPrivateKeyParameters;
import org.bouncycastle.pqc.crypto.xwing.XWingPublicKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * Known answers for X-Wing recipients: testdata/vectors/v2/xwing_vectors.json is what {@link XWingVectorGenerator}
 * makes; its KEM vectors are the X-Wing draft's, byte for byte, and BouncyCastle's X-Wing gives them; every clip value
 * is derived again, through the real sealer (the recorded draws replayed) and independently (the X-Wing KEM of
 * BouncyCastle, RFC 9180's key schedule written out in {@link HpkeKeySchedule}, plain JCA AES-GCM). Invalid vectors
 * give the recorded verdict.
 */
class XWingVectorsTest {
    @Test
    void file_equalsWhatTheGeneratorProduces() throws Exception {
        String generated = JsonFiles.write(new XWingVectorGenerator().generate());
        if (Boolean.getBoolean("doorbell.regenerate")) {
            Files.writeString(TestData.dir().resolve(XWingVectorGenerator.FILE), generated, StandardCharsets.UTF_8);
        }
        assertEquals(
                Files.readString(TestData.dir().resolve(XWingVectorGenerator.FILE)),
                generated,
                "xwing_vectors.json is stale: rerun with -Ddoorbell.regenerate=true after a deliberate format change");
    }

    @Test
    void kemVectors_areTheDraftsOwn_andBouncyCastleGivesThem() throws Exception {
        List<Object> draft = XWingVectorGenerator.draftVectors();
        List<Object> tests = tests("XWingKemTest");
        assertEquals(3, draft.size());
        assertEquals(draft.size(), tests.size());
        for (int i = 0; i < tests.size(); i++) {
            Map<String, Object> t = map(tests.get(i));
            Map<String, Object> d = map(draft.get(i));
            assertEquals(d.get("seed"), t.get("seed"));
            assertEquals(d.get("sk"), t.get("seed"), "the private key is the seed");
            assertEquals(d.get("pk"), t.get("publicKey"));
            assertEquals(d.get("eseed"), t.get("eseed"));
            assertEquals(d.get("ct"), t.get("ciphertext"));
            assertEquals(d.get("ss"), t.get("sharedSecret"));
            byte[] seed = hex(d.get("seed"));
            // BouncyCastle's X-Wing directly: key generation from the seed, encapsulation with eseed, decapsulation.
            XWingKeyPairGenerator generator = new XWingKeyPairGenerator();
            generator.init(new XWingKeyGenerationParameters(new FixedSecureRandom(seed)));
            AsymmetricCipherKeyPair pair = generator.generateKeyPair();
            assertEquals(d.get("pk"), TestData.hex(((XWingPublicKeyParameters) pair.getPublic()).getEncoded()));
            SecretWithEncapsulation sent = new XWingKEMGenerator(new FixedSecureRandom(hex(d.get("eseed"))))
                    .generateEncapsulated(pair.getPublic());
            assertEquals(d.get("ct"), TestData.hex(sent.getEncapsulation()));
            assertEquals(d.get("ss"), TestData.hex(sent.getSecret()));
            assertEquals(
                    d.get("ss"),
                    TestData.hex(new XWingKEMExtractor(new XWingPrivateKeyParameters(seed))
                            .extractSecret(hex(d.get("ct")))));
            // The same through this project's key pair, and its key id (FORMAT.md §9).
            RecipientKeyPair ours = RecipientKeyPair.fromPrivate("draft", Kem.X_WING, seed);
            assertEquals(d.get("pk"), TestData.hex(ours.publicKey().publicKey()));
            byte[] idInput = ByteBuffer.allocate(2 + 1216)
                    .putShort((short) 0x647a)
                    .put(hex(d.get("pk")))
                    .array();
            assertEquals(
                    t.get("keyId"),
                    TestData.hex(
                            Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(idInput), 8)));
            assertEquals(t.get("keyId"), TestData.hex(ours.keyId()));
        }
    }

    @Test
    void recipientLists_acceptedOrRefusedAsRecorded() throws Exception {
        List<Object> tests = tests("RecipientListTest");
        assertEquals(5, tests.size());
        for (Object o : tests) {
            Map<String, Object> t = map(o);
            RecipientListResult.Status status;
            try {
                RecipientLists.verify(
                        new VerifyingKey(hex(t.get("ownerPublicKey"))),
                        (String) t.get("deviceId"),
                        Long.parseUnsignedLong((String) t.get("currentVersion")),
                        hex(t.get("signedList")));
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
        int xWingRecipients = 0;
        for (Object o : tests("ClipTest")) {
            Map<String, Object> t = map(o);
            if (!"valid".equals(t.get("result"))) {
                continue;
            }
            valid++;
            String device = (String) t.get("deviceId");
            byte[] k = hex(t.get("clipKey"));
            byte[] wrapInfo = hex(t.get("wrapInfo"));
            assertArrayEquals(Contexts.wrapInfo(device, ((Number) t.get("clipId")).longValue()), wrapInfo);
            List<byte[]> draws = new ArrayList<>(List.of(k, hex(t.get("noncePrefix"))));
            for (Object ro : list(t.get("recipients"))) {
                draws.add(checkRecipient(map(ro), wrapInfo, k));
                xWingRecipients += "x-wing".equals(map(ro).get("kem")) ? 1 : 0;
            }
            SigningKey deviceKey = SigningKey.fromSeed(hex(t.get("deviceSeed")));
            VerifyingKey owner = new VerifyingKey(hex(t.get("ownerPublicKey")));
            byte[] certificate = hex(t.get("deviceKeyCertificate"));
            RecipientList list = RecipientLists.verify(owner, device, 0, hex(t.get("signedList")));
            InsecureReplayRandom replay = new InsecureReplayRandom(draws.toArray(new byte[0][]));
            ClipSealerV2 sealer =
                    ClipSealerV2.start(new DeviceSigner(device, deviceKey, certificate), list, params(t), replay);
            assertEquals(0, replay.remaining());
            assertEquals(t.get("header"), TestData.hex(sealer.headerBytes()), id(t));
            byte[] headerHash = MessageDigest.getInstance("SHA-256").digest(hex(t.get("header")));
            assertEquals(t.get("headerSha256"), TestData.hex(headerHash));
            for (Object fo : list(t.get("frames"))) {
                Map<String, Object> f = map(fo);
                boolean last = (Boolean) f.get("last");
                assertArrayEquals(
                        hex(f.get("plaintext")),
                        gcmOpen(hex(t.get("aesKey")), hex(f.get("nonce")), hex(f.get("aad")), hex(f.get("sealed"))));
                assertEquals(
                        f.get("sealed"),
                        TestData.hex(sealer.seal(((Number) f.get("ptsUs")).longValue(), hex(f.get("plaintext")), last)
                                .sealed()));
            }
            assertEquals("OK " + list(t.get("frames")).size() + " frames", open(t).summary(), id(t));
        }
        assertEquals(2, valid);
        assertEquals(2, xWingRecipients);
    }

    /**
     * One recipient entry checked independently: its key pair from the private key, and its wrapped key made again
     * from the recorded randomness (X-Wing: BouncyCastle's KEM and the key schedule written out; X25519:
     * BouncyCastle's HPKE directly). Returns that randomness, the sealer's draw for this recipient.
     */
    private static byte[] checkRecipient(Map<String, Object> r, byte[] wrapInfo, byte[] k) throws Exception {
        Kem kem = Kem.byFileName((String) r.get("kem")).orElseThrow();
        RecipientKeyPair pair = RecipientKeyPair.fromPrivate((String) r.get("name"), kem, hex(r.get("privateKey")));
        assertEquals(r.get("publicKey"), TestData.hex(pair.publicKey().publicKey()));
        assertEquals(r.get("keyId"), TestData.hex(pair.keyId()));
        if (kem == Kem.X_WING) {
            byte[] eseed = hex(r.get("eseed"));
            assertEquals(64, eseed.length);
            SecretWithEncapsulation sent = new XWingKEMGenerator(new FixedSecureRandom(eseed))
                    .generateEncapsulated(
                            new XWingPublicKeyParameters(pair.publicKey().publicKey()));
            assertEquals(r.get("enc"), TestData.hex(sent.getEncapsulation()));
            assertEquals(r.get("sharedSecret"), TestData.hex(sent.getSecret()));
            HpkeKeySchedule schedule = HpkeKeySchedule.of(0x647a, sent.getSecret(), wrapInfo);
            assertEquals(r.get("hpkeKey"), TestData.hex(schedule.key()));
            assertEquals(r.get("hpkeBaseNonce"), TestData.hex(schedule.baseNonce()));
            // The first (and only) message of the context: nonce = base_nonce XOR 0.
            assertEquals(r.get("ciphertext"), TestData.hex(gcm(schedule.key(), schedule.baseNonce(), pair.keyId(), k)));
            return eseed;
        }
        byte[] ephemeral = hex(r.get("ephemeralRandom"));
        X25519PrivateKeyParameters skE = new X25519PrivateKeyParameters(ephemeral);
        HPKE x25519 = new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
        var sender = x25519.setupBaseS(
                x25519.deserializePublicKey(pair.publicKey().publicKey()),
                wrapInfo,
                new AsymmetricCipherKeyPair(skE.generatePublicKey(), skE));
        assertEquals(r.get("enc"), TestData.hex(sender.getEncapsulation()));
        assertEquals(r.get("ciphertext"), TestData.hex(sender.seal(pair.keyId(), k)));
        return ephemeral;
    }

    @Test
    void v3Clip_resealedFromTheRecordedDraws_xWingRecipientOpensEveryImage() throws Exception {
        List<Object> tests = tests("ClipV3Test");
        assertEquals(1, tests.size());
        Map<String, Object> t = map(tests.get(0));
        assertEquals(3, ((Number) t.get("formatVersion")).intValue());
        String device = (String) t.get("deviceId");
        long clipId = ((Number) t.get("clipId")).longValue();
        byte[] k = hex(t.get("clipKey"));
        byte[] wrapInfo = hex(t.get("wrapInfo"));
        assertArrayEquals(Contexts.wrapInfo(device, clipId), wrapInfo);
        List<byte[]> draws = new ArrayList<>(List.of(k, hex(t.get("noncePrefix"))));
        int xWing = 0;
        for (Object ro : list(t.get("recipients"))) {
            draws.add(checkRecipient(map(ro), wrapInfo, k));
            xWing += "x-wing".equals(map(ro).get("kem")) ? 1 : 0;
        }
        assertEquals(1, xWing);
        SigningKey deviceKey = SigningKey.fromSeed(hex(t.get("deviceSeed")));
        VerifyingKey owner = new VerifyingKey(hex(t.get("ownerPublicKey")));
        RecipientList list = RecipientLists.verify(owner, device, 0, hex(t.get("signedList")));
        InsecureReplayRandom replay = new InsecureReplayRandom(draws.toArray(new byte[0][]));
        ClipSealerV3 sealer = ClipSealerV3.start(
                new DeviceSigner(device, deviceKey, hex(t.get("deviceKeyCertificate"))),
                list,
                params(t),
                ChainLink.newBuilder()
                        .setPosition(((Number) t.get("chainPosition")).longValue())
                        .build(),
                List.of(),
                ((Number) t.get("padTo")).intValue(),
                replay);
        assertEquals(0, replay.remaining());
        assertEquals(t.get("header"), TestData.hex(sealer.headerBytes()), id(t));
        List<byte[]> images = new ArrayList<>();
        for (Object fo : list(t.get("frames"))) {
            Map<String, Object> f = map(fo);
            FrameFacts facts = new FrameFacts(
                    ((Number) f.get("ptsUs")).longValue(), ((Number) f.get("motionPermille")).intValue(), (Boolean)
                            f.get("ringPressed"));
            byte[] image = hex(f.get("image"));
            images.add(image);
            assertEquals(
                    f.get("sealed"),
                    TestData.hex(
                            sealer.seal(facts, image, (Boolean) f.get("last")).sealed()));
            assertEquals(0, hex(f.get("sealed")).length % 64, "every stored frame is a multiple of pad_to");
        }
        ClipVerdict verdict = open(t);
        assertEquals("OK " + images.size() + " frames", verdict.summary());
        for (int i = 0; i < images.size(); i++) {
            assertArrayEquals(images.get(i), verdict.frames().get(i).image(), "frame " + i);
        }
    }

    @Test
    void invalidClips_giveTheRecordedVerdict() throws Exception {
        List<String> keywords = new ArrayList<>();
        for (Object o : tests("ClipTest")) {
            Map<String, Object> t = map(o);
            if ("invalid".equals(t.get("result"))) {
                ClipVerdict verdict = open(t);
                Map<String, Object> expected = map(t.get("expected"));
                String id = id(t) + ": " + verdict.summary();
                assertEquals(expected.get("status"), verdict.status().name(), id);
                assertEquals(OptionalInt.empty(), verdict.failedSeq(), id);
                assertEquals(expected.get("reasonKeyword"), verdict.keyword(), id);
                keywords.add(verdict.keyword());
            }
        }
        for (String keyword : List.of("bad header", "not a recipient of this clip", "key unwrap failed")) {
            assertTrue(keywords.contains(keyword), "no invalid vector for " + keyword);
        }
    }

    private static ClipVerdict open(Map<String, Object> t) {
        Map<String, Object> opener = map(t.get("opener"));
        RecipientKeyPair pair = RecipientKeyPair.fromPrivate(
                (String) opener.get("recipientName"),
                Kem.byFileName((String) opener.get("recipientKem")).orElseThrow(),
                hex(opener.get("recipientPrivateKey")));
        VerifyingKey owner = new VerifyingKey(hex(opener.get("ownerPublicKey")));
        List<StoredFrameBytes> frames = new ArrayList<>();
        for (Object fo : list(t.get("frames"))) {
            Map<String, Object> f = map(fo);
            frames.add(new StoredFrameBytes(
                    ((Number) f.get("seq")).intValue(),
                    (Boolean) f.get("last"),
                    hex(f.get("meta")),
                    hex(f.get("sealed"))));
        }
        return new ClipOpenerV2(Identity.of(owner, Map.of(), List.of(pair)))
                .open(
                        (String) t.get("storedDeviceId"),
                        ((Number) t.get("storedClipId")).longValue(),
                        hex(t.get("header")),
                        frames);
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

    private static byte[] gcm(byte[] key, byte[] nonce, byte[] aad, byte[] plaintext) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(plaintext);
    }

    private static byte[] gcmOpen(byte[] key, byte[] nonce, byte[] aad, byte[] sealed) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(sealed);
    }

    private static String id(Map<String, Object> t) {
        return "tcId " + t.get("tcId") + " (" + t.get("comment") + ")";
    }

    private static List<Object> tests(String type) throws Exception {
        for (Object g : list(JsonFiles.read(XWingVectorGenerator.FILE).get("testGroups"))) {
            if (type.equals(map(g).get("type"))) {
                return list(map(g).get("tests"));
            }
        }
        throw new AssertionError("no test group " + type);
    }
}
