package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static dev.doorbell.seal.v2.V2VectorsTest.ascii;
import static dev.doorbell.seal.v2.V2VectorsTest.concat;
import static dev.doorbell.seal.v2.V2VectorsTest.id;
import static dev.doorbell.seal.v2.V2VectorsTest.u64;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.ClipInfo;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.FrameInfo;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.testing.InsecureReplayRandom;
import dev.doorbell.seal.testing.JsonFiles;
import dev.doorbell.seal.testing.TestData;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.params.HKDFParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

/**
 * Known answers for format v3: testdata/vectors/v3/seal_v3_vectors.json is what {@link V3VectorGenerator} makes, and
 * every value in it is derived again here, through the real code (ClipSealerV3 with the recorded draws replayed,
 * ClipOpenerV2) and independently from the byte strings of docs/FORMAT.md §17 with BouncyCastle's HKDF, HPKE and
 * Ed25519 and the JCA's AES-GCM. Invalid vectors give the recorded verdict.
 */
class V3VectorsTest {
    /** The fields a v3 header may hold (docs/FORMAT.md §17): everything else of ClipHeader is absent. */
    private static final Set<Integer> V3_HEADER_FIELDS = Set.of(1, 2, 3, 6, 13, 20, 21, 22, 23, 24);

    @Test
    void file_equalsWhatTheGeneratorProduces() throws Exception {
        V2VectorsTest.assertFresh(V3VectorGenerator.FILE, JsonFiles.write(new V3VectorGenerator().generate()));
    }

    @Test
    void validClips_resealedFromTheRecordedDrawsAndCheckedIndependently() throws Exception {
        int valid = 0;
        Set<Long> padding = new TreeSet<>();
        for (Object o : tests("ClipTest")) {
            Map<String, Object> t = map(o);
            if (!"valid".equals(t.get("result"))) {
                continue;
            }
            valid++;
            String device = (String) t.get("deviceId");
            long clipId = ((Number) t.get("clipId")).longValue();
            assertTrue(clipId > 0, id(t));
            byte[] k = hex(t.get("clipKey"));
            byte[] clipKeyInfo =
                    concat(ascii("doorbell/v3/clip-key"), new byte[] {0}, ascii(device), new byte[] {0}, u64(clipId));
            assertEquals(t.get("clipKeyInfo"), TestData.hex(clipKeyInfo));
            byte[] okm = hkdf(k, clipKeyInfo, 96);
            assertEquals(t.get("aesKey"), TestData.hex(Arrays.copyOf(okm, 32)));
            assertEquals(t.get("commitment"), TestData.hex(Arrays.copyOfRange(okm, 32, 64)));
            assertEquals(t.get("infoKey"), TestData.hex(Arrays.copyOfRange(okm, 64, 96)));

            ClipInfo info = clipInfo(map(t.get("clipInfo")));
            byte[] infoBytes = info.toByteArray();
            assertEquals(t.get("clipInfoBytes"), TestData.hex(infoBytes));
            int infoTotal = (4 + infoBytes.length + 63) / 64 * 64;
            byte[] infoPlaintext = ByteBuffer.allocate(infoTotal)
                    .putInt(infoBytes.length)
                    .put(infoBytes)
                    .array();
            assertEquals(t.get("clipInfoPlaintext"), TestData.hex(infoPlaintext));
            byte[] infoAad =
                    concat(ascii("doorbell/v3/clip-info"), new byte[] {0}, ascii(device), new byte[] {0}, u64(clipId));
            assertEquals(t.get("clipInfoAad"), TestData.hex(infoAad));
            assertEquals(
                    t.get("sealedInfo"),
                    TestData.hex(
                            gcm(Cipher.ENCRYPT_MODE, hex(t.get("infoKey")), new byte[12], infoAad, infoPlaintext)));

            byte[] wrapInfo =
                    concat(ascii("doorbell/v2/wrap"), new byte[] {0}, ascii(device), new byte[] {0}, u64(clipId));
            assertEquals(t.get("wrapInfo"), TestData.hex(wrapInfo));
            List<byte[]> draws = V2VectorsTest.wrappedKeysRederived(t, k, wrapInfo);

            byte[] header = hex(t.get("header"));
            SignedClipHeader signed = SignedClipHeader.parseFrom(header);
            byte[] inner = signed.getHeader().toByteArray();
            assertEquals(t.get("innerHeader"), TestData.hex(inner));
            Ed25519Signer verifier = new Ed25519Signer();
            verifier.init(false, new Ed25519PublicKeyParameters(hex(t.get("devicePublicKey"))));
            byte[] signedBytes = concat(ascii("doorbell/v2/clip-header"), new byte[] {0}, inner);
            verifier.update(signedBytes, 0, signedBytes.length);
            assertTrue(verifier.verifySignature(signed.getSignature().toByteArray()), id(t));
            assertEquals(
                    t.get("headerSignature"), TestData.hex(signed.getSignature().toByteArray()));
            ClipHeader h = ClipHeader.parseFrom(inner);
            Set<Integer> present = new TreeSet<>();
            for (FieldDescriptor f : h.getAllFields().keySet()) {
                present.add(f.getNumber());
            }
            assertEquals(V3_HEADER_FIELDS, present, id(t));
            assertEquals(3, h.getFormatVersion());
            assertEquals(clipId, h.getClipId());
            assertEquals(t.get("noncePrefix"), TestData.hex(h.getNoncePrefix().toByteArray()));
            assertEquals(t.get("commitment"), TestData.hex(h.getKeyCommitment().toByteArray()));
            assertEquals(t.get("sealedInfo"), TestData.hex(h.getSealedInfo().toByteArray()));
            ChainLink chain = chain(map(t.get("chain")));
            assertEquals(chain, h.getChain(), id(t));
            byte[] headerHash = MessageDigest.getInstance("SHA-256").digest(header);
            assertEquals(t.get("headerSha256"), TestData.hex(headerHash));

            SigningKey deviceKey = SigningKey.fromSeed(hex(t.get("deviceSeed")));
            byte[] certificate = hex(t.get("deviceKeyCertificate"));
            VerifyingKey owner = new VerifyingKey(hex(t.get("ownerPublicKey")));
            RecipientList recipients = RecipientLists.verify(owner, device, 0, hex(t.get("signedList")));
            InsecureReplayRandom replay = new InsecureReplayRandom(draws.toArray(new byte[0][]));
            ClipSealerV3 sealer = ClipSealerV3.start(
                    new DeviceSigner(device, deviceKey, certificate),
                    recipients,
                    params(device, clipId, info),
                    chain,
                    info.getRingUnixMsList(),
                    info.getPadTo(),
                    replay);
            assertEquals(0, replay.remaining());
            assertArrayEquals(header, sealer.headerBytes(), id(t));

            int padTo = info.getPadTo();
            padding.add((long) padTo);
            List<Object> frames = list(t.get("frames"));
            for (Object fo : frames) {
                Map<String, Object> f = map(fo);
                int seq = ((Number) f.get("seq")).intValue();
                boolean last = (Boolean) f.get("last");
                byte[] image = hex(f.get("image"));
                FrameFacts facts = new FrameFacts(
                        ((Number) f.get("ptsUs")).longValue(), ((Number) f.get("motionPermille")).intValue(), (Boolean)
                                f.get("ringPressed"));
                byte[] frameInfo = FrameInfo.newBuilder()
                        .setPtsUs(facts.ptsMicros())
                        .setImageLength(image.length)
                        .setMotionPermille(facts.motionPermille())
                        .setRingPressed(facts.ringPressed())
                        .build()
                        .toByteArray();
                assertEquals(f.get("frameInfo"), TestData.hex(frameInfo));
                int content = 4 + frameInfo.length + image.length + 16;
                int sealedLength = padTo == 0 ? content : (content + padTo - 1) / padTo * padTo;
                byte[] plaintext = ByteBuffer.allocate(sealedLength - 16)
                        .putInt(frameInfo.length)
                        .put(frameInfo)
                        .put(image)
                        .array();
                assertEquals(f.get("plaintext"), TestData.hex(plaintext));
                assertEquals("", f.get("meta"));
                byte[] position = ByteBuffer.allocate(5)
                        .putInt(seq)
                        .put((byte) (last ? 1 : 0))
                        .array();
                byte[] nonce = concat(hex(t.get("noncePrefix")), position);
                byte[] aad = concat(headerHash, position);
                assertEquals(f.get("nonce"), TestData.hex(nonce));
                assertEquals(f.get("aad"), TestData.hex(aad));
                byte[] sealed = hex(f.get("sealed"));
                assertEquals(sealedLength, sealed.length);
                assertArrayEquals(
                        plaintext, gcm(Cipher.DECRYPT_MODE, hex(t.get("aesKey")), nonce, aad, sealed), "frame " + seq);
                SealedFrame resealed = sealer.seal(facts, image, last);
                assertEquals(0, resealed.meta().length);
                assertEquals(f.get("sealed"), TestData.hex(resealed.sealed()));
            }

            ClipVerdict verdict = V2VectorsTest.open(t);
            assertEquals("OK " + frames.size() + " frames", verdict.summary(), id(t));
            assertEquals(info, verdict.info().orElseThrow());
            for (int i = 0; i < frames.size(); i++) {
                Map<String, Object> f = map(frames.get(i));
                OpenedFrame opened = verdict.frames().get(i);
                assertEquals(f.get("image"), TestData.hex(opened.image()));
                assertEquals(((Number) f.get("ptsUs")).longValue(), opened.ptsMicros());
                assertEquals(((Number) f.get("motionPermille")).intValue(), opened.motionPermille());
                assertEquals(f.get("ringPressed"), opened.ringPressed());
            }
        }
        assertEquals(3, valid);
        assertEquals(Set.of(0L, 64L, 4096L), padding);
    }

    @Test
    void invalidClips_giveTheRecordedVerdict_oneForEveryKeywordOfV3() throws Exception {
        List<String> keywords = new ArrayList<>();
        for (Object o : tests("ClipTest")) {
            Map<String, Object> t = map(o);
            if ("invalid".equals(t.get("result"))) {
                V2VectorsTest.assertVerdict(t, V2VectorsTest.open(t));
                keywords.add((String) map(t.get("expected")).get("reasonKeyword"));
            }
        }
        for (String keyword : List.of(
                "bad header",
                "bad clip info",
                "bad frame info",
                "bad padding",
                "bad metadata",
                "authentication failed",
                "no final frame")) {
            assertTrue(keywords.contains(keyword), "no invalid vector for " + keyword);
        }
    }

    @Test
    void padding_sealedLengthsAndRefusals() throws Exception {
        int valid = 0;
        for (Object o : tests("PaddingTest")) {
            Map<String, Object> t = map(o);
            long padTo = ((Number) t.get("padTo")).longValue();
            if ("valid".equals(t.get("result"))) {
                valid++;
                int info = ((Number) t.get("frameInfoLength")).intValue();
                int image = ((Number) t.get("imageLength")).intValue();
                long content = 4L + info + image + 16;
                long expected = padTo == 0 ? content : (content + padTo - 1) / padTo * padTo;
                assertEquals(expected, ((Number) t.get("sealedLength")).longValue(), id(t));
                assertEquals(expected, Padding.sealedLength((int) padTo, info, image), id(t));
            } else {
                assertFalse(Padding.isValid(padTo), id(t));
                if (padTo <= Integer.MAX_VALUE) {
                    assertThrows(IllegalArgumentException.class, () -> Padding.check((int) padTo), id(t));
                }
            }
        }
        assertEquals(8, valid);
    }

    private static ClipInfo clipInfo(Map<String, Object> m) {
        ClipInfo.Builder b = ClipInfo.newBuilder()
                .setTriggerValue(((Number) m.get("trigger")).intValue())
                .setCodecValue(((Number) m.get("codec")).intValue())
                .setWidth(((Number) m.get("width")).intValue())
                .setHeight(((Number) m.get("height")).intValue())
                .setFps(((Number) m.get("fps")).intValue())
                .setStartTimeUnixMs(((Number) m.get("startTimeUnixMs")).longValue())
                .setPreRollMs(((Number) m.get("preRollMs")).intValue())
                .setPadTo(((Number) m.get("padTo")).intValue());
        for (Object ring : list(m.get("ringUnixMs"))) {
            b.addRingUnixMs(((Number) ring).longValue());
        }
        return b.build();
    }

    private static ChainLink chain(Map<String, Object> m) {
        return ChainLink.newBuilder()
                .setPosition(((Number) m.get("position")).longValue())
                .setPrevClipId(((Number) m.get("prevClipId")).longValue())
                .setPrevHeaderSha256(ByteString.copyFrom(hex(m.get("prevHeaderSha256"))))
                .setPrevAcknowledgedFrames(((Number) m.get("prevAcknowledgedFrames")).intValue())
                .setPrevFinalAcknowledged((Boolean) m.get("prevFinalAcknowledged"))
                .build();
    }

    private static ClipParams params(String device, long clipId, ClipInfo info) {
        return new ClipParams(
                device,
                clipId,
                Trigger.forNumber(info.getTriggerValue()),
                Codec.forNumber(info.getCodecValue()),
                info.getWidth(),
                info.getHeight(),
                info.getFps(),
                info.getStartTimeUnixMs(),
                info.getPreRollMs());
    }

    private static byte[] hkdf(byte[] ikm, byte[] info, int length) {
        HKDFBytesGenerator generator = new HKDFBytesGenerator(new SHA256Digest());
        generator.init(new HKDFParameters(ikm, null, info));
        byte[] out = new byte[length];
        generator.generateBytes(out, 0, length);
        return out;
    }

    private static byte[] gcm(int mode, byte[] key, byte[] nonce, byte[] aad, byte[] input) throws Exception {
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(mode, new SecretKeySpec(key, "AES"), new GCMParameterSpec(128, nonce));
        cipher.updateAAD(aad);
        return cipher.doFinal(input);
    }

    private static List<Object> tests(String type) throws Exception {
        for (Object g : list(JsonFiles.read(V3VectorGenerator.FILE).get("testGroups"))) {
            if (type.equals(map(g).get("type"))) {
                return list(map(g).get("tests"));
            }
        }
        throw new AssertionError("no test group " + type);
    }
}
