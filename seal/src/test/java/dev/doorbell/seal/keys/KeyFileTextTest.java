package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The key-file text of docs/FORMAT.md §5: exact bytes written, every limit of what is read, and every error. */
class KeyFileTextTest {
    private static final String MAGIC = "doorbell-epoch-key v1";
    private static final List<String> FIELDS = List.of("device", "epoch", "key");
    private static final byte[] KEY = new byte[32];
    private static final String KEY_BASE64;

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (0xa0 + i);
        }
        KEY_BASE64 = Base64.getEncoder().encodeToString(KEY);
    }

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"a", "front-door", "a23456789-123456789-123456789-123456789-123456789-123456789-123"})
    void format_exactBytes_whateverTheLengthOfTheLinesBeforeTheKey(String device) {
        // The key's base64 (44 bytes) is first encoded at the start of the array and moved: the lines before it are
        // shorter than 44 bytes for a root key of device "a", longer for the others.
        String expected = "doorbell-root-key v1\ndevice: " + device + "\nkey: " + KEY_BASE64 + "\n";
        assertEquals(
                expected,
                new String(
                        KeyFileText.format("doorbell-root-key v1", Map.of("device", device), SecretBytes.copyOf(KEY)),
                        StandardCharsets.UTF_8));
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("device", device);
        fields.put("epoch", "2147483647");
        assertEquals(
                MAGIC + "\ndevice: " + device + "\nepoch: 2147483647\nkey: " + KEY_BASE64 + "\n",
                new String(KeyFileText.format(MAGIC, fields, SecretBytes.copyOf(KEY)), StandardCharsets.UTF_8));
    }

    @Test
    void write_theOneCopyOfTheFileIsZeroedAfterWriting() {
        List<byte[]> handed = new ArrayList<>();
        List<String> written = new ArrayList<>();
        KeyFileText.write(
                dir.resolve("epoch.key"),
                MAGIC,
                Map.of("device", "a"),
                SecretBytes.copyOf(KEY),
                "epoch key of device a",
                false,
                (file, content, sync) -> {
                    handed.add(content);
                    written.add(new String(content, StandardCharsets.UTF_8) + " sync=" + sync);
                });
        assertEquals(List.of(MAGIC + "\ndevice: a\nkey: " + KEY_BASE64 + "\n sync=false"), written);
        assertArrayEquals(new byte[handed.get(0).length], handed.get(0));
    }

    @Test
    void write_sinkFails_errorNamesKeyAndFile_copyZeroedAnyway() {
        Path file = dir.resolve("epoch.key");
        List<byte[]> handed = new ArrayList<>();
        KeyFileException e = assertThrows(
                KeyFileException.class,
                () -> KeyFileText.write(
                        file,
                        MAGIC,
                        Map.of("device", "a"),
                        SecretBytes.copyOf(KEY),
                        "epoch key of device a",
                        true,
                        (f, content, sync) -> {
                            handed.add(content);
                            throw new IOException("No space left on device");
                        }));
        assertEquals("cannot write epoch key of device a to " + file + ": No space left on device", e.getMessage());
        assertArrayEquals(new byte[handed.get(0).length], handed.get(0));
    }

    @Test
    void write_intoAFileWhereADirectoryIs_errorNamesKeyAndFile() throws Exception {
        Path file = Files.createDirectories(dir.resolve("epoch.key"));
        Files.writeString(file.resolve("inside"), "x");
        KeyFileException e = assertThrows(
                KeyFileException.class,
                () -> KeyFileText.write(
                        file, MAGIC, Map.of("device", "a"), SecretBytes.copyOf(KEY), "epoch key of device a", false));
        assertTrue(e.getMessage().startsWith("cannot write epoch key of device a to " + file + ": "), e.getMessage());
    }

    @Test
    void requireKeySize_32BytesReturnedAsIs_otherSizesZeroedAndRefused() {
        byte[] exact = KEY.clone();
        assertSame(exact, KeyFileText.requireKeySize(dir, exact));
        for (int size : new int[] {0, 31, 33}) {
            byte[] wrong = new byte[size];
            Arrays.fill(wrong, (byte) 7);
            KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFileText.requireKeySize(dir, wrong));
            assertEquals(dir + ": 'key' is " + size + " bytes, expected 32", e.getMessage());
            assertArrayEquals(new byte[size], wrong, "a near-key is not left in memory");
        }
    }

    @Test
    void decodeKey_base64OfJustBelowAtAndAboveTheKeySize() {
        assertArrayEquals(KEY, KeyFileText.decodeKey(dir, KEY_BASE64));
        String of31 = Base64.getEncoder().encodeToString(new byte[31]);
        String of33 = Base64.getEncoder().encodeToString(new byte[33]);
        assertEquals(44, of31.length());
        assertEquals(44, of33.length());
        assertEquals(
                dir + ": 'key' is 31 bytes, expected 32",
                assertThrows(KeyFileException.class, () -> KeyFileText.decodeKey(dir, of31))
                        .getMessage());
        assertEquals(
                dir + ": 'key' is 33 bytes, expected 32",
                assertThrows(KeyFileException.class, () -> KeyFileText.decodeKey(dir, of33))
                        .getMessage());
        assertEquals(
                dir + ": 'key' is not standard base64",
                assertThrows(KeyFileException.class, () -> KeyFileText.decodeKey(dir, KEY_BASE64 + " "))
                        .getMessage());
    }

    @Test
    void parse_withAndWithoutTheLastNewline() throws Exception {
        String lines = MAGIC + "\ndevice: a\nepoch: 0\nkey: " + KEY_BASE64;
        Map<String, String> expected = Map.of("device", "a", "epoch", "0", "key", KEY_BASE64);
        assertEquals(expected, parse(lines + "\n"));
        assertEquals(expected, parse(lines));
    }

    @Test
    void parse_errorsNameFileAndLine() throws Exception {
        String device = "device: a\n";
        String epoch = "epoch: 0\n";
        String key = "key: " + KEY_BASE64 + "\n";
        assertParseFails("", "line 1: expected '" + MAGIC + "'");
        assertParseFails(MAGIC + " \n" + device + epoch + key, "line 1: expected '" + MAGIC + "'");
        assertParseFails(MAGIC + "\r\n" + device + epoch + key, "line 1: expected '" + MAGIC + "'");
        assertParseFails(
                MAGIC + "\n" + device + "colour: red\n" + epoch + key,
                "line 3: unknown line; expected one of [device, epoch, key] as 'name: value'");
        assertParseFails(MAGIC + "\n" + device + epoch + key + "\n", "line 5: unknown line");
        assertParseFails(MAGIC + "\n\n" + device + epoch + key, "line 2: unknown line");
        assertParseFails(MAGIC + "\n" + device + " epoch: 0\n" + key, "line 3: unknown line");
        assertParseFails(MAGIC + "\n" + device + "epoch:0\n" + key, "line 3: unknown line");
        assertParseFails(MAGIC + "\n" + device + ": 0\n" + key, "line 3: unknown line");
        assertParseFails(MAGIC + "\n" + device + epoch + device + key, "line 4: 'device' appears twice");
        assertParseFails(MAGIC + "\n" + device + key, ": missing line 'epoch: ...'");
    }

    private Map<String, String> parse(String content) throws IOException {
        Path file = dir.resolve("epoch.key");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return KeyFileText.parse(file, MAGIC, FIELDS);
    }

    private void assertParseFails(String content, String expected) throws IOException {
        Path file = dir.resolve("epoch.key");
        Files.writeString(file, content, StandardCharsets.UTF_8);
        KeyFileException e = assertThrows(KeyFileException.class, () -> KeyFileText.parse(file, MAGIC, FIELDS));
        assertTrue(
                e.getMessage().startsWith(file + (expected.startsWith(":") ? "" : " ") + expected),
                "'" + e.getMessage() + "' should start with '" + file + " " + expected + "'");
    }
}
