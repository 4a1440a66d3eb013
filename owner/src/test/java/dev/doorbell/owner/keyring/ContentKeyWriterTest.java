package dev.doorbell.owner.keyring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The key files of docs/FORMAT.md §5, and K_0 of §1 checked by an HKDF written here on the JDK's HMAC. */
class ContentKeyWriterTest {
    @TempDir
    Path dir;

    @Test
    void write_newDevice_filesFollowFormatAndEpochKeyIsHkdfOfRoot() throws Exception {
        Path device = Files.createDirectory(dir.resolve("device"));
        Path keyring = Files.createDirectory(dir.resolve("keyring"));

        new ContentKeyWriter(new SecureRandom(), keyring).write("front-door", device);

        List<String> epochLines = Files.readAllLines(device.resolve("epoch.key"), StandardCharsets.UTF_8);
        List<String> rootLines = Files.readAllLines(keyring.resolve("front-door.root"), StandardCharsets.UTF_8);
        assertEquals("doorbell-epoch-key v1", epochLines.get(0));
        assertEquals("doorbell-root-key v1", rootLines.get(0));
        Map<String, String> epoch = fields(epochLines);
        Map<String, String> root = fields(rootLines);
        assertEquals(Map.of("device", "front-door", "epoch", "0", "key", epoch.get("key")), epoch);
        assertEquals(Map.of("device", "front-door", "key", root.get("key")), root);
        byte[] rootKey = Base64.getDecoder().decode(root.get("key"));
        byte[] epochKey = Base64.getDecoder().decode(epoch.get("key"));
        assertEquals(32, rootKey.length);
        assertArrayEquals(hkdfSha256(rootKey, epochInfo("front-door", 0)), epochKey);
        assertFalse(Arrays.equals(rootKey, epochKey));
        assertEquals(
                "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(device.resolve("epoch.key"))));
        assertEquals(
                "rw-------",
                PosixFilePermissions.toString(Files.getPosixFilePermissions(keyring.resolve("front-door.root"))));
    }

    @Test
    void write_twoDevices_rootKeysDiffer() throws Exception {
        Path keyring = dir.resolve("owner").resolve("keyring");
        ContentKeyWriter writer = new ContentKeyWriter(new SecureRandom(), keyring);
        writer.write("a", Files.createDirectory(dir.resolve("a")));
        writer.write("b", Files.createDirectory(dir.resolve("b")));

        String a = fields(Files.readAllLines(keyring.resolve("a.root"))).get("key");
        String b = fields(Files.readAllLines(keyring.resolve("b.root"))).get("key");

        assertFalse(a.equals(b));
        assertTrue(writer.holds("a") && !writer.holds("c"));
        for (Path made : List.of(keyring.getParent(), keyring)) {
            assertEquals(
                    "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(made)), made.toString());
        }
    }

    private static Map<String, String> fields(List<String> lines) {
        Map<String, String> fields = new HashMap<>();
        for (String line : lines.subList(1, lines.size())) {
            int colon = line.indexOf(": ");
            fields.put(line.substring(0, colon), line.substring(colon + 2));
        }
        return fields;
    }

    private static byte[] epochInfo(String deviceId, int epoch) {
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.writeBytes("doorbell/v1/epoch-key".getBytes(StandardCharsets.US_ASCII));
        info.write(0);
        info.writeBytes(deviceId.getBytes(StandardCharsets.US_ASCII));
        info.write(0);
        info.writeBytes(ByteBuffer.allocate(4).putInt(epoch).array());
        return info.toByteArray();
    }

    /** RFC 5869 with an absent salt (32 zero bytes) and L = 32, so a single expand block. */
    private static byte[] hkdfSha256(byte[] ikm, byte[] info) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(new byte[32], "HmacSHA256"));
        byte[] prk = mac.doFinal(ikm);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info);
        mac.update((byte) 1);
        return mac.doFinal();
    }
}
