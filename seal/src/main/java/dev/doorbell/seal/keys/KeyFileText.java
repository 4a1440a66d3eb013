package dev.doorbell.seal.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text layout of every key file (docs/FORMAT.md §5): a magic first line, then {@code name: value} lines in any
 * order, each exactly once; anything else is an error naming the file and line. v1's epoch.key and &lt;device&gt;.root
 * and the v2 files (docs/FORMAT.md §13, {@code dev.doorbell.seal.v2.KeyFiles}) all go through this one reader.
 */
public final class KeyFileText {
    private KeyFileText() {}

    public static Map<String, String> parse(Path file, String magic, List<String> fields) {
        return parse(file, magic, fields, List.of());
    }

    /**
     * As {@link #parse(Path, String, List)}, where the lines of {@code optional} may also appear, at most once each
     * (a line added in a later version, absent from older files: viewer.key's {@code kem}).
     */
    public static Map<String, String> parse(Path file, String magic, List<String> fields, List<String> optional) {
        String text;
        try {
            text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new KeyFileException("key file " + file + " does not exist", e);
        } catch (IOException e) {
            throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage(), e);
        }
        // The "\n" after the last line is optional; every other line break ends a line, so an empty line is an error.
        String body = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
        String[] lines = body.split("\n", -1);
        if (!lines[0].equals(magic)) {
            throw new KeyFileException(file + " line 1: expected '" + magic + "'");
        }
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            String[] nameValue = lines[i].split(": ", 2);
            if (nameValue.length != 2 || !(fields.contains(nameValue[0]) || optional.contains(nameValue[0]))) {
                List<String> known = new ArrayList<>(fields);
                known.addAll(optional);
                throw new KeyFileException(
                        file + " line " + (i + 1) + ": unknown line; expected one of " + known + " as 'name: value'");
            }
            if (values.put(nameValue[0], nameValue[1]) != null) {
                throw new KeyFileException(file + " line " + (i + 1) + ": '" + nameValue[0] + "' appears twice");
            }
        }
        for (String field : fields) {
            if (!values.containsKey(field)) {
                throw new KeyFileException(file + ": missing line '" + field + ": ...'");
            }
        }
        return values;
    }

    /** Decodes a 32-byte key from standard base64 with padding; the message never quotes the value. */
    public static byte[] decodeKey(Path file, String value) {
        return decodeKey(file, "key", value);
    }

    /** As {@link #decodeKey(Path, String)} for the line {@code field}, which the message names. */
    public static byte[] decodeKey(Path file, String field, String value) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file + ": '" + field + "' is not standard base64");
        }
        return requireKeySize(file, field, key);
    }

    /**
     * Decodes a public key of {@code size} bytes (an X-Wing key is 1216) from standard base64 with padding, for the
     * line {@code field}.
     */
    public static byte[] decodePublic(Path file, String field, String value, int size) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new KeyFileException(file + ": '" + field + "' is not standard base64");
        }
        if (key.length != size) {
            throw new KeyFileException(file + ": '" + field + "' is " + key.length + " bytes, expected " + size);
        }
        return key;
    }

    /** Returns {@code key} if it is 32 bytes long; otherwise zeroes it (it may be most of a key) and throws. */
    static byte[] requireKeySize(Path file, byte[] key) {
        return requireKeySize(file, "key", key);
    }

    private static byte[] requireKeySize(Path file, String field, byte[] key) {
        if (key.length != EpochRatchet.KEY_BYTES) {
            int size = key.length;
            Arrays.fill(key, (byte) 0);
            throw new KeyFileException(
                    file + ": '" + field + "' is " + size + " bytes, expected " + EpochRatchet.KEY_BYTES);
        }
        return key;
    }

    /** Where {@link #write} puts the finished bytes: {@link DurableFiles#writePrivate}, or a test's own. */
    interface Sink {
        void write(Path file, byte[] content, boolean sync) throws IOException;
    }

    /**
     * Writes a key file with mode 0600, atomically and durably (without {@code sync} the caller makes it durable
     * later, see DurableFiles), and zeroes the one plaintext copy it made; {@code what} names the key in the error
     * ("epoch key of device porch").
     */
    public static void write(
            Path file, String magic, Map<String, String> publicFields, SecretBytes key, String what, boolean sync) {
        write(file, magic, publicFields, key, what, sync, DurableFiles::writePrivate);
    }

    static void write(
            Path file,
            String magic,
            Map<String, String> publicFields,
            SecretBytes key,
            String what,
            boolean sync,
            Sink sink) {
        byte[] content = format(magic, publicFields, key);
        try {
            sink.write(file, content, sync);
        } catch (IOException e) {
            throw new KeyFileException("cannot write " + what + " to " + file + ": " + e.getMessage(), e);
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /**
     * Writes a key file that holds no secret (public keys only: every line is in {@code fields}, in that order) with
     * mode 0644, atomically; durably with {@code sync}.
     */
    public static void writePublic(Path file, String magic, Map<String, String> fields, String what, boolean sync) {
        StringBuilder text = new StringBuilder(magic).append('\n');
        fields.forEach(
                (name, value) -> text.append(name).append(": ").append(value).append('\n'));
        try {
            DurableFiles.writePublic(file, text.toString().getBytes(StandardCharsets.UTF_8), sync);
        } catch (IOException e) {
            throw new KeyFileException("cannot write " + what + " to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * The whole file in one array, which is the only place the key's base64 is ever written: it is encoded at the
     * start of the array and moved to its place at the end, and then the public lines overwrite the start.
     */
    static byte[] format(String magic, Map<String, String> publicFields, SecretBytes key) {
        StringBuilder text = new StringBuilder(magic).append('\n');
        publicFields.forEach(
                (name, value) -> text.append(name).append(": ").append(value).append('\n'));
        byte[] head = text.append("key: ").toString().getBytes(StandardCharsets.UTF_8);
        // Base64 with padding: 4 characters for every 3 bytes or part of 3 (44 for a 32-byte key).
        byte[] content = new byte[head.length + 4 * ((key.size() + 2) / 3) + 1];
        int encodedLength = key.withCopy(bytes -> Base64.getEncoder().encode(bytes, content));
        System.arraycopy(content, 0, content, head.length, encodedLength);
        System.arraycopy(head, 0, content, 0, head.length);
        content[content.length - 1] = '\n';
        return content;
    }
}
