package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.doorbell.seal.keys.internal.Hkdf;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The edges of {@link Hkdf} that the Wycheproof vectors do not reach; the vectors check the values. */
class HkdfTest {
    private static final byte[] IKM = {1, 2, 3};
    private static final byte[] INFO = {4};

    @Test
    void sha256_everyLengthAtTheLimits() {
        assertEquals(0, Hkdf.sha256(IKM, null, INFO, 0).length);
        byte[] longest = Hkdf.sha256(IKM, null, INFO, 8160);
        assertEquals(8160, longest.length);
        assertArrayEquals(Arrays.copyOf(longest, 1), Hkdf.sha256(IKM, null, INFO, 1));
        assertEquals(
                "HKDF-SHA256 output of 8161 bytes requested; allowed: 0..8160",
                assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(IKM, null, INFO, 8161))
                        .getMessage());
        assertEquals(
                "HKDF-SHA256 output of -1 bytes requested; allowed: 0..8160",
                assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(IKM, null, INFO, -1))
                        .getMessage());
    }

    @Test
    void sha256_emptySaltIsTheAbsentSalt() {
        assertArrayEquals(Hkdf.sha256(IKM, null, INFO, 32), Hkdf.sha256(IKM, new byte[0], INFO, 32));
        assertArrayEquals(Hkdf.sha256(IKM, null, INFO, 32), Hkdf.sha256(IKM, new byte[32], INFO, 32));
    }

    @Test
    void sha256Into_outputsAreConsecutivePartsOfOneOutput() {
        byte[] whole = Hkdf.sha256(IKM, new byte[] {7}, INFO, 64);
        byte[] first = new byte[32];
        byte[] second = new byte[32];
        Hkdf.sha256Into(IKM, new byte[] {7}, INFO, first, second);
        assertArrayEquals(Arrays.copyOf(whole, 32), first);
        assertArrayEquals(Arrays.copyOfRange(whole, 32, 64), second);
    }

    @Test
    void sha256Into_outputIsTheInputKey_sameAsFromACopy() {
        byte[] key = Hkdf.sha256(IKM, null, INFO, 32);
        byte[] expected = Hkdf.sha256(key.clone(), null, INFO, 32);
        Hkdf.sha256Into(key, null, INFO, key);
        assertArrayEquals(expected, key);
    }

    @Test
    void sha256Into_totalAboveTheLimit_refusedBeforeWriting() {
        byte[] a = new byte[8000];
        byte[] b = new byte[161];
        assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256Into(IKM, null, INFO, a, b));
        assertArrayEquals(new byte[8000], a);
    }

    @Test
    void sha256_nullKeyOrInfo_refused() {
        String message = "HKDF input key material and info must not be null";
        assertEquals(
                message,
                assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(null, null, INFO, 32))
                        .getMessage());
        assertEquals(
                message,
                assertThrows(IllegalArgumentException.class, () -> Hkdf.sha256(IKM, null, null, 32))
                        .getMessage());
    }
}
