package dev.doorbell.device.keys;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The text layout shared by epoch.key and &lt;device&gt;.root (docs/FORMAT.md §5): a magic first line, then
 * {@code name: value} lines in any order, each exactly once; anything else is an error naming the file and line.
 */
final class KeyFileText {
  private KeyFileText() {}

  static Map<String, String> parse(Path file, String magic, List<String> fields) {
    String text;
    try {
      text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new KeyFileException("key file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new KeyFileException("cannot read key file " + file + ": " + e.getMessage(), e);
    }
    String[] lines = text.split("\n", -1);
    int count = lines.length > 1 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
    if (!lines[0].equals(magic)) {
      throw new KeyFileException(file + " line 1: expected '" + magic + "'");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (int i = 1; i < count; i++) {
      int colon = lines[i].indexOf(": ");
      String name = colon < 0 ? null : lines[i].substring(0, colon);
      if (name == null || !fields.contains(name)) {
        throw new KeyFileException(file + " line " + (i + 1) + ": unknown line; expected one of " + fields
            + " as 'name: value'");
      }
      if (values.put(name, lines[i].substring(colon + 2)) != null) {
        throw new KeyFileException(file + " line " + (i + 1) + ": '" + name + "' appears twice");
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
  static byte[] decodeKey(Path file, String value) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new KeyFileException(file + ": 'key' is not standard base64");
    }
    if (key.length != EpochRatchet.KEY_BYTES) {
      Arrays.fill(key, (byte) 0);
      throw new KeyFileException(file + ": 'key' is " + key.length + " bytes, expected " + EpochRatchet.KEY_BYTES);
    }
    return key;
  }

  /** Lays out a key file; the key's base64 is built as bytes and the caller zeroes the result after writing. */
  /**
   * Writes a key file with mode 0600, atomically and durably, wiping the plaintext copies it made; {@code what}
   * names the key in the error ("epoch key of device porch").
   */
  static void write(Path file, String magic, Map<String, String> publicFields, SecretBytes key, String what) {
    write(file, magic, publicFields, key, what, true);
  }

  /** As above; without {@code sync} the caller makes the file durable later (see DurableFiles). */
  static void write(Path file, String magic, Map<String, String> publicFields, SecretBytes key, String what,
      boolean sync) {
    byte[] secret = key.toByteArray();
    byte[] content = format(magic, publicFields, secret);
    Arrays.fill(secret, (byte) 0);
    try {
      DurableFiles.writePrivate(file, content, sync);
    } catch (IOException e) {
      throw new KeyFileException("cannot write " + what + " to " + file + ": " + e.getMessage(), e);
    } finally {
      Arrays.fill(content, (byte) 0);
    }
  }

  static byte[] format(String magic, Map<String, String> publicFields, byte[] key) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes((magic + "\n").getBytes(StandardCharsets.UTF_8));
    publicFields.forEach((k, v) -> out.writeBytes((k + ": " + v + "\n").getBytes(StandardCharsets.UTF_8)));
    out.writeBytes("key: ".getBytes(StandardCharsets.UTF_8));
    byte[] encoded = Base64.getEncoder().encode(key);
    out.writeBytes(encoded);
    Arrays.fill(encoded, (byte) 0);
    out.write('\n');
    return out.toByteArray();
  }
}
