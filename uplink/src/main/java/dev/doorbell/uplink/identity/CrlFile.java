package dev.doorbell.uplink.identity;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.CRL;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;

/**
 * Reads a certificate revocation list (PEM "X509 CRL" or DER) and accepts it only if the fleet CA signed it: an
 * unsigned or foreign list could otherwise revoke every device, or un-revoke one. Plain java.security.cert: the
 * uplink has no other crypto library, and checking a signature decrypts nothing.
 */
public final class CrlFile {
    /** The CRL that {@code doorbell provision} and {@code doorbell revoke} write next to the CA certificate. */
    public static final String FILE_NAME = "crl.pem";

    private static final String CRL_NUMBER_OID = "2.5.29.20";

    private CrlFile() {}

    /** Reads and verifies {@code file}; the message of a failure names the file and what is wrong with it. */
    public static X509CRL read(Path file, X509Certificate ca) throws IOException {
        CRL crl;
        try (InputStream in = Files.newInputStream(file)) {
            crl = CertificateFactory.getInstance("X.509").generateCRL(in);
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": not a certificate revocation list: " + e.getMessage(), e);
        }
        if (!(crl instanceof X509CRL x509)) {
            throw new IOException(file + ": not an X.509 certificate revocation list");
        }
        if (!x509.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new IOException(
                    file + ": issued by " + x509.getIssuerX500Principal().getName() + ", not by the fleet CA "
                            + ca.getSubjectX500Principal().getName());
        }
        try {
            x509.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new IOException(file + ": signature does not verify with the fleet CA's key: " + e.getMessage(), e);
        }
        return x509;
    }

    /** Reads the CA certificate that client certificates and CRLs are checked against. */
    public static X509Certificate readCa(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        } catch (GeneralSecurityException | ClassCastException e) {
            throw new IOException(file + ": not an X.509 CA certificate: " + e.getMessage(), e);
        }
    }

    /**
     * The CRL number extension (RFC 5280 §5.2.3), or -1 if absent. The extension value is an OCTET STRING wrapping a
     * DER INTEGER; both are short-form here, since a CRL number has at most 20 octets.
     */
    public static BigInteger number(X509CRL crl) {
        byte[] ext = crl.getExtensionValue(CRL_NUMBER_OID);
        if (ext == null || ext.length < 4 || ext[0] != 0x04 || ext[2] != 0x02) {
            return BigInteger.ONE.negate();
        }
        int length = ext[3];
        if (length <= 0 || length > 21 || ext.length != 4 + length) {
            return BigInteger.ONE.negate();
        }
        byte[] value = new byte[length];
        System.arraycopy(ext, 4, value, 0, length);
        return new BigInteger(value);
    }
}
