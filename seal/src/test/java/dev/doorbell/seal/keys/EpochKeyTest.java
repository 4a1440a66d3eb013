package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.keys.internal.Hkdf;
import org.junit.jupiter.api.Test;

class EpochKeyTest {
    private static final byte[] KEY = new byte[32];

    static {
        for (int i = 0; i < KEY.length; i++) {
            KEY[i] = (byte) (i + 1);
        }
    }

    @Test
    void of_copiesTheSecret_callerMayDestroyItsOwn() {
        SecretBytes mine = SecretBytes.copyOf(KEY);
        EpochKey key = EpochKey.of("porch", 4, mine);
        mine.destroy();
        assertArrayEquals(KEY, key.secret().toByteArray());
        assertEquals("porch", key.deviceId());
        assertEquals(4, key.epoch());
    }

    @Test
    void of_wrongSizeBadEpochOrDevice_refusedWithReason() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> EpochKey.of("porch", 4, SecretBytes.copyOf(new byte[31])));
        assertEquals("epoch key of device porch epoch 4 is 31 bytes, expected 32", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EpochKey.of("porch", 4, SecretBytes.copyOf(new byte[33])));
        e = assertThrows(IllegalArgumentException.class, () -> EpochKey.of("porch", -1, SecretBytes.copyOf(KEY)));
        assertEquals("epoch 4294967295 out of range 0..2147483647", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EpochKey.of("-porch", 0, SecretBytes.copyOf(KEY)));
    }

    @Test
    void adopt_destroy_zeroesTheArrayHandedIn() {
        byte[] owned = KEY.clone();
        EpochKey key = EpochKey.adopt("porch", 0, owned);
        assertArrayEquals(KEY, key.secret().toByteArray());
        key.destroy();
        assertTrue(key.isDestroyed());
        assertArrayEquals(new byte[32], owned);
        assertEquals("EpochKey{device=porch, epoch=0, destroyed}", key.toString());
    }

    @Test
    void next_isTheRatchetStep_andLeavesThisKeyAsItWas() {
        EpochKey key = EpochKey.of("porch", 6, SecretBytes.copyOf(KEY));
        EpochKey next = key.next();
        assertEquals(7, next.epoch());
        assertArrayEquals(
                Hkdf.sha256(KEY, null, EpochRatchet.info("porch", 7), 32),
                next.secret().toByteArray());
        assertArrayEquals(KEY, key.secret().toByteArray());
        assertFalse(key.isDestroyed());
    }

    @Test
    void next_atTheLastEpoch_refused() {
        EpochKey last = EpochKey.of("porch", Integer.MAX_VALUE, SecretBytes.copyOf(KEY));
        IllegalStateException e = assertThrows(IllegalStateException.class, last::next);
        assertEquals("device porch is at the last epoch 2147483647", e.getMessage());
    }

    @Test
    void forwardTo_sameEpoch_anIndependentEqualKey() {
        EpochKey key = EpochKey.of("porch", 3, SecretBytes.copyOf(KEY));
        EpochKey same = key.forwardTo(3);
        assertNotSame(key.secret(), same.secret());
        assertTrue(same.secret().equalsConstantTime(key.secret()));
        same.destroy();
        assertFalse(key.isDestroyed());
    }

    @Test
    void forwardTo_laterEpoch_equalsRepeatedNext() {
        EpochKey key = EpochKey.of("porch", 3, SecretBytes.copyOf(KEY));
        assertTrue(key.forwardTo(6)
                .secret()
                .equalsConstantTime(key.next().next().next().secret()));
        assertEquals(6, key.forwardTo(6).epoch());
        assertArrayEquals(KEY, key.secret().toByteArray());
    }

    @Test
    void forwardTo_earlierOrNegativeEpoch_refusedWithReason() {
        EpochKey key = EpochKey.of("porch", 3, SecretBytes.copyOf(KEY));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> key.forwardTo(2));
        assertEquals(
                "cannot derive epoch 2 of device porch from epoch 3: epoch keys derive forward only", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> key.forwardTo(-1));
    }
}
