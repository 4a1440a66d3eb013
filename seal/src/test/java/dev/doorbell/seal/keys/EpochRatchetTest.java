package dev.doorbell.seal.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.doorbell.seal.keys.internal.Hkdf;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EpochRatchetTest {
    @Test
    void info_isLabelDeviceAndBigEndianEpoch() {
        assertEquals(
                HexFormat.of().formatHex("doorbell/v1/epoch-key".getBytes(StandardCharsets.US_ASCII)) + "00"
                        + "706f726368" + "00" + "01020304",
                HexFormat.of().formatHex(EpochRatchet.info("porch", 0x01020304)));
    }

    @Test
    void step_overwritesTheKeyInPlaceWithTheNextOne() {
        byte[] key = new byte[32];
        key[31] = 9;
        byte[] expected = Hkdf.sha256(key.clone(), null, EpochRatchet.info("porch", 5), 32);
        EpochRatchet.step(key, "porch", 5);
        assertArrayEquals(expected, key, "the older key is gone from the array, replaced by the next");
    }

    @Test
    void forward_stepsEachEpochInTurn_andNothingWhenFromIsTo() {
        byte[] key = new byte[32];
        byte[] stepped = key.clone();
        EpochRatchet.step(stepped, "porch", 3);
        EpochRatchet.step(stepped, "porch", 4);
        EpochRatchet.forward(key, "porch", 2, 4);
        assertArrayEquals(stepped, key);
        EpochRatchet.forward(key, "porch", 4, 4);
        assertArrayEquals(stepped, key);
    }

    @Test
    void requireEpoch_zeroAndMaxAccepted_negativeRefused() {
        assertEquals(0, EpochRatchet.requireEpoch(0));
        assertEquals(Integer.MAX_VALUE, EpochRatchet.requireEpoch(Integer.MAX_VALUE));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> EpochRatchet.requireEpoch(Integer.MIN_VALUE));
        assertEquals("epoch 2147483648 out of range 0..2147483647", e.getMessage());
    }
}
