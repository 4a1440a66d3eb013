package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.GcmProvider;
import dev.doorbell.seal.OpenedFrame;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.keys.internal.Hkdf;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import dev.doorbell.seal.testing.InsecureRecordingRandom;
import dev.doorbell.seal.testing.Reachable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.hpke.HPKE;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ClipSealerV2Test {
    private static final int[] SIZES = {0, 1, 15, 16, 17, 8191, 8193, 65_536, 100_000};

    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("clip-sealer-v2-test"));

    @ParameterizedTest
    @CsvSource({"JCA, JCA", "JCA, BOUNCY_CASTLE", "BOUNCY_CASTLE, JCA"})
    void sealThenOpen_everyRecipientAndTheOwner_roundTrips(GcmProvider sealWith, GcmProvider openWith) {
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(7), world.random, sealWith);
        List<SealedFrame> frames = new ArrayList<>();
        List<byte[]> plaintexts = new ArrayList<>();
        for (int i = 0; i < SIZES.length; i++) {
            byte[] plaintext = new byte[SIZES[i]];
            world.random.nextBytes(plaintext);
            plaintexts.add(plaintext);
            frames.add(sealer.seal(i * 33_333L, plaintext, i == SIZES.length - 1));
        }
        for (Identity identity : List.of(world.ownerIdentity(), world.identityOf(world.alice))) {
            ClipVerdict verdict = new ClipOpenerV2(identity)
                    .withProvider(openWith)
                    .open(V2Fixture.DEVICE, 7, sealer.headerBytes(), frames.toArray(new SealedFrame[0]));
            assertEquals("OK " + SIZES.length + " frames", verdict.summary());
            for (int i = 0; i < SIZES.length; i++) {
                OpenedFrame frame = verdict.frames().get(i);
                assertEquals(i, frame.seq());
                assertEquals(i * 33_333L, frame.ptsMicros());
                assertArrayEquals(plaintexts.get(i), frame.plaintext());
            }
            assertEquals(2, verdict.header().getFormatVersion());
        }
    }

    @Test
    void start_headerIsSignedV2WithOneWrappedKeyPerRecipientInListOrder() throws Exception {
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(9), world.random);
        SignedClipHeader signed = SignedClipHeader.parseFrom(sealer.headerBytes());
        ClipHeader header = ClipHeader.parseFrom(signed.getHeader());
        assertEquals(sealer.header(), header);
        assertEquals(2, header.getFormatVersion());
        assertEquals(V2Fixture.DEVICE, header.getDeviceId());
        assertEquals(9, header.getClipId());
        assertEquals(0, header.getKeyEpoch());
        assertTrue(header.getSalt().isEmpty());
        assertEquals(7, header.getNoncePrefix().size());
        assertEquals(32, header.getKeyCommitment().size());
        assertEquals(1, header.getRecipientListVersion());
        assertArrayEquals(world.certificate, header.getDeviceKeyCertificate().toByteArray());
        assertEquals(2, header.getWrappedKeysCount());
        List<RecipientKeyPair> inOrder = List.of(world.ownerViewer, world.alice);
        for (int i = 0; i < 2; i++) {
            WrappedKey w = header.getWrappedKeys(i);
            assertArrayEquals(inOrder.get(i).keyId(), w.getRecipientKeyId().toByteArray());
            assertEquals(0x0020, w.getKem());
            assertEquals(32, w.getEnc().size());
            assertEquals(48, w.getCiphertext().size());
        }
        assertTrue(world.deviceKey
                .publicKey()
                .verify(
                        Contexts.CLIP_HEADER,
                        signed.getHeader().toByteArray(),
                        signed.getSignature().toByteArray()));
        assertEquals(2, HeaderFormat.version(sealer.headerBytes()));
    }

    /**
     * The clip key unwrapped with BouncyCastle's HPKE directly, the AES key and commitment derived with the info
     * written out here, and every frame opened with the plain JCA under the nonce and AAD of v1 (docs/FORMAT.md §4).
     */
    @Test
    void frames_nonceAadAndCommitmentExactlyAsV1_fromTheUnwrappedKey() throws Exception {
        V2Fixture.Clip clip = world.seal(1_700_000_000_123L, 5, 0, 300);
        long clipId = 1_700_000_000_123L;
        ClipHeader header = V2Fixture.inner(clip.header());
        byte[] info = concat(
                "doorbell/v2/wrap".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0},
                "front-door".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0},
                ByteBuffer.allocate(8).putLong(clipId).array());
        WrappedKey forAlice = header.getWrappedKeys(1);
        HPKE hpke = new HPKE(HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_AES_GCM256);
        byte[] k = hpke.open(
                forAlice.getEnc().toByteArray(),
                hpke.deserializePrivateKey(
                        world.alice.privateKey(), world.alice.publicKey().publicKey()),
                info,
                world.alice.keyId(),
                forAlice.getCiphertext().toByteArray(),
                null,
                null,
                null);
        assertEquals(32, k.length);
        byte[] clipKeyInfo = concat(
                "doorbell/v2/clip-key".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0},
                "front-door".getBytes(StandardCharsets.US_ASCII),
                new byte[] {0},
                ByteBuffer.allocate(8).putLong(clipId).array());
        byte[] okm = Hkdf.sha256(k, null, clipKeyInfo, 64);
        assertArrayEquals(
                Arrays.copyOfRange(okm, 32, 64), header.getKeyCommitment().toByteArray());
        byte[] headerHash = MessageDigest.getInstance("SHA-256").digest(clip.header());
        SecretKeySpec aesKey = new SecretKeySpec(Arrays.copyOf(okm, 32), "AES");
        for (SealedFrame f : clip.frames()) {
            byte[] position = ByteBuffer.allocate(5)
                    .putInt(f.seq())
                    .put((byte) (f.last() ? 1 : 0))
                    .array();
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(
                    Cipher.DECRYPT_MODE,
                    aesKey,
                    new GCMParameterSpec(128, concat(header.getNoncePrefix().toByteArray(), position)));
            cipher.updateAAD(concat(headerHash, position, f.meta()));
            assertArrayEquals(clip.plaintexts().get(f.seq()), cipher.doFinal(f.sealed()), "frame " + f.seq());
        }
    }

    @Test
    void start_freshClipKeyAndPrefixEveryClip() {
        ClipHeader first = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(3), world.random)
                .header();
        ClipHeader second = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(3), world.random)
                .header();
        assertNotEquals(first.getKeyCommitment(), second.getKeyCommitment());
        assertNotEquals(first.getNoncePrefix(), second.getNoncePrefix());
        assertNotEquals(
                first.getWrappedKeys(0).getEnc(), second.getWrappedKeys(0).getEnc());
    }

    /** The random source hands its caller's own arrays to nextBytes: the first one is the clip key k itself. */
    @Test
    void start_clipKeyZeroedBeforeStartReturns_aesKeyAfterTheFinalFrame() {
        InsecureRecordingRandom recording = new InsecureRecordingRandom(world.random);
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(4), recording);
        byte[] k = recording.arrays().get(0);
        assertEquals(32, k.length);
        assertFalse(V2Fixture.allZero(recording.draws().get(0)), "k was drawn");
        assertTrue(V2Fixture.allZero(k), "k is zeroed once wrapped and derived");
        assertEquals(7, recording.arrays().get(1).length, "then the nonce prefix");
        assertEquals(2 + 2, recording.arrays().size(), "then one ephemeral key per recipient");
        assertTrue(V2Fixture.allZero(recording.arrays().get(2)), "the ephemeral keys are zeroed too");
        assertEquals(4, sealer.clipId());
        sealer.seal(0, new byte[10], false);
        assertFalse(sealer.isKeyDestroyed(), "the AES key is needed until the final frame");
        assertFalse(sealer.isFinished());
        assertEquals(1, sealer.nextSeq());
        sealer.seal(1, new byte[10], true);
        assertTrue(sealer.isKeyDestroyed());
        assertTrue(sealer.isFinished());
        assertThrows(IllegalStateException.class, () -> sealer.seal(2, new byte[1], true));
    }

    /**
     * A finished sealer reaches neither the clip key, nor the AES key, nor any JCA object made from it (a
     * SecretKeySpec keeps its own copy, which JDK 17 cannot erase; the sealer must at least let go of it). Before the
     * final frame the same search finds the SecretKeySpec, so it can see one.
     */
    @Test
    void finishedSealer_reachesNoKeyNorJcaKeyObject() throws Exception {
        InsecureRecordingRandom recording = new InsecureRecordingRandom(world.random);
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(6), recording);
        byte[] k = recording.draws().get(0);
        byte[] aesKey = Arrays.copyOf(Hkdf.sha256(k, null, Contexts.clipKeyInfo(V2Fixture.DEVICE, 6), 64), 32);
        sealer.seal(0, new byte[10], false);
        Reachable open = Reachable.from(sealer);
        assertTrue(
                open.classesIn("javax.crypto.").contains("javax.crypto.spec.SecretKeySpec"),
                open.classes().toString());
        assertTrue(open.byteArrays().stream().anyMatch(b -> Arrays.equals(b, aesKey)), "the AES key while in use");
        sealer.seal(1, new byte[10], true);
        Reachable finished = Reachable.from(sealer);
        assertEquals(List.of(), finished.classesIn("javax.crypto."));
        for (byte[] b : finished.byteArrays()) {
            assertFalse(Arrays.equals(b, aesKey) || Arrays.equals(b, k), "a key is still reachable");
        }
    }

    @Test
    void abandon_erasesTheKeyOfAClipWithoutFinalFrame() {
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(5), world.random);
        sealer.seal(0, new byte[3], false);
        sealer.abandon();
        assertTrue(sealer.isKeyDestroyed());
        assertTrue(sealer.isFinished());
        assertThrows(IllegalStateException.class, () -> sealer.seal(1, new byte[1], true));
    }

    @Test
    void removedRecipient_cannotOpenClipsMadeWithTheNewList_addedOneCan() {
        V2Fixture.Clip before = world.seal(1, 10);
        RecipientList withoutAlice = world.list(2, world.ownerViewer, world.bob);
        V2Fixture.Clip after = world.seal(world.signer, withoutAlice, 2, 10);
        ClipOpenerV2 alice = new ClipOpenerV2(world.identityOf(world.alice));
        ClipOpenerV2 bob = new ClipOpenerV2(world.identityOf(world.bob));
        assertEquals(
                "OK 1 frames",
                alice.open(V2Fixture.DEVICE, 1, before.header(), before.stored())
                        .summary());
        ClipVerdict refused = alice.open(V2Fixture.DEVICE, 2, after.header(), after.stored());
        assertEquals("not a recipient of this clip", refused.keyword(), refused.summary());
        assertTrue(refused.frames().isEmpty());
        assertEquals(
                "OK 1 frames",
                bob.open(V2Fixture.DEVICE, 2, after.header(), after.stored()).summary());
        assertEquals(
                "not a recipient of this clip",
                bob.open(V2Fixture.DEVICE, 1, before.header(), before.stored()).keyword());
    }

    @Test
    void start_signerListAndClipOfDifferentDevices_refused() {
        DeviceSigner other = new DeviceSigner("back-door", world.deviceKey, world.certificate);
        assertThrows(
                IllegalArgumentException.class,
                () -> ClipSealerV2.start(other, world.list, V2Fixture.params(1), world.random));
        RecipientList otherList =
                world.list.toBuilder().setDeviceId("back-door").build();
        assertThrows(
                IllegalArgumentException.class,
                () -> ClipSealerV2.start(world.signer, otherList, V2Fixture.params(1), world.random));
        RecipientList empty = world.list.toBuilder().clearRecipients().build();
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ClipSealerV2.start(world.signer, empty, V2Fixture.params(1), world.random));
        assertTrue(e.getMessage().contains("0 recipients"), e.getMessage());
    }

    @Test
    void toString_namesTheClipAndNoKey() {
        ClipSealerV2 sealer = ClipSealerV2.start(world.signer, world.list, V2Fixture.params(5), world.random);
        assertEquals(
                "ClipSealerV2{device=front-door, clip=5, recipients=2, list version 1, nextSeq=0}", sealer.toString());
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer out =
                ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
