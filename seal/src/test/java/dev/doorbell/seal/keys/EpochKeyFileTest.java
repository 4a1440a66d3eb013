package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochKeyFileTest {
    @TempDir
    Path dir;

    private final RootKey root = RootKey.generate("front-door", new InsecureDeterministicRandom("epoch-file-test"));

    @Test
    void writeThenRead_sameKeyEpochDevice_mode0600() throws Exception {
        Path file = dir.resolve("epoch.key");
        EpochKey key = root.epochKey(7);
        EpochKeyFile.write(file, key);
        EpochKey read = EpochKeyFile.read(file);
        assertEquals("front-door", read.deviceId());
        assertEquals(7, read.epoch());
        assertTrue(read.secret().equalsConstantTime(key.secret()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        String expected = "doorbell-epoch-key v1\ndevice: front-door\nepoch: 7\nkey: "
                + Base64.getEncoder().encodeToString(key.secret().toByteArray()) + "\n";
        assertEquals(expected, Files.readString(file));
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void advance_oldLinkZeroedNewKeyDurableOldDestroyed() throws Exception {
        Path file = dir.resolve("epoch.key");
        EpochKey current = root.epochKey(0);
        EpochKeyFile.write(file, current);
        Path oldLink = dir.resolve("old-inode");
        Files.createLink(oldLink, file);
        long oldSize = Files.size(oldLink);

        EpochKey next = EpochKeyFile.advance(file, current);

        assertEquals(1, next.epoch());
        assertTrue(next.secret().equalsConstantTime(root.epochKey(1).secret()));
        assertTrue(EpochKeyFile.read(file).secret().equalsConstantTime(next.secret()));
        assertTrue(current.isDestroyed());
        assertArrayEquals(new byte[(int) oldSize], Files.readAllBytes(oldLink), "old key's blocks overwritten");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    }

    @Test
    void advance_fileHoldsOtherEpoch_refusedAndFileUnchanged() throws Exception {
        Path file = dir.resolve("epoch.key");
        EpochKeyFile.write(file, root.epochKey(3));
        byte[] before = Files.readAllBytes(file);
        EpochKey stale = root.epochKey(2);
        KeyFileException e = assertThrows(KeyFileException.class, () -> EpochKeyFile.advance(file, stale));
        assertTrue(e.getMessage().contains("does not hold the current epoch key"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file));
        assertFalse(stale.isDestroyed());
    }

    @Test
    void read_malformedFiles_errorsNameFileAndProblem() throws Exception {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        assertReadFails("doorbell-root-key v1\ndevice: a\nepoch: 0\nkey: " + key + "\n", "line 1");
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 0\n", "missing line 'key");
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 0\nkey: " + key + "\ncolour: red\n", "unknown line");
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 0\nepoch: 1\nkey: " + key + "\n", "appears twice");
        assertReadFails("doorbell-epoch-key v1\ndevice: A!\nepoch: 0\nkey: " + key + "\n", "not a valid device id");
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: -1\nkey: " + key + "\n", "'epoch'");
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 0\nkey: AAAA\n", "3 bytes, expected 32");
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 0\nkey: ***\n", "not standard base64");
    }

    @Test
    void read_epochAndDeviceIdAtTheirLimits() throws Exception {
        String key = Base64.getEncoder().encodeToString(new byte[32]);
        String longest = "a".repeat(63);
        Path file = dir.resolve("epoch.key");
        Files.writeString(
                file, "doorbell-epoch-key v1\ndevice: " + longest + "\nepoch: 2147483647\nkey: " + key + "\n");
        EpochKey read = EpochKeyFile.read(file);
        assertEquals(Integer.MAX_VALUE, read.epoch());
        assertEquals(longest, read.deviceId());
        Files.writeString(file, "doorbell-epoch-key v1\ndevice: a\nepoch: 0\nkey: " + key + "\n");
        assertEquals(0, EpochKeyFile.read(file).epoch());

        String epochRule = "'epoch' must be a number in 0..2147483647";
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 2147483648\nkey: " + key + "\n", epochRule);
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: -1\nkey: " + key + "\n", epochRule);
        assertReadFails("doorbell-epoch-key v1\ndevice: a\nepoch: 0 \nkey: " + key + "\n", epochRule);
        assertReadFails(
                "doorbell-epoch-key v1\ndevice: " + longest + "a\nepoch: 0\nkey: " + key + "\n",
                "'device' is not a valid device id");
        assertReadFails(
                "doorbell-epoch-key v1\ndevice: a \nepoch: 0\nkey: " + key + "\n", "'device' is not a valid device id");
    }

    @Test
    void read_linesInAnyOrder_accepted() throws Exception {
        Path file = dir.resolve("epoch.key");
        Files.writeString(
                file,
                "doorbell-epoch-key v1\nkey: " + Base64.getEncoder().encodeToString(new byte[32])
                        + "\nepoch: 4\ndevice: a\n",
                StandardCharsets.UTF_8);
        assertEquals(4, EpochKeyFile.read(file).epoch());
    }

    @Test
    void read_missingFile_errorNamesFile() {
        Path file = dir.resolve("nope.key");
        KeyFileException e = assertThrows(KeyFileException.class, () -> EpochKeyFile.read(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private void assertReadFails(String content, String expectedText) throws Exception {
        Path file = dir.resolve("bad.key");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        KeyFileException e = assertThrows(KeyFileException.class, () -> EpochKeyFile.read(file));
        assertTrue(
                e.getMessage().contains(expectedText) && e.getMessage().contains(file.toString()),
                "message '" + e.getMessage() + "' should contain '" + expectedText + "'");
    }
}
