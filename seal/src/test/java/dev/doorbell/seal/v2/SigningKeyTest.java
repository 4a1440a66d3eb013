package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

class SigningKeyTest {
    private static final HexFormat HEX = HexFormat.of();
    // RFC 8032 §7.1, TEST 2: a one-byte message.
    private static final byte[] RFC_SEED =
            HEX.parseHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    private static final byte[] RFC_PUBLIC =
            HEX.parseHex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");
    private static final byte[] RFC_SIGNATURE =
            HEX.parseHex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
                    + "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00");

    private final InsecureDeterministicRandom random = new InsecureDeterministicRandom("signing-key-test");

    @Test
    void fromSeed_rfc8032Test2_publicKeyAndSignatureOfPureEd25519() {
        SigningKey key = SigningKey.fromSeed(RFC_SEED);
        assertArrayEquals(RFC_PUBLIC, key.publicKey().bytes());
        // The RFC signs the bare message 0x72; a v2 signature signs ASCII(context) ‖ 0x00 ‖ message, so the RFC's
        // signature verifies through BouncyCastle's signer with the same key, and ours equals that signer's output.
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(RFC_SEED));
        signer.update((byte) 0x72);
        assertArrayEquals(RFC_SIGNATURE, signer.generateSignature());
    }

    @Test
    void sign_isEd25519OverContextZeroMessage() {
        SigningKey key = SigningKey.generate(random);
        byte[] message = "the list".getBytes(StandardCharsets.US_ASCII);
        byte[] expectedInput = "doorbell/v2/recipient-list\0the list".getBytes(StandardCharsets.US_ASCII);
        Ed25519Signer signer = new Ed25519Signer();
        signer.init(true, new Ed25519PrivateKeyParameters(key.seed()));
        signer.update(expectedInput, 0, expectedInput.length);
        assertArrayEquals(signer.generateSignature(), key.sign(Contexts.RECIPIENT_LIST, message));
        assertTrue(
                key.publicKey().verify(Contexts.RECIPIENT_LIST, message, key.sign(Contexts.RECIPIENT_LIST, message)));
    }

    @Test
    void verify_otherContextOtherMessageOtherKeyOrFlippedBit_false() {
        SigningKey key = SigningKey.generate(random);
        byte[] message = {1, 2, 3};
        byte[] signature = key.sign(Contexts.CLIP_HEADER, message);
        assertTrue(key.publicKey().verify(Contexts.CLIP_HEADER, message, signature));
        assertFalse(key.publicKey().verify(Contexts.SHARE, message, signature));
        assertFalse(key.publicKey().verify(Contexts.CLIP_HEADER, new byte[] {1, 2, 4}, signature));
        assertFalse(SigningKey.generate(random).publicKey().verify(Contexts.CLIP_HEADER, message, signature));
        for (int bit = 0; bit < signature.length * 8; bit++) {
            byte[] flipped = signature.clone();
            flipped[bit / 8] ^= (byte) (1 << (bit % 8));
            assertFalse(key.publicKey().verify(Contexts.CLIP_HEADER, message, flipped), "bit " + bit);
        }
        assertFalse(key.publicKey().verify(Contexts.CLIP_HEADER, message, new byte[63]));
        assertFalse(key.publicKey().verify(Contexts.CLIP_HEADER, message, null));
    }

    @Test
    void verify_publicKeyNotOnTheCurve_falseNotAnException() {
        // y = 2 is not the y-coordinate of a point of edwards25519.
        byte[] notAPoint = new byte[32];
        notAPoint[0] = 2;
        assertFalse(new VerifyingKey(notAPoint).verify(Contexts.CLIP_HEADER, new byte[0], new byte[64]));
    }

    @Test
    void contextBoundary_isUnambiguous() {
        SigningKey key = SigningKey.generate(random);
        // "a" ‖ 0 ‖ "b\0c" and "a\0b" ‖ 0 ‖ "c" would be the same bytes: contexts with a 0x00 are refused.
        assertThrows(IllegalArgumentException.class, () -> key.sign("a\0b", new byte[] {'c'}));
        // Printable ASCII only: 0x21 '!' to 0x7e '~'.
        assertThrows(IllegalArgumentException.class, () -> key.sign("a b", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> key.sign("a\u007f", new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> key.sign("caf\u00e9", new byte[0]));
        assertTrue(key.publicKey().verify("!~", new byte[0], key.sign("!~", new byte[0])));
    }

    @Test
    void destroy_zeroesTheSeedAndRefusesToSign() {
        SigningKey key = SigningKey.generate(random);
        byte[] seed = V2Fixture.secretArray(key, "seed");
        assertFalse(V2Fixture.allZero(seed));
        assertFalse(key.isDestroyed());
        assertFalse(key.toString().contains("destroyed"));
        key.destroy();
        assertTrue(key.toString().contains("destroyed"), key.toString());
        assertTrue(key.isDestroyed());
        assertTrue(V2Fixture.allZero(seed));
        assertThrows(IllegalStateException.class, () -> key.sign(Contexts.SHARE, new byte[0]));
        assertThrows(IllegalStateException.class, key::seed);
    }

    @Test
    void fromSeed_copiesTheCallersArray() {
        byte[] seed = RFC_SEED.clone();
        SigningKey key = SigningKey.fromSeed(seed);
        java.util.Arrays.fill(seed, (byte) 0);
        assertArrayEquals(RFC_SEED, key.seed());
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[33]));
        assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(null));
    }

    @Test
    void toString_printsTheFingerprintNeverTheSeed() {
        SigningKey key = SigningKey.fromSeed(RFC_SEED);
        String s = key.toString();
        assertTrue(s.contains(key.publicKey().fingerprint()), s);
        assertFalse(s.contains(HEX.formatHex(RFC_SEED).substring(0, 8)), s);
        assertEquals(16, key.publicKey().fingerprint().length());
        assertEquals(key.publicKey(), new VerifyingKey(RFC_PUBLIC));
        assertEquals(key.publicKey().hashCode(), new VerifyingKey(RFC_PUBLIC).hashCode());
        assertEquals(
                "VerifyingKey{" + key.publicKey().fingerprint() + "}",
                key.publicKey().toString());
        assertThrows(IllegalArgumentException.class, () -> new VerifyingKey(new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> new VerifyingKey(null));
        assertNotEquals(key.publicKey(), SigningKey.generate(random).publicKey());
    }
}
