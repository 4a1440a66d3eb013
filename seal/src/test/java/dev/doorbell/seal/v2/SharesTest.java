package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.Share;
import dev.doorbell.proto.v1.SignedShare;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.KeyUnavailableException;
import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import org.junit.jupiter.api.Test;

/** A share opens its one clip for a third party and nothing else (docs/FORMAT.md §14). */
class SharesTest {
    private static final long ISSUED = 1_700_000_500_000L;

    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("shares-test"));
    private final RecipientKeyPair police = RecipientKeyPair.generate("police", world.random);
    private final V2Fixture.Clip clip = world.seal(100, 10, 20);
    private final V2Fixture.Clip otherClip = world.seal(101, 10);

    private byte[] share() {
        return Shares.issue(
                world.owner,
                world.ownerIdentity(),
                V2Fixture.DEVICE,
                100,
                clip.header(),
                police.publicKey(),
                ISSUED,
                world.random);
    }

    @Test
    void issueThenOpen_theThirdPartyOpensTheClip() throws Exception {
        ClipOpenerV2 opener = ClipOpenerV2.forShare(share(), police);
        ClipVerdict v = opener.open(V2Fixture.DEVICE, 100, clip.header(), clip.stored());
        assertEquals("OK 2 frames", v.summary());
        assertArrayEquals(clip.plaintexts().get(1), v.frames().get(1).plaintext());
        ClipOpenerV2.SharedClip shared = opener.sharedClip().orElseThrow();
        assertEquals(V2Fixture.DEVICE, shared.deviceId());
        assertEquals(100, shared.clipId());
        assertEquals(world.owner.publicKey(), shared.ownerKey());
        assertEquals(ISSUED, shared.issuedUnixMs());
        assertArrayEquals(ClipFormat.sha256(clip.header()), shared.headerSha256());
    }

    @Test
    void share_opensNoOtherClip() throws Exception {
        ClipOpenerV2 opener = ClipOpenerV2.forShare(share(), police);
        assertThrows(
                KeyUnavailableException.class,
                () -> opener.open(V2Fixture.DEVICE, 101, otherClip.header(), otherClip.stored()));
        assertThrows(KeyUnavailableException.class, () -> opener.open("back-door", 100, clip.header(), clip.stored()));
        // The police key is no recipient of the device's clips.
        assertEquals(
                "not a recipient of this clip",
                new ClipOpenerV2(world.identityOf(police))
                        .open(V2Fixture.DEVICE, 101, otherClip.header(), otherClip.stored())
                        .keyword());
    }

    @Test
    void storedHeaderNotTheSharedOne_refused() throws Exception {
        byte[] resigned = V2Fixture.resigned(clip.header(), world.deviceKey, h -> h.setWidth(1));
        ClipVerdict v = ClipOpenerV2.forShare(share(), police).open(V2Fixture.DEVICE, 100, resigned, clip.stored());
        assertEquals("header differs from the shared one", v.keyword(), v.summary());
    }

    @Test
    void shareForAnotherKey_notARecipient() throws Exception {
        RecipientKeyPair insurer = RecipientKeyPair.generate("insurer", world.random);
        ClipVerdict v =
                ClipOpenerV2.forShare(share(), insurer).open(V2Fixture.DEVICE, 100, clip.header(), clip.stored());
        assertEquals("not a recipient of this clip", v.keyword(), v.summary());
    }

    /** Someone else signs a share of the owner's clip with their own key: the clip's certificate is the owner's. */
    @Test
    void shareSignedByAnotherKey_clipsDeviceKeyIsUnknownToIt() throws Exception {
        SigningKey stranger = SigningKey.generate(world.random);
        byte[] k = new byte[32];
        byte[] forged =
                Shares.issue(stranger, k, V2Fixture.DEVICE, 100, clip.header(), police.publicKey(), 1, world.random);
        ClipVerdict v = ClipOpenerV2.forShare(forged, police).open(V2Fixture.DEVICE, 100, clip.header(), clip.stored());
        assertEquals("unknown device key", v.keyword(), v.summary());
    }

    @Test
    void wrongClipKey_commitmentMismatch() throws Exception {
        byte[] wrongKey = Shares.issue(
                world.owner, new byte[32], V2Fixture.DEVICE, 100, clip.header(), police.publicKey(), 1, world.random);
        ClipVerdict v =
                ClipOpenerV2.forShare(wrongKey, police).open(V2Fixture.DEVICE, 100, clip.header(), clip.stored());
        assertEquals("key commitment mismatch", v.keyword(), v.summary());
    }

    @Test
    void alteredOrUnsignedShare_refusedBeforeAnyClip() throws Exception {
        byte[] share = share();
        for (int i = 0; i < share.length; i++) {
            byte[] altered = share.clone();
            altered[i] ^= 1;
            try {
                ClipOpenerV2 opener = ClipOpenerV2.forShare(altered, police);
                ClipVerdict v = opener.open(V2Fixture.DEVICE, 100, clip.header(), clip.stored());
                throw new AssertionError("byte " + i + " altered still opened: " + v.summary());
            } catch (ShareRefused | KeyUnavailableException expected) {
                // Refused as a share, or (a bit of the owner key flipped into another valid key's) as a clip it names
                // no longer; never opened.
            }
        }
        SignedShare signed = SignedShare.parseFrom(share);
        Share inner = Share.parseFrom(signed.getShare());
        byte[] otherClip = signed.toBuilder()
                .setShare(inner.toBuilder().setClipId(101).build().toByteString())
                .build()
                .toByteArray();
        ShareRefused e = assertThrows(ShareRefused.class, () -> ClipOpenerV2.forShare(otherClip, police));
        assertTrue(e.getMessage().contains("not signed"), e.getMessage());
        byte[] shortKey = signed.toBuilder()
                .setOwnerSigningPublicKey(ByteString.copyFrom(new byte[31]))
                .build()
                .toByteArray();
        assertThrows(ShareRefused.class, () -> ClipOpenerV2.forShare(shortKey, police));
    }

    @Test
    void issue_clipTheOwnerCannotOpen_refusedWithTheVerdict() {
        V2Fixture.Clip notForOwner = world.seal(world.signer, world.list(2, world.alice), 102, 5);
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Shares.issue(
                        world.owner,
                        world.ownerIdentity(),
                        V2Fixture.DEVICE,
                        102,
                        notForOwner.header(),
                        police.publicKey(),
                        1,
                        world.random));
        assertTrue(e.getMessage().contains("TAMPERED at header: not a recipient of this clip"), e.getMessage());
        IllegalArgumentException other = assertThrows(
                IllegalArgumentException.class,
                () -> Shares.issue(
                        SigningKey.generate(world.random),
                        world.ownerIdentity(),
                        V2Fixture.DEVICE,
                        100,
                        clip.header(),
                        police.publicKey(),
                        1,
                        world.random));
        assertTrue(other.getMessage().contains("not the identity's owner key"), other.getMessage());
    }
}
