package dev.doorbell.device.provision;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

/**
 * EC P-256 key pairs from the JDK's provider: a few hundred microseconds each, where RSA-2048 takes tens of
 * milliseconds, so that a fleet of 10,000 devices provisions in seconds. Every TLS 1.3 stack signs with P-256.
 */
final class EcKeys {
  static final String SIGNATURE_ALGORITHM = "SHA256withECDSA";

  private EcKeys() {}

  static KeyPair generate(SecureRandom random) {
    try {
      // A new generator per call: KeyPairGenerator instances are not specified to be thread-safe.
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), random);
      return generator.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK cannot make EC P-256 keys", e);
    }
  }
}
