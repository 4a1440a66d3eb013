package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.keys.internal.Hkdf;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The clip key derivation's own edges; SealVectorsTest checks its values against docs/FORMAT.md §2. */
class ClipFormatTest {
    @Test
    void deriveClipKey_keyAndCommitmentAreTheTwoHalvesOfOneOutput() {
        byte[] epochKey = new byte[32];
        byte[] salt = new byte[32];
        salt[0] = 1;
        byte[] clipKey = new byte[32];
        byte[] commitment = ClipFormat.deriveClipKey(epochKey, "porch", 9, salt, clipKey);
        // "doorbell/v1/clip-key" ‖ 0x00 ‖ "porch" ‖ 0x00 ‖ u64be(9), as docs/FORMAT.md §2 has it.
        byte[] info = HexFormat.of()
                .parseHex("646f6f7262656c6c2f76312f636c69702d6b6579" + "00" + "706f726368" + "00" + "0000000000000009");
        byte[] okm = Hkdf.sha256(epochKey, salt, info, 64);
        assertArrayEquals(Arrays.copyOf(okm, 32), clipKey);
        assertArrayEquals(Arrays.copyOfRange(okm, 32, 64), commitment);
    }

    @Test
    void deriveClipKey_bufferNot32Bytes_refused() {
        for (int size : new int[] {31, 33}) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> ClipFormat.deriveClipKey(new byte[32], "porch", 9, new byte[32], new byte[size]));
            assertEquals("clip key buffer of " + size + " bytes; expected 32", e.getMessage());
        }
    }
}
