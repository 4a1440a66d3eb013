package dev.doorbell.seal.v2;

import static dev.doorbell.seal.testing.TestData.hex;
import static dev.doorbell.seal.testing.TestData.list;
import static dev.doorbell.seal.testing.TestData.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.doorbell.seal.testing.InsecureReplayRandom;
import dev.doorbell.seal.testing.JsonFiles;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.hpke.HPKEContext;
import org.bouncycastle.crypto.hpke.HPKEContextWithEncapsulation;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;

/**
 * testdata/vectors/rfc9180/hpke_rfc9180_x25519_sha256.json (RFC 9180's own vectors, with its LICENSE): every entry,
 * through BouncyCastle's HPKE, which format v2 wraps clip keys with. Base mode (AES-128-GCM and AES-256-GCM): the
 * key pairs from DeriveKeyPair, enc from the RFC's ephemeral key, all 257 ciphertexts sealed in sequence and opened,
 * the 3 exports. Auth mode (AES-256-GCM): the key pairs, all 257 ciphertexts opened and the exports on the receiver's
 * side (BouncyCastle's auth-mode sender takes no caller ephemeral key), and a sender round trip. Then the v2 wrap
 * itself ({@link Hpke#seal} with the RFC's skE replayed) gives the RFC's first ciphertext. No entry is skipped.
 */
class HpkeRfc9180VectorsTest {
    private static final String FILE = "vectors/rfc9180/hpke_rfc9180_x25519_sha256.json";

    @Test
    void everyVector_passesThroughBouncyCastleHpke() throws Exception {
        List<String> checked = new ArrayList<>();
        for (Object o : list(JsonFiles.read(FILE).get("vectors"))) {
            Map<String, Object> v = map(o);
            int mode = number(v, "mode");
            int aead = number(v, "aead_id");
            assertEquals(32, number(v, "kem_id"));
            assertEquals(1, number(v, "kdf_id"));
            HPKE hpke = new HPKE((byte) mode, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, (short) aead);
            AsymmetricCipherKeyPair kpR = derived(hpke, v, "ikmR", "skRm", "pkRm");
            AsymmetricCipherKeyPair kpE = derived(hpke, v, "ikmE", "skEm", "pkEm");
            byte[] info = hex(v.get("info"));
            byte[] enc = hex(v.get("enc"));
            HPKEContext receiver;
            if (mode == HPKE.mode_base) {
                HPKEContextWithEncapsulation sender = hpke.setupBaseS(kpR.getPublic(), info, kpE);
                assertArrayEquals(enc, sender.getEncapsulation());
                for (Object e : list(v.get("encryptions"))) {
                    Map<String, Object> encryption = map(e);
                    assertArrayEquals(
                            hex(encryption.get("ct")),
                            sender.seal(hex(encryption.get("aad")), hex(encryption.get("pt"))));
                }
                exports(sender, v);
                receiver = hpke.setupBaseR(enc, kpR, info);
            } else {
                assertEquals(HPKE.mode_auth, mode);
                AsymmetricCipherKeyPair kpS = derived(hpke, v, "ikmS", "skSm", "pkSm");
                receiver = hpke.setupAuthR(enc, kpR, info, kpS.getPublic());
                byte[][] roundTrip = hpke.seal(kpR.getPublic(), info, new byte[] {1}, new byte[] {2}, null, null, kpS);
                assertArrayEquals(
                        new byte[] {2},
                        hpke.open(roundTrip[1], kpR, info, new byte[] {1}, roundTrip[0], null, null, kpS.getPublic()));
            }
            int opened = 0;
            for (Object e : list(v.get("encryptions"))) {
                Map<String, Object> encryption = map(e);
                assertArrayEquals(
                        hex(encryption.get("pt")),
                        receiver.open(hex(encryption.get("aad")), hex(encryption.get("ct"))));
                opened++;
            }
            assertEquals(257, opened);
            exports(receiver, v);
            checked.add("mode " + mode + " aead " + aead);
        }
        assertEquals(List.of("mode 0 aead 1", "mode 0 aead 2", "mode 2 aead 2"), checked);
    }

    @Test
    void v2Wrap_withTheRfcEphemeralKey_givesTheRfcFirstCiphertext() throws Exception {
        Map<String, Object> v = vector(0, 2);
        Map<String, Object> first = map(list(v.get("encryptions")).get(0));
        RecipientKeyPair recipient = RecipientKeyPair.derive("owner", hex(v.get("ikmR")));
        Hpke.Sealed sealed = Hpke.seal(
                recipient.publicKey(),
                hex(v.get("info")),
                hex(first.get("aad")),
                hex(first.get("pt")),
                new InsecureReplayRandom(hex(v.get("skEm"))));
        assertArrayEquals(hex(v.get("enc")), sealed.enc());
        assertArrayEquals(hex(first.get("ct")), sealed.ciphertext());
        assertArrayEquals(
                hex(first.get("pt")),
                recipient.open(sealed.enc(), sealed.ciphertext(), hex(v.get("info")), hex(first.get("aad"))));
        byte[] altered = sealed.ciphertext();
        altered[0] ^= 1;
        assertThrows(
                Hpke.OpenFailed.class,
                () -> recipient.open(sealed.enc(), altered, hex(v.get("info")), hex(first.get("aad"))));
    }

    @Test
    void open_encOfSmallOrder_failsAsOpenFailed() {
        RecipientKeyPair recipient = RecipientKeyPair.derive("owner", new byte[32]);
        // u = 0 is of small order: X25519 gives the all-zero shared secret, which RFC 9180 §7.1.4 refuses.
        assertThrows(Hpke.OpenFailed.class, () -> recipient.open(new byte[32], new byte[48], new byte[0], new byte[0]));
        assertThrows(Hpke.OpenFailed.class, () -> recipient.open(new byte[31], new byte[48], new byte[0], new byte[0]));
        assertThrows(Hpke.OpenFailed.class, () -> recipient.open(new byte[32], new byte[8], new byte[0], new byte[0]));
    }

    private static AsymmetricCipherKeyPair derived(HPKE hpke, Map<String, Object> v, String ikm, String sk, String pk) {
        AsymmetricCipherKeyPair pair = hpke.deriveKeyPair(hex(v.get(ikm)));
        assertArrayEquals(hex(v.get(sk)), ((X25519PrivateKeyParameters) pair.getPrivate()).getEncoded(), sk);
        assertArrayEquals(hex(v.get(pk)), hpke.serializePublicKey(pair.getPublic()), pk);
        return pair;
    }

    private static void exports(HPKEContext context, Map<String, Object> v) {
        int count = 0;
        for (Object x : list(v.get("exports"))) {
            Map<String, Object> export = map(x);
            assertArrayEquals(
                    hex(export.get("exported_value")),
                    context.export(hex(export.get("exporter_context")), number(export, "L")));
            count++;
        }
        assertEquals(3, count);
    }

    private static Map<String, Object> vector(int mode, int aead) throws Exception {
        for (Object o : list(JsonFiles.read(FILE).get("vectors"))) {
            Map<String, Object> v = map(o);
            if (number(v, "mode") == mode && number(v, "aead_id") == aead) {
                return v;
            }
        }
        throw new AssertionError("no vector of mode " + mode + " aead " + aead);
    }

    private static int number(Map<String, Object> m, String key) {
        return ((Number) m.get(key)).intValue();
    }
}
