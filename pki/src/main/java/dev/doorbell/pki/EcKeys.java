package dev.doorbell.pki;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * EC P-256 key pairs and ECDSA signatures from BouncyCastle's provider, which multiplies the fixed base point with a
 * precomputed comb: about a quarter of a millisecond per key pair or signature where SunEC (JDK 17) takes about one,
 * which is most of the time of provisioning a large fleet. The keys are written as PKCS#8 and X.509 with the named
 * curve, so any reader (JDK, Netty, BoringSSL, Python) takes them whatever made them. Every TLS 1.3 stack signs with
 * P-256.
 */
final class EcKeys {
    static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";
    /** Not registered with {@link java.security.Security}: only provisioning asks for it, by reference. */
    static final Provider PROVIDER = new BouncyCastleProvider();

    private EcKeys() {}

    static KeyPair generate(SecureRandom random) {
        try {
            // A new generator per call: KeyPairGenerator instances are not specified to be thread-safe. The comb table
            // lives with the curve's base point, so a new generator does not recompute it.
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", PROVIDER);
            generator.initialize(new ECGenParameterSpec("secp256r1"), random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make EC P-256 keys", e);
        }
    }
}
