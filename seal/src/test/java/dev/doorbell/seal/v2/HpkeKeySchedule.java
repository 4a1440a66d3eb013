package dev.doorbell.seal.v2;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.prng.FixedSecureRandom;
import org.bouncycastle.pqc.crypto.xwing.XWingKEMGenerator;
import org.bouncycastle.pqc.crypto.xwing.XWingPublicKeyParameters;

/**
 * TEST ONLY: RFC 9180's key schedule for mode_base, HKDF-SHA256 and AES-256-GCM written out from the RFC (§5.1,
 * LabeledExtract and LabeledExpand over the JDK's HmacSHA256), independent of BouncyCastle's HPKE, so that the
 * vectors check what BouncyCastle does with an X-Wing shared secret (suite id with kem 0x647a) rather than trust it.
 * {@code HpkeKeyScheduleTest} checks this code on RFC 9180's own vectors first.
 */
record HpkeKeySchedule(byte[] sharedSecret, byte[] key, byte[] baseNonce) {
    private static final int KDF_HKDF_SHA256 = 0x0001;
    private static final int AEAD_AES_256_GCM = 0x0002;

    /** X-Wing's encapsulation by BouncyCastle's KEM (not its HPKE) with {@code eseed}, then the schedule. */
    static HpkeKeySchedule xWing(byte[] publicKey, byte[] eseed, byte[] info) {
        byte[] sharedSecret = new XWingKEMGenerator(new FixedSecureRandom(eseed.clone()))
                .generateEncapsulated(new XWingPublicKeyParameters(publicKey))
                .getSecret();
        return of(RecipientPublicKey.KEM_X_WING, sharedSecret, info);
    }

    /** KeySchedule(mode_base, shared_secret, info, psk = "", psk_id = "") of RFC 9180 §5.1 for kem {@code kemId}. */
    static HpkeKeySchedule of(int kemId, byte[] sharedSecret, byte[] info) {
        byte[] suiteId = ByteBuffer.allocate(10)
                .put(ascii("HPKE"))
                .putShort((short) kemId)
                .putShort((short) KDF_HKDF_SHA256)
                .putShort((short) AEAD_AES_256_GCM)
                .array();
        byte[] pskIdHash = labeledExtract(suiteId, new byte[0], "psk_id_hash", new byte[0]);
        byte[] infoHash = labeledExtract(suiteId, new byte[0], "info_hash", info);
        byte[] context = concat(new byte[] {0}, pskIdHash, infoHash);
        byte[] secret = labeledExtract(suiteId, sharedSecret, "secret", new byte[0]);
        return new HpkeKeySchedule(
                sharedSecret.clone(),
                labeledExpand(suiteId, secret, "key", context, 32),
                labeledExpand(suiteId, secret, "base_nonce", context, 12));
    }

    private static byte[] labeledExtract(byte[] suiteId, byte[] salt, String label, byte[] ikm) {
        return hmac(salt.length == 0 ? new byte[32] : salt, concat(ascii("HPKE-v1"), suiteId, ascii(label), ikm));
    }

    /** One HKDF-Expand block is enough: every output here is at most 32 bytes. */
    private static byte[] labeledExpand(byte[] suiteId, byte[] prk, String label, byte[] info, int length) {
        byte[] labeledInfo = concat(
                ByteBuffer.allocate(2).putShort((short) length).array(), ascii("HPKE-v1"), suiteId, ascii(label), info);
        return Arrays.copyOf(hmac(prk, concat(labeledInfo, new byte[] {1})), length);
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuffer out =
                ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }
}
