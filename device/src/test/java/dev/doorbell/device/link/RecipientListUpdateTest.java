package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.testing.TestOwner;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.RecipientList;
import dev.doorbell.proto.v1.RecipientListResult;
import dev.doorbell.proto.v1.RecipientListResult.Status;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.SignedRecipientList;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.proto.v1.WrappedKey;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.v2.RecipientKeyPair;
import dev.doorbell.seal.v2.RecipientLists;
import dev.doorbell.seal.v2.SigningKey;
import dev.doorbell.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Recipient lists relayed by an uplink, over real TLS to the fake uplink: the device takes the owner's newer list, and
 * refuses, with the specific status, a list that an uplink forged to add its own key (the "ghost viewer"), replayed,
 * or took from another device; after a refusal the device's list, its file and its clips stay as they were: no clip
 * made afterwards has a wrapped key for the key the uplink tried to add.
 */
class RecipientListUpdateTest extends LinkTestBase {
    private final TestOwner owner = new TestOwner();
    private final SecureRandom random = new SecureRandom();
    /** What an uplink operator would like to add: a key of its own. */
    private final RecipientKeyPair ghost = RecipientKeyPair.generate("ghost", random);

    @TempDir
    Path tmp;

    private Path dir;
    private PairedDevice device;

    @BeforeEach
    void pair() throws Exception {
        dir = TestOwner.provisionedDirectory(tmp.resolve("dev-a"), DEVICE);
        device = owner.pair(dir);
    }

    private LinkClient deviceLink() {
        return client(config().build(), device);
    }

    @Test
    void update_newerListFromTheOwner_acceptedDurableAndUsedByTheNextClip() throws Exception {
        RecipientKeyPair phone = RecipientKeyPair.generate("phone", random);
        byte[] newer = owner.list(DEVICE, 2, List.of(owner.viewer().publicKey(), phone.publicKey()));
        up.relayAtNextWelcome(newer);

        LinkClient link = deviceLink();
        link.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        RecipientListResult result = awaitResult(0);

        assertEquals(Status.ACCEPTED, result.getStatus(), result.getDetail());
        assertEquals(2, result.getVersion());
        assertEquals(1, up.hellos().get(0).getRecipientListVersion(), "the first Hello says version 1");
        assertEquals(2, device.heldVersion());
        assertArrayEquals(newer, Files.readAllBytes(dir.resolve(DeviceFiles.RECIPIENTS_LIST)), "durable on disk");
        assertEquals(
                List.of(keyId(owner.viewer()), keyId(phone)),
                wrappedKeyIds(recordClip(link, 101)),
                "the next clip is wrapped to the new list");

        link.dropConnection();
        Waits.await("a second session", WAIT).until(() -> up.hellos().size() >= 2);
        assertEquals(2, up.hellos().get(1).getRecipientListVersion(), "the next Hello says the version held");
    }

    @Test
    void update_listReSignedByTheUplinkToAddItsOwnKey_refusedSignatureAndNoClipIsWrappedToIt() throws Exception {
        SigningKey uplinksOwnKey = SigningKey.generate(random);
        byte[] forged = RecipientLists.sign(
                uplinksOwnKey,
                RecipientLists.list(DEVICE, 2, 1L, List.of(owner.viewer().publicKey(), ghost.publicKey())));

        // The version of a list the owner did not sign is not believed: the result says 0.
        assertRefused(forged, Status.REFUSED_SIGNATURE, 0);
    }

    @Test
    void update_ownersListWithTheGhostAppendedAndTheSignatureKept_refusedSignature() throws Exception {
        SignedRecipientList signed = SignedRecipientList.parseFrom(
                owner.list(DEVICE, 2, List.of(owner.viewer().publicKey())));
        RecipientList tampered = RecipientList.parseFrom(signed.getList()).toBuilder()
                .addRecipients(ghost.publicKey().toProto())
                .build();
        byte[] forged =
                signed.toBuilder().setList(tampered.toByteString()).build().toByteArray();

        assertRefused(forged, Status.REFUSED_SIGNATURE, 0);
    }

    @Test
    void update_replayOfTheListItHolds_refusedVersion() throws Exception {
        byte[] replay = Files.readAllBytes(dir.resolve(DeviceFiles.RECIPIENTS_LIST));

        assertRefused(replay, Status.REFUSED_VERSION, 1);
    }

    @Test
    void update_olderListAfterANewerOne_refusedVersionAndTheNewerKept() throws Exception {
        RecipientKeyPair phone = RecipientKeyPair.generate("phone", random);
        byte[] withPhone = owner.list(DEVICE, 2, List.of(owner.viewer().publicKey(), phone.publicKey()));
        byte[] withoutPhone = owner.list(DEVICE, 3, List.of(owner.viewer().publicKey()));
        assertEquals(
                Status.ACCEPTED, device.apply(ByteString.copyFrom(withPhone)).getStatus());
        assertEquals(
                Status.ACCEPTED, device.apply(ByteString.copyFrom(withoutPhone)).getStatus());

        // The phone was removed in version 3; an uplink that replays version 2 would let it read new clips again.
        up.relayAtNextWelcome(withPhone);
        LinkClient link = deviceLink();
        link.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        RecipientListResult result = awaitResult(0);

        assertEquals(Status.REFUSED_VERSION, result.getStatus(), result.getDetail());
        assertEquals(3, device.heldVersion());
        assertArrayEquals(withoutPhone, Files.readAllBytes(dir.resolve(DeviceFiles.RECIPIENTS_LIST)));
        assertEquals(List.of(keyId(owner.viewer())), wrappedKeyIds(recordClip(link, 103)));
    }

    @Test
    void update_anotherDevicesListSignedByTheOwner_refusedDevice() throws Exception {
        // The owner's list for another of its devices, which has the ghost on it (or any other viewer).
        byte[] others = owner.list("dev-b", 7, List.of(owner.viewer().publicKey(), ghost.publicKey()));

        assertRefused(others, Status.REFUSED_DEVICE, 7);
    }

    @Test
    void update_notARecipientList_refusedMalformed() throws Exception {
        assertRefused(new byte[] {0x0a, 0x7f, 1, 2, 3}, Status.REFUSED_MALFORMED, 0);
    }

    /** Relays {@code offered}, expects the refusal, and checks that nothing changed and no clip names the ghost. */
    private void assertRefused(byte[] offered, Status status, long claimedVersion) throws Exception {
        byte[] before = Files.readAllBytes(dir.resolve(DeviceFiles.RECIPIENTS_LIST));
        up.relayAtNextWelcome(offered);
        LinkClient link = deviceLink();
        link.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        RecipientListResult result = awaitResult(0);

        assertEquals(status, result.getStatus(), result.getDetail());
        assertEquals(claimedVersion, result.getVersion());
        assertFalse(result.getDetail().isEmpty(), "the refusal says why");
        assertEquals(1, device.heldVersion(), "the device keeps its list");
        assertArrayEquals(before, Files.readAllBytes(dir.resolve(DeviceFiles.RECIPIENTS_LIST)), "and its file");
        List<ByteString> wrappedTo = wrappedKeyIds(recordClip(link, 102));
        assertEquals(List.of(keyId(owner.viewer())), wrappedTo, "the clip is wrapped to the owner's list only");
        assertFalse(wrappedTo.contains(keyId(ghost)), "no key wrapped to the ghost");
        assertEquals(1, up.sessionCount(), "a refusal is answered, not a reason to reconnect");
    }

    private RecipientListResult awaitResult(int index) {
        Waits.await("a RecipientListResult from the device", WAIT)
                .until(() -> up.recipientListResults().size() > index);
        return up.recipientListResults().get(index);
    }

    /** Records a three-frame clip through the link and returns its header as the uplink stored it. */
    private ByteString recordClip(LinkClient link, long clipId) throws Exception {
        ClipUploader uploader = new ClipUploader(link);
        ClipParams params =
                new ClipParams(DEVICE, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG, 320, 240, 10, 1L, 0);
        assertTrue(uploader.open(device.startClip(params, List.of(), 0, random)));
        for (int seq = 0; seq < 3; seq++) {
            uploader.send(seq * 100_000L, ("frame " + seq).getBytes(), seq == 2);
        }
        link.drain(WAIT).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        synchronized (up) {
            return up.clips.get(clipId).header;
        }
    }

    private static List<ByteString> wrappedKeyIds(ByteString headerBytes) throws Exception {
        ClipHeader header =
                ClipHeader.parseFrom(SignedClipHeader.parseFrom(headerBytes).getHeader());
        List<ByteString> ids = new ArrayList<>();
        for (WrappedKey wrapped : header.getWrappedKeysList()) {
            ids.add(wrapped.getRecipientKeyId());
        }
        return ids;
    }

    private static ByteString keyId(RecipientKeyPair pair) {
        return ByteString.copyFrom(pair.keyId());
    }
}
