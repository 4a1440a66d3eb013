package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipHoles;
import dev.doorbell.seal.ClipOpener;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.FrameHole;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Every verdict keyword of docs/FORMAT.md §15 from a clip crafted to earn it, and the order in which they win. */
class ClipOpenerV2Test {
    private static final long CLIP = 42;

    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("clip-opener-v2-test"));
    private final V2Fixture.Clip clip = world.seal(CLIP, 20, 30, 40);
    private final ClipOpenerV2 owner = new ClipOpenerV2(world.ownerIdentity());
    private final ClipOpenerV2 alice = new ClipOpenerV2(world.identityOf(world.alice));

    @Test
    void validClip_okForOwnerAndViewer() {
        assertEquals(
                "OK 3 frames",
                owner.open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored()).summary());
        assertEquals(
                "OK 3 frames",
                alice.open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored()).summary());
    }

    @Test
    void badHeader_unparsableWrongVersionOrSizes() {
        assertBadHeader("not a parsable SignedClipHeader", new byte[] {0x0a, 0x05, 1});
        assertBadHeader(
                "not a parsable SignedClipHeader around a ClipHeader",
                V2Fixture.outerChanged(clip.header(), b -> b.setHeader(ByteString.copyFrom(new byte[] {0x08}))));
        SigningKey device = world.deviceKey;
        assertBadHeader(
                "format_version 4, expected 2 or 3",
                V2Fixture.resigned(clip.header(), device, h -> h.setFormatVersion(4)));
        assertBadHeader(
                "format_version 1, expected 2 or 3",
                V2Fixture.resigned(clip.header(), device, h -> h.setFormatVersion(1)));
        assertBadHeader(
                "signature is 63 bytes, expected 64",
                V2Fixture.outerChanged(
                        clip.header(), b -> b.setSignature(b.getSignature().substring(0, 63))));
        assertBadHeader(
                "nonce_prefix is 6 bytes, expected 7",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setNoncePrefix(h.getNoncePrefix().substring(1))));
        assertBadHeader(
                "key_commitment is 31 bytes, expected 32",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setKeyCommitment(h.getKeyCommitment().substring(1))));
        assertBadHeader(
                "salt (32 bytes) and key_epoch (0) are v1 fields",
                V2Fixture.resigned(clip.header(), device, h -> h.setSalt(ByteString.copyFrom(new byte[32]))));
        assertBadHeader(
                "salt (0 bytes) and key_epoch (1) are v1 fields",
                V2Fixture.resigned(clip.header(), device, h -> h.setKeyEpoch(1)));
        assertBadHeader(
                "no device_key_certificate",
                V2Fixture.resigned(clip.header(), device, ClipHeader.Builder::clearDeviceKeyCertificate));
        assertBadHeader(
                "recipient_list_version 0",
                V2Fixture.resigned(clip.header(), device, h -> h.setRecipientListVersion(0)));
        assertBadHeader(
                "0 wrapped keys; a header has 1 to 64",
                V2Fixture.resigned(clip.header(), device, ClipHeader.Builder::clearWrappedKeys));
        assertBadHeader(
                "wrapped key 2 has an enc of 31 bytes, expected 32",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setWrappedKeys(
                                1, wrapped(h, 1).setEnc(wrapped(h, 1).getEnc().substring(1)))));
        assertBadHeader(
                "wrapped key 2 has a ciphertext of 47 bytes, expected 48",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setWrappedKeys(
                                1,
                                wrapped(h, 1)
                                        .setCiphertext(
                                                wrapped(h, 1).getCiphertext().substring(1)))));
        assertBadHeader(
                "wrapped key 2 has kem 0x0021, expected 0x0020 (x25519) or 0x647a (x-wing)",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setWrappedKeys(1, wrapped(h, 1).setKem(0x0021))));
        // An X25519 wrapped key relabelled X-Wing: the enc must then be X-Wing's 1120 bytes.
        assertBadHeader(
                "wrapped key 2 has an enc of 32 bytes, expected 1120 for kem 0x647a (x-wing)",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setWrappedKeys(1, wrapped(h, 1).setKem(0x647a))));
        assertBadHeader(
                "wrapped key 2 has a key id of 7 bytes, expected 8",
                V2Fixture.resigned(
                        clip.header(),
                        device,
                        h -> h.setWrappedKeys(1, wrapped(h, 1).setRecipientKeyId(ByteString.copyFrom(new byte[7])))));
        assertBadHeader("66 wrapped keys; a header has 1 to 64", V2Fixture.resigned(clip.header(), device, h -> {
            for (int i = 0; i < 64; i++) {
                h.addWrappedKeys(wrapped(h, 0));
            }
            return h;
        }));
    }

    @Test
    void headerOfAnotherDeviceOrClip() {
        ClipVerdict device = owner.open("back-door", CLIP, clip.header(), clip.stored());
        assertEquals("header names another device", device.keyword(), device.summary());
        ClipVerdict other = owner.open(V2Fixture.DEVICE, CLIP + 1, clip.header(), clip.stored());
        assertEquals("header names another clip", other.keyword(), other.summary());
    }

    /**
     * The uplink knows every recipient's public key (it relays the lists) and the device's certificate (it is in
     * every header). It seals its own clip to the recipients and signs the header with a key of its own: with the
     * genuine certificate, the signature fails; with a certificate it signed itself, the certificate does. Either
     * way neither the owner nor a viewer accepts the clip as the device's.
     */
    @Test
    void uplinkForgery_headerSignedByAKeyThatOnlyKnowsPublicKeys_refused() {
        SigningKey uplinkKey = SigningKey.generate(world.random);
        DeviceSigner withGenuineCertificate = new DeviceSigner(V2Fixture.DEVICE, uplinkKey, world.certificate);
        V2Fixture.Clip forged = world.seal(withGenuineCertificate, world.list, CLIP, 10);
        for (ClipOpenerV2 opener : List.of(owner, alice)) {
            ClipVerdict v = opener.open(V2Fixture.DEVICE, CLIP, forged.header(), forged.stored());
            assertEquals("bad signature", v.keyword(), v.summary());
            assertTrue(v.frames().isEmpty());
        }
        SigningKey uplinkOwner = SigningKey.generate(world.random);
        byte[] ownCertificate = DeviceKeyCertificates.issue(uplinkOwner, V2Fixture.DEVICE, uplinkKey.publicKey(), 1);
        V2Fixture.Clip selfCertified =
                world.seal(new DeviceSigner(V2Fixture.DEVICE, uplinkKey, ownCertificate), world.list, CLIP, 10);
        for (ClipOpenerV2 opener : List.of(owner, alice)) {
            ClipVerdict v = opener.open(V2Fixture.DEVICE, CLIP, selfCertified.header(), selfCertified.stored());
            assertEquals("unknown device key", v.keyword(), v.summary());
        }
        byte[] recertifiedHeader = V2Fixture.resigned(
                clip.header(), uplinkKey, h -> h.setDeviceKeyCertificate(ByteString.copyFrom(ownCertificate)));
        assertHeader("unknown device key", recertifiedHeader);
    }

    @Test
    void unknownDeviceKey_certificateOfAnotherDeviceOrUnparsable() {
        byte[] otherDevice = DeviceKeyCertificates.issue(world.owner, "back-door", world.deviceKey.publicKey(), 1);
        assertHeader(
                "unknown device key",
                V2Fixture.resigned(
                        clip.header(),
                        world.deviceKey,
                        h -> h.setDeviceKeyCertificate(ByteString.copyFrom(otherDevice))));
        assertHeader(
                "unknown device key",
                V2Fixture.resigned(
                        clip.header(),
                        world.deviceKey,
                        h -> h.setDeviceKeyCertificate(ByteString.copyFrom(new byte[] {1, 2, 3}))));
    }

    @Test
    void certifiedButNotThePairedKey_refusedByTheOwnerOnly() {
        SigningKey second = SigningKey.generate(world.random);
        byte[] certificate = DeviceKeyCertificates.issue(world.owner, V2Fixture.DEVICE, second.publicKey(), 2);
        V2Fixture.Clip other =
                world.seal(new DeviceSigner(V2Fixture.DEVICE, second, certificate), world.list, CLIP, 10);
        ClipVerdict byOwner = owner.open(V2Fixture.DEVICE, CLIP, other.header(), other.stored());
        assertEquals("signed with a key other than the one paired", byOwner.keyword(), byOwner.summary());
        // A viewer holds no pairing records: the owner's certificate is all it can check.
        assertEquals(
                "OK 1 frames",
                alice.open(V2Fixture.DEVICE, CLIP, other.header(), other.stored())
                        .summary());
    }

    @Test
    void badSignature_flippedSignatureBitOrUnsignedChange() {
        assertHeader("bad signature", V2Fixture.outerChanged(clip.header(), b -> {
            byte[] sig = b.getSignature().toByteArray();
            sig[10] ^= 4;
            return b.setSignature(ByteString.copyFrom(sig));
        }));
        assertHeader("bad signature", unsignedChange(h -> h.setWidth(1920)));
        assertHeader("bad signature", unsignedChange(h -> h.setRecipientListVersion(7)));
    }

    @Test
    void notARecipient_keyIdNotInTheHeader() {
        ClipVerdict v = new ClipOpenerV2(world.identityOf(world.bob))
                .open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored());
        assertEquals("not a recipient of this clip", v.keyword(), v.summary());
        assertEquals(OptionalInt.empty(), v.failedSeq());
    }

    @Test
    void keyUnwrapFailed_wrappedKeyAlteredOrMovedToAnotherClip() {
        assertHeader("key unwrap failed", V2Fixture.resigned(clip.header(), world.deviceKey, h -> {
            byte[] ct = wrapped(h, 0).getCiphertext().toByteArray();
            ct[5] ^= 1;
            h.setWrappedKeys(0, wrapped(h, 0).setCiphertext(ByteString.copyFrom(ct)));
            byte[] ct1 = wrapped(h, 1).getCiphertext().toByteArray();
            ct1[5] ^= 1;
            return h.setWrappedKeys(1, wrapped(h, 1).setCiphertext(ByteString.copyFrom(ct1)));
        }));
        // Another clip's wrapped keys: HPKE's info binds device and clip id, so they do not open here.
        ClipHeader another = V2Fixture.inner(world.seal(CLIP + 1, 1).header());
        assertHeader(
                "key unwrap failed",
                V2Fixture.resigned(
                        clip.header(),
                        world.deviceKey,
                        h -> h.clearWrappedKeys().addAllWrappedKeys(another.getWrappedKeysList())));
    }

    @Test
    void keyCommitmentMismatch_commitmentChangedAndSigned() {
        assertHeader("key commitment mismatch", V2Fixture.resigned(clip.header(), world.deviceKey, h -> {
            byte[] c = h.getKeyCommitment().toByteArray();
            c[0] ^= 1;
            return h.setKeyCommitment(ByteString.copyFrom(c));
        }));
    }

    @Test
    void frames_exactlyTheV1Verdicts() {
        List<StoredFrameBytes> frames = clip.stored();
        List<StoredFrameBytes> flipped = new ArrayList<>(frames);
        byte[] sealed = frames.get(1).sealed().clone();
        sealed[3] ^= 1;
        flipped.set(1, new StoredFrameBytes(1, false, frames.get(1).meta(), sealed));
        assertFrames("TAMPERED", 1, "authentication failed", flipped);
        assertFrames("TRUNCATED", null, "no final frame", frames.subList(0, 2));
        List<StoredFrameBytes> swapped = new ArrayList<>(frames);
        Collections.swap(swapped, 1, 2);
        assertFrames("TAMPERED", 1, "frames out of order", swapped);
        List<StoredFrameBytes> gap = new ArrayList<>(List.of(frames.get(0), frames.get(2)));
        assertFrames("TAMPERED", 1, "frame missing", gap);
        List<StoredFrameBytes> twice = new ArrayList<>(frames);
        twice.add(1, frames.get(0));
        assertFrames("TAMPERED", 0, "duplicate frame", twice);
        ClipVerdict damaged = alice.open(
                V2Fixture.DEVICE,
                CLIP,
                clip.header(),
                gap,
                new ClipHoles(null, List.of(new FrameHole(0, 2, "damaged range segment 0000000001 offsets 1..2"))));
        assertEquals("DAMAGED at frame 1: frame missing", damaged.summary().substring(0, 33), damaged.summary());
        assertEquals(2, damaged.frames().size());
        ClipVerdict noHeader = alice.open(V2Fixture.DEVICE, CLIP, null, frames, ClipHoles.NONE);
        assertEquals("no header", noHeader.keyword());
    }

    /** When a header has several faults, the first in the order of docs/FORMAT.md §15 is the verdict. */
    @Test
    void order_firstFaultWins() {
        byte[] anotherDeviceAndBadSignature = V2Fixture.outerChanged(
                V2Fixture.resigned(clip.header(), world.deviceKey, h -> h.setDeviceId("back-door")),
                b -> b.setSignature(ByteString.copyFrom(new byte[64])));
        ClipVerdict v = owner.open(V2Fixture.DEVICE, CLIP, anotherDeviceAndBadSignature, clip.stored());
        assertEquals("header names another device", v.keyword(), v.summary());
        byte[] badSizeAndOtherClip = V2Fixture.resigned(
                clip.header(), world.deviceKey, h -> h.setClipId(1).setKeyEpoch(3));
        assertHeader("bad header", badSizeAndOtherClip);
        SigningKey stranger = SigningKey.generate(world.random);
        byte[] strangerCertificate = DeviceKeyCertificates.issue(stranger, V2Fixture.DEVICE, stranger.publicKey(), 1);
        byte[] unknownKeyAndBadSignature = V2Fixture.outerChanged(
                V2Fixture.resigned(
                        clip.header(),
                        stranger,
                        h -> h.setDeviceKeyCertificate(ByteString.copyFrom(strangerCertificate))),
                b -> b.setSignature(ByteString.copyFrom(new byte[64])));
        assertHeader("unknown device key", unknownKeyAndBadSignature);
        ClipVerdict badSignatureForBob = new ClipOpenerV2(world.identityOf(world.bob))
                .open(V2Fixture.DEVICE, CLIP, unsignedChange(h -> h.setFps(1)), clip.stored());
        assertEquals("bad signature", badSignatureForBob.keyword(), badSignatureForBob.summary());
        byte[] unwrapAndCommitment = V2Fixture.resigned(clip.header(), world.deviceKey, h -> {
            byte[] c = h.getKeyCommitment().toByteArray();
            c[0] ^= 1;
            h.setKeyCommitment(ByteString.copyFrom(c));
            byte[] ct = wrapped(h, 1).getCiphertext().toByteArray();
            ct[0] ^= 1;
            return h.setWrappedKeys(1, wrapped(h, 1).setCiphertext(ByteString.copyFrom(ct)));
        });
        ClipVerdict unwrap = alice.open(V2Fixture.DEVICE, CLIP, unwrapAndCommitment, clip.stored());
        assertEquals("key unwrap failed", unwrap.keyword(), unwrap.summary());
    }

    @Test
    void v1ClipWithAnIdentity_andV2ClipWithAKeyring_noKeyNamesWhatIsNeeded() {
        RootKey root = RootKey.generate(V2Fixture.DEVICE, world.random);
        ClipSealer v1 = ClipSealer.start(root.epochKey(0), V2Fixture.params(CLIP), world.random);
        KeyUnavailableException e = assertThrows(
                KeyUnavailableException.class, () -> owner.open(V2Fixture.DEVICE, CLIP, v1.headerBytes(), List.of()));
        assertTrue(e.getMessage().contains("--keyring"), e.getMessage());
        ClipOpener keyring = new ClipOpener(id -> root);
        KeyUnavailableException e2 = assertThrows(
                KeyUnavailableException.class,
                () -> keyring.open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored()));
        assertTrue(e2.getMessage().contains("identity"), e2.getMessage());
    }

    @Test
    void open_zeroesTheUnwrappedClipKeyAndTheAesKey() {
        ClipOpenerV2.Unwrapped unwrapped = alice.unwrap(V2Fixture.DEVICE, CLIP, clip.header());
        assertTrue(!V2Fixture.allZero(unwrapped.clipKey) && !V2Fixture.allZero(unwrapped.aesKey));
        ClipVerdict v = alice.walkAndErase(unwrapped, clip.header(), clip.stored(), ClipHoles.NONE);
        assertEquals("OK 3 frames", v.summary());
        assertTrue(V2Fixture.allZero(unwrapped.clipKey), "the clip key");
        assertTrue(V2Fixture.allZero(unwrapped.aesKey), "the AES key");
    }

    @Test
    void identityWithSeveralKeys_triesEachByKeyId() {
        ClipOpenerV2 both =
                new ClipOpenerV2(Identity.of(world.owner.publicKey(), Map.of(), List.of(world.bob, world.alice)));
        assertEquals(
                "OK 3 frames",
                both.open(V2Fixture.DEVICE, CLIP, clip.header(), clip.stored()).summary());
    }

    /** The header changed by {@code change} but carrying the genuine header's signature. */
    private byte[] unsignedChange(UnaryOperator<ClipHeader.Builder> change) {
        ByteString genuine = V2Fixture.signature(clip.header());
        return V2Fixture.outerChanged(
                V2Fixture.resigned(clip.header(), world.deviceKey, change), b -> b.setSignature(genuine));
    }

    private static WrappedKey.Builder wrapped(ClipHeader.Builder h, int i) {
        return h.getWrappedKeys(i).toBuilder();
    }

    private void assertBadHeader(String detail, byte[] headerBytes) {
        assertHeader("bad header", headerBytes);
        String summary =
                owner.open(V2Fixture.DEVICE, CLIP, headerBytes, clip.stored()).summary();
        assertTrue(summary.contains(detail), summary);
    }

    private void assertHeader(String keyword, byte[] headerBytes) {
        for (ClipOpenerV2 opener : List.of(owner, alice)) {
            ClipVerdict v = opener.open(V2Fixture.DEVICE, CLIP, headerBytes, clip.stored());
            assertEquals(ClipVerdict.Status.TAMPERED, v.status(), v.summary());
            assertEquals(OptionalInt.empty(), v.failedSeq(), v.summary());
            assertEquals(keyword, v.keyword(), v.summary());
            assertTrue(v.summary().startsWith("TAMPERED at header: " + keyword + " ("), v.summary());
            assertTrue(v.frames().isEmpty());
        }
    }

    private void assertFrames(String status, Integer failedSeq, String keyword, List<StoredFrameBytes> frames) {
        ClipVerdict v = alice.open(V2Fixture.DEVICE, CLIP, clip.header(), frames);
        assertEquals(status, v.status().name(), v.summary());
        assertEquals(failedSeq == null ? OptionalInt.empty() : OptionalInt.of(failedSeq), v.failedSeq(), v.summary());
        assertEquals(keyword, v.keyword(), v.summary());
    }
}
