package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult.Status;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The device's checks of a recipient list relayed by the uplink (docs/FORMAT.md §12): the ghost viewer stays out. */
class RecipientListsTest {
    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("recipient-lists-test"));
    private final RecipientKeyPair ghost = RecipientKeyPair.generate("uplink", world.random);

    @Test
    void signThenVerify_higherVersionOfThisDevice_accepted() throws Exception {
        RecipientList v2 = world.list(2, world.ownerViewer, world.alice, world.bob);
        RecipientList accepted = RecipientLists.verify(
                world.owner.publicKey(), V2Fixture.DEVICE, 1, RecipientLists.sign(world.owner, v2));
        assertEquals(v2, accepted);
        assertEquals(
                List.of(world.ownerViewer.publicKey(), world.alice.publicKey(), world.bob.publicKey()),
                RecipientLists.recipients(accepted));
    }

    @Test
    void uplinkAddsItsOwnKey_signatureRefused() {
        RecipientList genuine = world.list(2, world.ownerViewer, world.alice);
        byte[] signed = RecipientLists.sign(world.owner, genuine);
        RecipientList withGhost =
                genuine.toBuilder().addRecipients(ghost.publicKey().toProto()).build();
        // The genuine signature over the changed bytes, and the uplink's own signature: both refused.
        byte[] keptSignature = SignedRecipientList.newBuilder()
                .setList(withGhost.toByteString())
                .setSignature(parse(signed).getSignature())
                .build()
                .toByteArray();
        RecipientListRefused kept = assertRefused(Status.REFUSED_SIGNATURE, 1, keptSignature);
        assertRefused(Status.REFUSED_SIGNATURE, 1, RecipientLists.sign(SigningKey.generate(world.random), withGhost));
        // The version of a list the owner did not sign is not believed (0), but the detail names what it claims, for
        // the uplink's log.
        assertEquals(0, kept.version());
        assertTrue(kept.getMessage().contains("claims version 2"), kept.getMessage());
        byte[] swappedKey =
                RecipientLists.sign(SigningKey.generate(world.random), world.list(2, world.ownerViewer, ghost));
        assertRefused(Status.REFUSED_SIGNATURE, 1, swappedKey);
    }

    @Test
    void olderOrSameVersion_refused() throws Exception {
        byte[] v3 = RecipientLists.sign(world.owner, world.list(3, world.ownerViewer));
        RecipientListRefused same = assertRefused(Status.REFUSED_VERSION, 3, v3);
        assertEquals(3, same.version());
        assertRefused(Status.REFUSED_VERSION, 4, v3);
        RecipientLists.verify(world.owner.publicKey(), V2Fixture.DEVICE, 2, v3);
        // Versions are unsigned 64-bit: 2^63 is above 1, and nothing is above 2^64 - 1.
        byte[] huge = RecipientLists.sign(world.owner, world.list(Long.MIN_VALUE, world.ownerViewer));
        RecipientLists.verify(world.owner.publicKey(), V2Fixture.DEVICE, 1, huge);
        assertRefused(Status.REFUSED_VERSION, -1L, huge);
    }

    @Test
    void anotherDevicesList_refused() {
        RecipientList other = world.list(5, world.ownerViewer).toBuilder()
                .setDeviceId("back-door")
                .build();
        RecipientListRefused e = assertRefused(Status.REFUSED_DEVICE, 1, RecipientLists.sign(world.owner, other));
        assertTrue(e.getMessage().contains("back-door"), e.getMessage());
    }

    @Test
    void rules_64RecipientsFine_65OrDuplicatesOrNoneRefused() throws Exception {
        List<RecipientPublicKey> many = new ArrayList<>();
        for (int i = 0; i < 65; i++) {
            many.add(RecipientKeyPair.generate("viewer-" + i, world.random).publicKey());
        }
        RecipientList sixtyFour = RecipientLists.list(V2Fixture.DEVICE, 2, 0, many.subList(0, 64));
        RecipientLists.verify(
                world.owner.publicKey(), V2Fixture.DEVICE, 1, RecipientLists.sign(world.owner, sixtyFour));
        RecipientList sixtyFive = RecipientLists.list(V2Fixture.DEVICE, 2, 0, many);
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> RecipientLists.sign(world.owner, sixtyFive));
        assertTrue(e.getMessage().contains("65 recipients"), e.getMessage());
        assertRefused(Status.REFUSED_MALFORMED, 1, signedAnyway(sixtyFive));
        RecipientList sameName = RecipientLists.list(
                V2Fixture.DEVICE,
                2,
                0,
                List.of(world.alice.publicKey(), world.bob.publicKey().withName("alice")));
        assertThrows(IllegalArgumentException.class, () -> RecipientLists.sign(world.owner, sameName));
        assertDetail(
                "the name 'alice' appears twice", assertRefused(Status.REFUSED_MALFORMED, 1, signedAnyway(sameName)));
        RecipientList sameKey = RecipientLists.list(
                V2Fixture.DEVICE,
                2,
                0,
                List.of(world.alice.publicKey(), world.alice.publicKey().withName("alice-2")));
        assertDetail(
                "recipient 'alice-2' has the same key as an earlier one",
                assertRefused(Status.REFUSED_MALFORMED, 1, signedAnyway(sameKey)));
        assertRefused(
                Status.REFUSED_MALFORMED, 1, signedAnyway(RecipientLists.list(V2Fixture.DEVICE, 2, 0, List.of())));
        assertDetail(
                "version 0; lists count from 1",
                assertRefused(Status.REFUSED_MALFORMED, 0, signedAnyway(world.list(0, world.alice))));
        RecipientList badKey = world.list(2, world.alice).toBuilder()
                .setRecipients(
                        0,
                        world.alice.publicKey().toProto().toBuilder().setPublicKey(ByteString.copyFrom(new byte[31])))
                .build();
        assertDetail(
                "recipient 1: recipient alice: a public key of kem 0x0020 (x25519) is 32 bytes, not 31",
                assertRefused(Status.REFUSED_MALFORMED, 1, signedAnyway(badKey)));
        RecipientList badDevice = world.list(2, world.alice).toBuilder()
                .setDeviceId("Front Door\u0001")
                .build();
        assertDetail(
                "for device 'Front Door?': the device id is not valid",
                assertRefused(Status.REFUSED_MALFORMED, 1, signedAnyway(badDevice)));
    }

    @Test
    void garbage_refusedAsMalformed() {
        assertRefused(Status.REFUSED_MALFORMED, 0, new byte[] {(byte) 0xff, 1, 2});
        byte[] signedGarbage = SignedRecipientList.newBuilder()
                .setList(ByteString.copyFrom(new byte[] {(byte) 0xff, 1}))
                .setSignature(
                        ByteString.copyFrom(world.owner.sign(Contexts.RECIPIENT_LIST, new byte[] {(byte) 0xff, 1})))
                .build()
                .toByteArray();
        assertRefused(Status.REFUSED_MALFORMED, 0, signedGarbage);
    }

    @Test
    void signatureOfAnotherContext_refused() {
        byte[] list = world.list(2, world.alice).toByteArray();
        byte[] underDeviceKeyContext = SignedRecipientList.newBuilder()
                .setList(ByteString.copyFrom(list))
                .setSignature(ByteString.copyFrom(world.owner.sign(Contexts.DEVICE_KEY, list)))
                .build()
                .toByteArray();
        assertRefused(Status.REFUSED_SIGNATURE, 1, underDeviceKeyContext);
    }

    private static void assertDetail(String detail, RecipientListRefused e) {
        assertTrue(e.getMessage().contains(detail), e.getMessage());
    }

    /** A list signed without {@link RecipientLists#sign}'s checks: what a buggy or hostile owner tool could make. */
    private byte[] signedAnyway(RecipientList list) {
        byte[] bytes = list.toByteArray();
        return SignedRecipientList.newBuilder()
                .setList(ByteString.copyFrom(bytes))
                .setSignature(ByteString.copyFrom(world.owner.sign(Contexts.RECIPIENT_LIST, bytes)))
                .build()
                .toByteArray();
    }

    private RecipientListRefused assertRefused(Status status, long current, byte[] signed) {
        RecipientListRefused e = assertThrows(
                RecipientListRefused.class,
                () -> RecipientLists.verify(world.owner.publicKey(), V2Fixture.DEVICE, current, signed));
        assertEquals(status, e.status(), e.getMessage());
        return e;
    }

    private static SignedRecipientList parse(byte[] signed) {
        try {
            return SignedRecipientList.parseFrom(signed);
        } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError(e);
        }
    }
}
