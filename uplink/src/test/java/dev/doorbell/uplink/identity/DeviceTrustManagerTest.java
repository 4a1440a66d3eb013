package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.SettableClock;
import dev.doorbell.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** The uplink's direct check of device certificates, on the test PKI's real certificates. */
class DeviceTrustManagerTest {
    private static final Clock NOW = Clock.systemUTC();

    private static DeviceTrustManager trust(Clock clock, int cacheSize) throws IOException {
        return new DeviceTrustManager(CrlFile.readCa(TestPki.file("ca-cert.pem")), clock, cacheSize);
    }

    @Test
    void checkClientTrusted_deviceOfTheFleet_acceptedAndRemembered() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        X509Certificate device = TestPki.certificate("dev-a-cert.pem");
        trust.checkClientTrusted(new X509Certificate[] {device}, "EC", (SSLEngine) null);
        trust.checkClientTrusted(new X509Certificate[] {device}, "EC", (SSLEngine) null);
        assertEquals(1, trust.verifiedCount());
    }

    @Test
    void checkClientTrusted_otherCa_refusedNamingIssuer() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        CertificateException e = assertThrows(
                CertificateException.class,
                () -> trust.checkClientTrusted(
                        new X509Certificate[] {TestPki.certificate("foreign-dev-a-cert.pem")}, "EC"));
        assertTrue(e.getMessage().contains("some other CA"), e.getMessage());
        assertEquals(0, trust.verifiedCount());
    }

    @Test
    void checkClientTrusted_signatureAltered_refusedEveryTime() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        byte[] encoded = TestPki.certificate("dev-a-cert.pem").getEncoded();
        // The ECDSA signature is the last field of the certificate: changing its last byte keeps the DER valid.
        encoded[encoded.length - 1] ^= 0x01;
        X509Certificate forged = (X509Certificate)
                CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(encoded));
        for (int i = 0; i < 2; i++) {
            CertificateException e = assertThrows(
                    CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[] {forged}, "EC"));
            assertTrue(e.getMessage().contains("not signed by the fleet CA"), e.getMessage());
        }
        assertEquals(0, trust.verifiedCount());
    }

    @Test
    void checkClientTrusted_serverCertificate_refusedForItsExtendedKeyUsage() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        CertificateException e = assertThrows(
                CertificateException.class,
                () -> trust.checkClientTrusted(new X509Certificate[] {TestPki.certificate("server-cert.pem")}, "EC"));
        assertTrue(e.getMessage().contains("client authentication"), e.getMessage());
    }

    @Test
    void checkClientTrusted_caItself_refused() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        assertThrows(
                CertificateException.class,
                () -> trust.checkClientTrusted(new X509Certificate[] {TestPki.certificate("ca-cert.pem")}, "EC"));
    }

    @Test
    void checkClientTrusted_rememberedCertificateLaterExpired_refused() throws Exception {
        X509Certificate device = TestPki.certificate("dev-a-cert.pem");
        SettableClock clock = new SettableClock(Instant.now());
        DeviceTrustManager trust = trust(clock, 10);
        trust.checkClientTrusted(new X509Certificate[] {device}, "EC");
        clock.set(device.getNotAfter().toInstant().plusSeconds(1));
        assertThrows(CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[] {device}, "EC"));
    }

    @Test
    void checkClientTrusted_expiredAndNotYetValid_refused() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        assertThrows(
                CertificateException.class,
                () -> trust.checkClientTrusted(new X509Certificate[] {TestPki.certificate("expired-cert.pem")}, "EC"));
        assertThrows(
                CertificateException.class,
                () -> trust.checkClientTrusted(
                        new X509Certificate[] {TestPki.certificate("not-yet-valid-cert.pem")}, "EC"));
    }

    @Test
    void checkClientTrusted_moreDevicesThanCacheSize_cacheStaysBounded() throws Exception {
        DeviceTrustManager trust = trust(NOW, 2);
        for (String name : new String[] {"dev-a-cert.pem", "dev-b-cert.pem", "dev-c-cert.pem", "dev-a-cert.pem"}) {
            X509Certificate device = TestPki.certificate(name);
            assertDoesNotThrow(() -> trust.checkClientTrusted(new X509Certificate[] {device}, "EC"));
        }
        assertEquals(2, trust.verifiedCount());
    }

    @Test
    void checkServerTrusted_anyChain_refused() throws Exception {
        DeviceTrustManager trust = trust(NOW, 10);
        assertThrows(
                CertificateException.class,
                () -> trust.checkServerTrusted(new X509Certificate[] {TestPki.certificate("server-cert.pem")}, "EC"));
    }
}
