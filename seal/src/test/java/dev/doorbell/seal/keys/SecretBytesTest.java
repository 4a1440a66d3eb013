package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretBytesTest {
    private static final byte[] VALUE = {1, 2, 3, 4};

    @Test
    void copyOf_callerChangesArray_secretUnchanged() {
        byte[] source = VALUE.clone();
        SecretBytes secret = SecretBytes.copyOf(source);
        source[0] = 9;
        assertArrayEquals(VALUE, secret.toByteArray());
    }

    @Test
    void toByteArray_returnsFreshCopyEachTime() {
        SecretBytes secret = SecretBytes.copyOf(VALUE);
        byte[] first = secret.toByteArray();
        first[0] = 9;
        assertNotSame(first, secret.toByteArray());
        assertArrayEquals(VALUE, secret.toByteArray());
    }

    @Test
    void equalsConstantTime_sameAndDifferentContents_compareByValue() {
        assertTrue(SecretBytes.copyOf(VALUE).equalsConstantTime(SecretBytes.copyOf(VALUE.clone())));
        assertFalse(SecretBytes.copyOf(VALUE).equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2, 3, 5})));
        assertFalse(SecretBytes.copyOf(VALUE).equalsConstantTime(SecretBytes.copyOf(new byte[] {1, 2, 3})));
    }

    @Test
    void destroy_thenUse_throwsAndToStringSaysDestroyed() {
        SecretBytes secret = SecretBytes.copyOf(VALUE);
        secret.destroy();
        assertTrue(secret.isDestroyed());
        assertThrows(IllegalStateException.class, secret::toByteArray);
        assertEquals("SecretBytes{4 bytes, destroyed}", secret.toString());
    }

    @Test
    void withCopy_lendsTheBytesAndZeroesThemAfter() {
        SecretBytes secret = SecretBytes.copyOf(VALUE);
        byte[][] lent = new byte[1][];
        int sum = secret.withCopy(bytes -> {
            lent[0] = bytes;
            assertArrayEquals(VALUE, bytes);
            return bytes[0] + bytes[1] + bytes[2] + bytes[3];
        });
        assertEquals(10, sum);
        assertArrayEquals(new byte[4], lent[0], "the lent copy is zeroed once the function returns");
        assertArrayEquals(VALUE, secret.toByteArray(), "the secret itself is unchanged");
    }

    @Test
    void withCopy_functionThrows_copyZeroedAnyway() {
        SecretBytes secret = SecretBytes.copyOf(VALUE);
        byte[][] lent = new byte[1][];
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> secret.withCopy(bytes -> {
                    lent[0] = bytes;
                    throw new IllegalArgumentException("refused");
                }));
        assertEquals("refused", e.getMessage());
        assertArrayEquals(new byte[4], lent[0]);
    }

    @Test
    void withCopy_afterDestroy_throwsWithoutCallingTheFunction() {
        SecretBytes secret = SecretBytes.copyOf(VALUE);
        secret.destroy();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> secret.withCopy(bytes -> {
                    throw new AssertionError("called with a destroyed secret");
                }));
        assertEquals("secret of 4 bytes was destroyed", e.getMessage());
    }

    @Test
    void adopt_destroy_zeroesTheArrayHandedIn() {
        byte[] owned = VALUE.clone();
        SecretBytes secret = SecretBytes.adopt(owned);
        assertArrayEquals(VALUE, secret.toByteArray());
        secret.destroy();
        assertArrayEquals(new byte[4], owned);
    }

    @Test
    void adoptAndCopyOf_null_refused() {
        assertEquals(
                "secret bytes must not be null",
                assertThrows(IllegalArgumentException.class, () -> SecretBytes.adopt(null))
                        .getMessage());
        assertEquals(
                "secret bytes must not be null",
                assertThrows(IllegalArgumentException.class, () -> SecretBytes.copyOf(null))
                        .getMessage());
    }

    @Test
    void copy_isIndependentOfTheOriginal() {
        byte[] owned = VALUE.clone();
        SecretBytes original = SecretBytes.adopt(owned);
        SecretBytes copy = original.copy();
        original.destroy();
        assertArrayEquals(VALUE, copy.toByteArray());
        copy.destroy();
        assertArrayEquals(new byte[4], owned);
        assertThrows(IllegalStateException.class, original::copy);
    }

    @Test
    void equalsConstantTime_nullOrDestroyed_falseOrThrows() {
        SecretBytes live = SecretBytes.copyOf(VALUE);
        SecretBytes destroyed = SecretBytes.copyOf(VALUE);
        destroyed.destroy();
        assertFalse(live.equalsConstantTime(null));
        assertThrows(IllegalStateException.class, () -> live.equalsConstantTime(destroyed));
        assertThrows(IllegalStateException.class, () -> destroyed.equalsConstantTime(live));
    }

    @Test
    void size_beforeAndAfterDestroy() {
        SecretBytes secret = SecretBytes.copyOf(VALUE);
        assertEquals(4, secret.size());
        assertFalse(secret.isDestroyed());
        secret.destroy();
        assertEquals(4, secret.size());
    }

    @Test
    void toString_printsSizeOnly() {
        assertEquals(
                "SecretBytes{4 bytes}",
                SecretBytes.copyOf(new byte[] {0x41, 0x42, 0x43, 0x44}).toString());
    }
}
