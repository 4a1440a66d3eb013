package dev.doorbell.seal.v2;

/**
 * A device key certificate that does not hold (docs/FORMAT.md §11): not parsable, not signed by the owner's key,
 * or for another device. The message names the device and the owner key's fingerprint.
 */
public final class CertificateRefused extends Exception {
    private static final long serialVersionUID = 1L;

    CertificateRefused(String message) {
        super(message);
    }
}
