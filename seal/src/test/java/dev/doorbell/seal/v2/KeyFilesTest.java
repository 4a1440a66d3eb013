package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    private final V2Fixture world = new V2Fixture(new InsecureDeterministicRandom("key-files-test"));

    @TempDir
    Path dir;

    @Test
    void ownerPublic_roundTripExactTextAndMode0644() throws Exception {
        Path file = dir.resolve("owner.pub");
        KeyFiles.writeOwnerPublic(file, world.owner.publicKey(), world.ownerViewer.publicKey());
        assertEquals(
                "doorbell-owner-public v2\nsigning: "
                        + b64(world.owner.publicKey().bytes()) + "\nviewer: "
                        + b64(world.ownerViewer.publicKey().publicKey()) + "\n",
                Files.readString(file));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        KeyFiles.OwnerPublic read = KeyFiles.readOwnerPublic(file);
        assertEquals(world.owner.publicKey(), read.signing());
        assertEquals(world.ownerViewer.publicKey(), read.viewer());
    }

    @Test
    void ownerPublic_xWingViewer_roundTripWithAViewerKemLine_anUnknownKemRefused() throws Exception {
        Path file = dir.resolve("owner.pub");
        RecipientKeyPair xWing = RecipientKeyPair.fromPrivate(RecipientPublicKey.OWNER, Kem.X_WING, new byte[32]);
        KeyFiles.writeOwnerPublic(file, world.owner.publicKey(), xWing.publicKey());
        assertEquals(
                "doorbell-owner-public v2\nsigning: "
                        + b64(world.owner.publicKey().bytes()) + "\nviewer: "
                        + b64(xWing.publicKey().publicKey()) + "\nviewer-kem: x-wing\n",
                Files.readString(file));
        KeyFiles.OwnerPublic read = KeyFiles.readOwnerPublic(file);
        assertEquals(world.owner.publicKey(), read.signing());
        assertEquals(xWing.publicKey(), read.viewer());

        write(file, Files.readString(file).replace("viewer-kem: x-wing", "viewer-kem: kyber"));
        assertTrue(assertThrows(KeyFileException.class, () -> KeyFiles.readOwnerPublic(file))
                .getMessage()
                .contains("'viewer-kem' must be x25519 or x-wing"));
    }

    @Test
    void viewerKeyAndPublic_roundTrip_privateIs0600() throws Exception {
        Path key = dir.resolve("viewer.key");
        Path pub = dir.resolve("viewer.pub");
        KeyFiles.writeViewerKey(key, world.alice);
        KeyFiles.writeViewerPublic(pub, world.alice.publicKey());
        assertEquals(
                "doorbell-viewer-key v2\nname: alice\nkey: " + b64(world.alice.privateKey()) + "\n",
                Files.readString(key));
        assertEquals(
                "doorbell-viewer-public v2\nname: alice\nkem: x25519\nkey: "
                        + b64(world.alice.publicKey().publicKey()) + "\n",
                Files.readString(pub));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        RecipientKeyPair read = KeyFiles.readViewerKey(key);
        assertEquals(world.alice.publicKey(), read.publicKey());
        assertArrayEquals(world.alice.privateKey(), read.privateKey());
        assertEquals(world.alice.publicKey(), KeyFiles.readViewerPublic(pub));
    }

    @Test
    void deviceSigningKey_roundTrip0600() throws Exception {
        Path file = dir.resolve("signing.key");
        KeyFiles.writeDeviceSigningKey(file, V2Fixture.DEVICE, world.deviceKey);
        assertEquals(
                "doorbell-device-signing-key v2\ndevice: front-door\nkey: " + b64(world.deviceKey.seed()) + "\n",
                Files.readString(file));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        KeyFiles.DeviceSigningKey read = KeyFiles.readDeviceSigningKey(file);
        assertEquals(V2Fixture.DEVICE, read.deviceId());
        assertEquals(world.deviceKey.publicKey(), read.key().publicKey());
    }

    @Test
    void badFiles_refusedNamingFileAndLine() throws Exception {
        Path file = dir.resolve("viewer.pub");
        write(file, "doorbell-viewer-public v2\nname: alice\nkem: xwing\nkey: " + b64(new byte[32]) + "\n");
        assertTrue(assertThrows(KeyFileException.class, () -> KeyFiles.readViewerPublic(file))
                .getMessage()
                .contains("'kem'"));
        write(file, "doorbell-viewer-public v2\nname: Alice\nkem: x25519\nkey: " + b64(new byte[32]) + "\n");
        assertThrows(KeyFileException.class, () -> KeyFiles.readViewerPublic(file));
        write(file, "doorbell-viewer-public v1\nname: alice\nkem: x25519\nkey: " + b64(new byte[32]) + "\n");
        assertTrue(assertThrows(KeyFileException.class, () -> KeyFiles.readViewerPublic(file))
                .getMessage()
                .contains("line 1"));
        Path owner = dir.resolve("owner.pub");
        write(
                owner,
                "doorbell-owner-public v2\nsigning: " + b64(new byte[31]) + "\nviewer: " + b64(new byte[32]) + "\n");
        String message = assertThrows(KeyFileException.class, () -> KeyFiles.readOwnerPublic(owner))
                .getMessage();
        assertTrue(message.contains("'signing' is 31 bytes"), message);
        Path signing = dir.resolve("signing.key");
        write(signing, "doorbell-device-signing-key v2\ndevice: Front\nkey: " + b64(new byte[32]) + "\n");
        assertThrows(KeyFileException.class, () -> KeyFiles.readDeviceSigningKey(signing));
        assertFalse(message.contains(b64(new byte[31])), "a key file error never quotes the value");
    }

    private static void write(Path file, String text) throws Exception {
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String b64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }
}
