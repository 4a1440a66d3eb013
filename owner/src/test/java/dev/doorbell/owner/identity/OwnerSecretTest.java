package dev.doorbell.owner.identity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class OwnerSecretTest {
    @Test
    void phrase_roundTrip_sameSecretAndSameDerivedKeys() throws Exception {
        OwnerSecret secret = OwnerSecret.generate(new SecureRandom());
        OwnerSecret recovered = OwnerSecret.fromPhrase(secret.phrase());
        assertArrayEquals(secret.bytes(), recovered.bytes());
        assertArrayEquals(secret.signingKeySeed(), recovered.signingKeySeed());
        assertArrayEquals(secret.viewerKeyMaterial(), recovered.viewerKeyMaterial());
    }

    @Test
    void fromPhrase_allZeroSecret_isTheKnownPhrase() throws Exception {
        String phrase = "abandon ".repeat(23) + "art";
        assertArrayEquals(new byte[32], OwnerSecret.fromPhrase(phrase).bytes());
        assertEquals(phrase, OwnerSecret.fromBytes(new byte[32]).phrase());
    }

    @Test
    void fromPhrase_twelveWords_refusedAsWrongCount() {
        RecoveryPhraseException e = assertThrows(
                RecoveryPhraseException.class,
                () -> OwnerSecret.fromPhrase("abandon abandon abandon abandon abandon abandon abandon abandon abandon"
                        + " abandon abandon about"));
        assertEquals(RecoveryPhraseException.Problem.WORD_COUNT, e.problem());
    }

    @Test
    void derivedKeys_fixedSecret_knownAnswers() {
        // HKDF-SHA256(ikm = 32 zero bytes, no salt, info) computed independently (Python: hmac/hashlib), so that a
        // change of label, salt or hash in the derivation cannot pass unnoticed.
        OwnerSecret zero = OwnerSecret.fromBytes(new byte[32]);
        assertEquals(KnownAnswers.SIGNING_SEED_OF_ZERO_SECRET, HexFormat.of().formatHex(zero.signingKeySeed()));
        assertEquals(KnownAnswers.VIEWER_IKM_OF_ZERO_SECRET, HexFormat.of().formatHex(zero.viewerKeyMaterial()));
    }

    @Test
    void destroy_zeroesAndRefusesFurtherUse() {
        OwnerSecret secret = OwnerSecret.generate(new SecureRandom());
        assertEquals("OwnerSecret[32 bytes]", secret.toString());
        assertFalse(secret.isDestroyed());
        secret.destroy();
        assertTrue(secret.isDestroyed());
        assertEquals("OwnerSecret[destroyed]", secret.toString());
        assertThrows(IllegalStateException.class, secret::phrase);
        assertThrows(IllegalStateException.class, secret::signingKeySeed);
    }

    private static final class KnownAnswers {
        static final String SIGNING_SEED_OF_ZERO_SECRET =
                "5793ee1234c145d55b2e98244d62875deb87d73f130b43db7edef8186f3b820c";
        static final String VIEWER_IKM_OF_ZERO_SECRET =
                "6b63396b2ec3b894408c22524755968f13e1a9c7a64a7558023dbf70ecd4af69";
    }
}
