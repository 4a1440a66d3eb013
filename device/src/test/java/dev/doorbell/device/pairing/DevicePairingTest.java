package dev.doorbell.device.pairing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.chain.ChainStateException;
import dev.doorbell.device.testing.TestOwner;
import dev.doorbell.proto.DeviceFiles;
import dev.doorbell.seal.v2.DeviceKeyCertificates;
import dev.doorbell.seal.v2.VerifyingKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevicePairingTest {
    private final TestOwner owner = new TestOwner();

    @TempDir
    Path tmp;

    @Test
    void pair_provisionedDevice_loadsWithTheOwnersKeyAndTheFirstList() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");

        PairedDevice paired = owner.pair(dir);

        assertEquals("dev-a", paired.deviceId());
        assertEquals(owner.publicKey(), paired.ownerKey());
        assertEquals(1, paired.heldVersion());
        assertEquals(1, paired.recipientList().getRecipientsCount());
        assertTrue(DevicePairing.isPaired(dir));
        for (String name : List.of(DeviceFiles.SIGNING_KEY, DeviceFiles.DEVICE_KEY_CERT, DeviceFiles.RECIPIENTS_LIST)) {
            assertEquals(
                    "rw-------",
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))),
                    name + " is private to the device");
        }
        // The owner's public keys, as the owner's own owner.pub: a public file, 0644 like every public key file.
        assertEquals(
                "rw-r--r--",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(DeviceFiles.OWNER_PUB))));
    }

    @Test
    void load_eachPairingFileMissing_refusedNamingTheFileAndSayingToPair() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        owner.pair(dir).destroy();
        for (String name : DevicePairing.FILES) {
            Path aside = tmp.resolve(name + ".aside");
            Files.move(dir.resolve(name), aside);

            DeviceNotPaired e = assertThrows(DeviceNotPaired.class, () -> DevicePairing.load(dir));

            assertTrue(e.getMessage().contains("not paired (no " + name + ")"), e.getMessage());
            assertTrue(e.getMessage().contains("doorbell pair --owner OWNER --device " + dir), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
            Files.move(aside, dir.resolve(name));
        }
    }

    @Test
    void load_temporaryFilesOfUpdatesAKilledProcessLeft_deletedAtStart_otherFilesKept() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        owner.pair(dir).destroy();
        // As DurableFiles names them: what a process killed between writing the temporary file and renaming it
        // leaves (the crash harness halts a real device there: clip-start.temp-written, recipients.temp-synced).
        List<Path> left = List.of(
                Files.createTempFile(dir, ".chain.state.", ".tmp"),
                Files.createTempFile(dir, ".recipients.list.", ".tmp"),
                Files.createTempFile(dir, "." + DeviceFiles.SIGNING_KEY + ".", ".tmp"));
        Path unrelated = Files.writeString(dir.resolve(".notes.1.tmp"), "kept");

        DevicePairing.load(dir).destroy();

        for (Path file : left) {
            assertFalse(Files.exists(file), file + " is deleted at start");
        }
        assertTrue(Files.exists(unrelated), "a file the device did not write is kept");
        assertTrue(DevicePairing.isPaired(dir));
    }

    @Test
    void pair_createsNoChainState_andTheFirstClipIsPositionOne() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        owner.pair(dir).destroy();
        assertFalse(Files.exists(dir.resolve("chain.state")));
        PairedDevice paired = DevicePairing.load(dir);
        assertEquals(1, paired.chain().next().getPosition());
        assertEquals(dir.resolve("chain.state"), paired.chain().file());
        assertEquals(null, DevicePairing.loadWithChainInMemory(dir).chain().file());
    }

    @Test
    void load_chainStateUnusable_refusedInOneLineNamingTheFile() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        owner.pair(dir).destroy();
        Files.writeString(dir.resolve("chain.state"), "doorbell-device-chain v3\ndevice: dev-a\n");

        ChainStateException e = assertThrows(ChainStateException.class, () -> DevicePairing.load(dir));

        assertTrue(
                e.getMessage().startsWith("device dev-a: chain state " + dir.resolve("chain.state") + " is unusable"),
                e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
    }

    @Test
    void load_provisionedOnly_refused() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");

        DeviceNotPaired e = assertThrows(DeviceNotPaired.class, () -> DevicePairing.load(dir));

        assertTrue(
                e.getMessage().contains("device dev-a in " + dir + " is not paired (no signing.key)"), e.getMessage());
    }

    @Test
    void createSigningKey_twice_refusedAndTheFirstKeyKept() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        DevicePairing.createSigningKey(dir, new SecureRandom());
        byte[] first = Files.readAllBytes(dir.resolve(DeviceFiles.SIGNING_KEY));

        DeviceNotPaired e =
                assertThrows(DeviceNotPaired.class, () -> DevicePairing.createSigningKey(dir, new SecureRandom()));

        assertTrue(e.getMessage().contains("already has a signing.key"), e.getMessage());
        assertArrayEquals(first, Files.readAllBytes(dir.resolve(DeviceFiles.SIGNING_KEY)));
    }

    @Test
    void install_certificateFromAnotherOwner_refusedAndNothingInstalled() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        VerifyingKey deviceKey = DevicePairing.createSigningKey(dir, new SecureRandom());
        TestOwner other = new TestOwner();
        byte[] foreign = DeviceKeyCertificates.issue(other.signingKey(), "dev-a", deviceKey, TestOwner.PAIRED_AT_MS);

        assertThrows(
                DeviceNotPaired.class,
                () -> DevicePairing.install(
                        dir,
                        owner.publicKey(),
                        foreign,
                        owner.list("dev-a", 1, List.of(owner.viewer().publicKey()))));

        assertFalse(DevicePairing.isPaired(dir));
        assertFalse(Files.exists(dir.resolve(DeviceFiles.OWNER_PUB)));
    }

    @Test
    void install_certificateOfAnotherKey_refused() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        DevicePairing.createSigningKey(dir, new SecureRandom());
        VerifyingKey notTheDevices =
                dev.doorbell.seal.v2.SigningKey.generate(new SecureRandom()).publicKey();
        byte[] certificate =
                DeviceKeyCertificates.issue(owner.signingKey(), "dev-a", notTheDevices, TestOwner.PAIRED_AT_MS);

        DeviceNotPaired e = assertThrows(
                DeviceNotPaired.class,
                () -> DevicePairing.install(
                        dir,
                        owner.publicKey(),
                        certificate,
                        owner.list("dev-a", 1, List.of(owner.viewer().publicKey()))));

        assertTrue(e.getMessage().contains("certifies another key"), e.getMessage());
        assertFalse(DevicePairing.isPaired(dir));
    }

    @Test
    void install_listOfAnotherDevice_refused() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        VerifyingKey deviceKey = DevicePairing.createSigningKey(dir, new SecureRandom());
        byte[] certificate =
                DeviceKeyCertificates.issue(owner.signingKey(), "dev-a", deviceKey, TestOwner.PAIRED_AT_MS);

        DeviceNotPaired e = assertThrows(
                DeviceNotPaired.class,
                () -> DevicePairing.install(
                        dir,
                        owner.publicKey(),
                        certificate,
                        owner.list("dev-b", 1, List.of(owner.viewer().publicKey()))));

        assertTrue(e.getMessage().contains("REFUSED_DEVICE"), e.getMessage());
        assertFalse(DevicePairing.isPaired(dir));
    }

    @Test
    void load_recipientsListReplacedByAnotherOwnersList_refused() throws Exception {
        Path dir = TestOwner.provisionedDirectory(tmp.resolve("a"), "dev-a");
        owner.pair(dir).destroy();
        TestOwner thief = new TestOwner();
        Files.write(
                dir.resolve(DeviceFiles.RECIPIENTS_LIST),
                thief.list("dev-a", 9, List.of(thief.viewer().publicKey())));

        DeviceNotPaired e = assertThrows(DeviceNotPaired.class, () -> DevicePairing.load(dir));

        assertTrue(e.getMessage().contains("REFUSED_SIGNATURE"), e.getMessage());
    }
}
