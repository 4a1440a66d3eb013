package dev.doorbell.seal.v2;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.seal.internal.ClipFormat;
import dev.doorbell.seal.testing.InsecureDeterministicRandom;
import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RecipientKeyPairTest {
    private static final HexFormat HEX = HexFormat.of();
    private final InsecureDeterministicRandom random = new InsecureDeterministicRandom("recipient-key-pair-test");

    @Test
    void derive_rfc9180A1_ikmRGivesTheRfcKeyPair() {
        // RFC 9180 A.1 (DHKEM(X25519, HKDF-SHA256)): ikmR -> skRm, pkRm.
        RecipientKeyPair pair = RecipientKeyPair.derive(
                "owner", HEX.parseHex("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"));
        assertEquals(
                "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8", HEX.formatHex(pair.privateKey()));
        assertEquals(
                "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
                HEX.formatHex(pair.publicKey().publicKey()));
    }

    @Test
    void keyId_isSha256OfKemAndPublicKey_first8Bytes() {
        RecipientKeyPair pair = RecipientKeyPair.generate("alice", random);
        byte[] input = new byte[34];
        input[0] = 0x00;
        input[1] = 0x20;
        System.arraycopy(pair.publicKey().publicKey(), 0, input, 2, 32);
        assertArrayEquals(Arrays.copyOf(ClipFormat.sha256(input), 8), pair.keyId());
        assertEquals(8, pair.publicKey().keyId().length);
    }

    @Test
    void fromPrivate_samePublicKeyAsGenerate() {
        RecipientKeyPair pair = RecipientKeyPair.generate("alice", random);
        assertEquals(
                pair.publicKey(),
                RecipientKeyPair.fromPrivate("alice", pair.privateKey()).publicKey());
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.fromPrivate("alice", new byte[31]));
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.fromPrivate("alice", null));
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.derive("alice", new byte[31]));
    }

    @Test
    void publicKeys_equalByNameKemAndKey() {
        RecipientPublicKey alice = RecipientKeyPair.generate("alice", random).publicKey();
        RecipientPublicKey same = RecipientPublicKey.x25519("alice", alice.publicKey());
        assertEquals(alice, same);
        assertEquals(alice.hashCode(), same.hashCode());
        assertNotEquals(alice, alice.withName("bob"));
        assertNotEquals(alice, RecipientKeyPair.generate("alice", random).publicKey());
        assertEquals(
                "RecipientPublicKey{alice, kem 0x0020, key id " + HEX.formatHex(alice.keyId()) + "}", alice.toString());
        assertEquals(alice, RecipientPublicKey.fromProto(alice.toProto()));
    }

    @Test
    void destroy_zeroesThePrivateKey() {
        RecipientKeyPair pair = RecipientKeyPair.generate("alice", random);
        byte[] sk = V2Fixture.secretArray(pair, "privateKey");
        assertFalse(V2Fixture.allZero(sk));
        assertFalse(pair.isDestroyed());
        pair.destroy();
        assertTrue(pair.isDestroyed());
        assertTrue(pair.toString().endsWith(", destroyed}"), pair.toString());
        assertTrue(V2Fixture.allZero(sk));
        assertThrows(IllegalStateException.class, pair::privateKey);
        assertThrows(
                IllegalStateException.class, () -> pair.open(new byte[32], new byte[48], new byte[0], new byte[0]));
        assertFalse(pair.toString().contains(HEX.formatHex(sk)));
    }

    @Test
    void names_ruleEnforced() {
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.generate("Alice", random));
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.generate("-x", random));
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.generate("a/b", random));
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.generate("", random));
        assertThrows(IllegalArgumentException.class, () -> RecipientKeyPair.generate("x".repeat(64), random));
        assertEquals(
                "x".repeat(63),
                RecipientKeyPair.generate("x".repeat(63), random).name());
        assertEquals(
                "alice_phone-2",
                RecipientKeyPair.generate("alice_phone-2", random).name());
    }

    @Test
    void publicKey_otherKemOrSize_refused() {
        assertThrows(IllegalArgumentException.class, () -> new RecipientPublicKey("a", 0x647a, new byte[32]));
        assertThrows(IllegalArgumentException.class, () -> RecipientPublicKey.x25519("a", new byte[31]));
    }
}
