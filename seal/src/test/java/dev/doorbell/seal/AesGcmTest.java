package dev.doorbell.seal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.internal.AesGcm;
import javax.crypto.AEADBadTagException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The engine's own contract on each provider: key ownership and erasure, nonce and length checks. */
class AesGcmTest {
    private static final byte[] NONCE = new byte[12];
    private static final byte[] AAD = {1, 2};

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void destroy_zeroesTheKeyHandedIn(GcmProvider provider) {
        byte[] key = key(32);
        AesGcm gcm = AesGcm.create(provider, key);
        assertFalse(gcm.isDestroyed());
        gcm.destroy();
        assertTrue(gcm.isDestroyed());
        assertArrayEquals(new byte[32], key);
    }

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void sealAndOpen_afterDestroy_refused(GcmProvider provider) throws Exception {
        AesGcm gcm = AesGcm.create(provider, key(32));
        byte[] sealed = gcm.seal(NONCE, AAD, new byte[16]);
        gcm.destroy();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> gcm.seal(NONCE, AAD, new byte[16]));
        assertEquals("AES-GCM key was destroyed", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> gcm.open(NONCE, AAD, sealed));
        assertEquals("AES-GCM key was destroyed", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void sealAndOpen_nonceJustShorterOrLongerThan12Bytes_refused(GcmProvider provider) throws Exception {
        AesGcm gcm = AesGcm.create(provider, key(32));
        byte[] sealed = gcm.seal(NONCE, AAD, new byte[5]);
        for (int size : new int[] {11, 13}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> gcm.open(new byte[size], AAD, sealed));
            assertEquals("AES-GCM nonce of " + size + " bytes; expected 12", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> gcm.seal(new byte[size], AAD, new byte[5]));
            assertEquals("AES-GCM nonce of " + size + " bytes; expected 12", e.getMessage());
        }
        assertArrayEquals(new byte[5], gcm.open(NONCE, AAD, sealed));
    }

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void open_sealedShorterThanTheTag_badTag_exactlyTheTagIsAnEmptyFrame(GcmProvider provider) throws Exception {
        AesGcm gcm = AesGcm.create(provider, key(32));
        byte[] tagOnly = gcm.seal(NONCE, AAD, new byte[0]);
        assertEquals(16, tagOnly.length);
        assertEquals(0, gcm.open(NONCE, AAD, tagOnly).length);
        AEADBadTagException e = assertThrows(
                AEADBadTagException.class, () -> gcm.open(NONCE, AAD, java.util.Arrays.copyOf(tagOnly, 15)));
        assertEquals("sealed bytes (15) shorter than the 16-byte tag", e.getMessage());
        tagOnly[0] ^= 1;
        assertThrows(AEADBadTagException.class, () -> gcm.open(NONCE, AAD, tagOnly));
    }

    @ParameterizedTest
    @EnumSource(GcmProvider.class)
    void create_aesKeySizesOnly(GcmProvider provider) throws Exception {
        for (int size : new int[] {16, 24, 32}) {
            AesGcm gcm = AesGcm.create(provider, key(size));
            assertArrayEquals(new byte[3], gcm.open(NONCE, AAD, gcm.seal(NONCE, AAD, new byte[3])), size + " bytes");
        }
        for (int size : new int[] {0, 15, 17, 31, 33}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> AesGcm.create(provider, key(size)));
            assertEquals("AES key of " + size + " bytes; expected 16, 24 or 32", e.getMessage());
        }
    }

    private static byte[] key(int size) {
        byte[] key = new byte[size];
        for (int i = 0; i < size; i++) {
            key[i] = (byte) (i + 1);
        }
        return key;
    }
}
