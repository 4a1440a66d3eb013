package dev.doorbell.uplink.identity;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a device's client certificate when the fleet CA issued it, without a general PKIX path build: a device
 * certificate is always one step from the CA, and at 1,000 connects per second the path builder's work around the
 * one signature check was a sixth of the uplink's CPU. What it checks:
 * <ul>
 *   <li>once per distinct certificate (then remembered by its exact encoded bytes, in a bounded cache): issued by
 *   the CA's subject and signed by the CA's key, not itself a CA, key usage (if present) allows signatures,
 *   extended key usage (if present) allows client authentication, no critical extension it does not know;</li>
 *   <li>on every handshake: the validity dates, against the injected clock.</li>
 * </ul>
 * TLS itself proves that the peer holds the certificate's key; revocation and the device id are checked by the
 * session after the handshake (the CRL can change at any time, so it is never cached here). Uses only
 * {@code java.security.cert}: the uplink holds no key of its own for this and can decrypt nothing.
 */
public final class DeviceTrustManager extends X509ExtendedTrustManager {
    /** Enough for every device of several fleets of 10,000 to reconnect without a second signature check. */
    public static final int DEFAULT_CACHE_SIZE = 100_000;

    private static final int KEY_USAGE_DIGITAL_SIGNATURE = 0;
    private static final String EKU_CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
    private static final String EKU_ANY = "2.5.29.37.0";
    private static final Set<String> KNOWN_CRITICAL = Set.of(
            "2.5.29.15", // key usage
            "2.5.29.17", // subject alternative name
            "2.5.29.19", // basic constraints
            "2.5.29.37"); // extended key usage

    private final X509Certificate ca;
    private final Clock clock;
    private final VerifiedCertificates verified;

    public DeviceTrustManager(X509Certificate ca, Clock clock, int cacheSize) {
        this.ca = ca;
        this.clock = clock;
        this.verified = new VerifiedCertificates(cacheSize);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the uplink trusts device (client) certificates only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("the uplink trusts device (client) certificates only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("the uplink trusts device (client) certificates only");
    }

    /** The CA, so that devices are asked for a certificate it issued. */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[] {ca};
    }

    /** How many certificates are remembered as signed by the CA (for tests and logs). */
    public int verifiedCount() {
        return verified.size();
    }

    private void check(X509Certificate[] chain) throws CertificateException {
        if (chain == null || chain.length == 0) {
            throw new CertificateException("the device sent no certificate");
        }
        X509Certificate leaf = chain[0];
        // Dates first and every time: a cached certificate expires like any other.
        leaf.checkValidity(Date.from(clock.instant()));
        byte[] encoded = leaf.getEncoded();
        if (verified.contains(encoded)) {
            return;
        }
        checkIssuedByCa(leaf);
        verified.add(encoded);
    }

    private void checkIssuedByCa(X509Certificate leaf) throws CertificateException {
        String serial = leaf.getSerialNumber().toString(16);
        if (!leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
            throw new CertificateException("certificate serial " + serial + " was issued by "
                    + leaf.getIssuerX500Principal() + ", not by the fleet CA " + ca.getSubjectX500Principal());
        }
        try {
            leaf.verify(ca.getPublicKey());
        } catch (GeneralSecurityException e) {
            throw new CertificateException("certificate serial " + serial + " is not signed by the fleet CA: " + e, e);
        }
        if (leaf.getBasicConstraints() >= 0) {
            throw new CertificateException("certificate serial " + serial + " is a CA certificate, not a device's");
        }
        boolean[] keyUsage = leaf.getKeyUsage();
        if (keyUsage != null && !keyUsage[KEY_USAGE_DIGITAL_SIGNATURE]) {
            throw new CertificateException("certificate serial " + serial + ": key usage does not allow signatures");
        }
        List<String> extendedKeyUsage = leaf.getExtendedKeyUsage();
        if (extendedKeyUsage != null
                && !extendedKeyUsage.contains(EKU_CLIENT_AUTH)
                && !extendedKeyUsage.contains(EKU_ANY)) {
            throw new CertificateException("certificate serial " + serial + ": extended key usage " + extendedKeyUsage
                    + " does not allow TLS client authentication");
        }
        Set<String> critical = leaf.getCriticalExtensionOIDs();
        if (critical != null && !KNOWN_CRITICAL.containsAll(critical)) {
            throw new CertificateException("certificate serial " + serial + " has critical extensions the uplink does "
                    + "not know: " + critical);
        }
    }
}
