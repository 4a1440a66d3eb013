package dev.doorbell.owner.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.keys.KeyFileException;
import dev.doorbell.seal.keys.RootKey;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OwnerKeyringTest {
    @TempDir
    Path dir;

    private final InsecureDeterministicRandom rnd = new InsecureDeterministicRandom("keyring-test");

    @Test
    void writeThenOpen_allDevicesAndKeysBack() throws Exception {
        RootKey front = RootKey.generate("front-door", rnd);
        RootKey back = RootKey.generate("back-door", rnd);
        OwnerKeyring.writeRootKey(dir, front);
        OwnerKeyring.writeRootKey(dir, back);

        OwnerKeyring keyring = OwnerKeyring.open(dir);

        assertEquals(Set.of("front-door", "back-door"), keyring.deviceIds());
        assertTrue(keyring.rootKey("back-door").secret().equalsConstantTime(back.secret()));
        assertTrue(keyring.epochKey("front-door", 12)
                .secret()
                .equalsConstantTime(front.epochKey(12).secret()));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("front-door.root"))));
    }

    @Test
    void rootKey_unknownDevice_errorNamesDeviceAndExpectedFile() {
        OwnerKeyring keyring = OwnerKeyring.open(dir);
        KeyFileException e = assertThrows(KeyFileException.class, () -> keyring.rootKey("garage"));
        assertTrue(e.getMessage().contains("'garage'") && e.getMessage().contains("garage.root"), e.getMessage());
    }

    @Test
    void open_fileNamedForAnotherDevice_refused() throws Exception {
        OwnerKeyring.writeRootKey(dir, RootKey.generate("front-door", rnd));
        Files.move(dir.resolve("front-door.root"), dir.resolve("garage.root"));
        KeyFileException e = assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir));
        assertTrue(e.getMessage().contains("must be named front-door.root"), e.getMessage());
    }

    @Test
    void open_notADirectory_refused() {
        KeyFileException e = assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir.resolve("missing")));
        assertEquals("owner keyring " + dir.resolve("missing") + " is not a directory", e.getMessage());
    }

    @Test
    void open_badRootKeyFiles_errorNamesFileAndProblem() throws Exception {
        Path file = dir.resolve("porch.root");
        Files.writeString(
                file,
                "doorbell-root-key v1\ndevice: porch\nkey: "
                        + Base64.getEncoder().encodeToString(new byte[31]) + "\n");
        assertEquals(
                file + ": 'key' is 31 bytes, expected 32",
                assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir))
                        .getMessage());
        Files.writeString(
                file,
                "doorbell-root-key v1\ndevice: Porch\nkey: "
                        + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        assertTrue(assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir))
                .getMessage()
                .startsWith(file + ": 'device' is not a valid device id"));
        Files.writeString(
                file,
                "doorbell-epoch-key v1\ndevice: porch\nkey: "
                        + Base64.getEncoder().encodeToString(new byte[32]) + "\n");
        assertEquals(
                file + " line 1: expected 'doorbell-root-key v1'",
                assertThrows(KeyFileException.class, () -> OwnerKeyring.open(dir))
                        .getMessage());
    }

    @Test
    void open_otherFilesIgnored_rootKeyReadBack() throws Exception {
        RootKey porch = RootKey.generate("porch", rnd);
        OwnerKeyring.writeRootKey(dir, porch, false);
        Files.writeString(dir.resolve("notes.txt"), "not a key");
        OwnerKeyring keyring = OwnerKeyring.open(dir);
        assertEquals(Set.of("porch"), keyring.deviceIds());
        assertTrue(keyring.rootKey("porch").secret().equalsConstantTime(porch.secret()));
        assertThrows(
                UnsupportedOperationException.class, () -> keyring.deviceIds().add("garage"));
    }
}
