package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.testing.TestPki;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

/** The uplink's direct check of device certificates, on the test PKI's real certificates. */
class DeviceTrustManagerTest {
  private static final Clock NOW = Clock.systemUTC();

  private static X509Certificate cert(String name) throws Exception {
    try (InputStream in = Files.newInputStream(TestPki.file(name))) {
      return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }

  private static DeviceTrustManager trust(Clock clock, int cacheSize) throws IOException {
    return new DeviceTrustManager(CrlFile.readCa(TestPki.file("ca-cert.pem")), clock, cacheSize);
  }

  @Test
  void checkClientTrusted_deviceOfTheFleet_acceptedAndRemembered() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    X509Certificate device = cert("dev-a-cert.pem");
    trust.checkClientTrusted(new X509Certificate[] {device}, "EC", (SSLEngine) null);
    trust.checkClientTrusted(new X509Certificate[] {device}, "EC", (SSLEngine) null);
    assertEquals(1, trust.verifiedCount());
  }

  @Test
  void checkClientTrusted_otherCa_refusedNamingIssuer() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    CertificateException e = assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {cert("foreign-dev-a-cert.pem")}, "EC"));
    assertTrue(e.getMessage().contains("some other CA"), e.getMessage());
    assertEquals(0, trust.verifiedCount());
  }

  @Test
  void checkClientTrusted_signatureAltered_refusedEveryTime() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    byte[] encoded = cert("dev-a-cert.pem").getEncoded();
    // The ECDSA signature is the last field of the certificate: changing its last byte keeps the DER valid.
    encoded[encoded.length - 1] ^= 0x01;
    X509Certificate forged = (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(encoded));
    for (int i = 0; i < 2; i++) {
      CertificateException e = assertThrows(CertificateException.class,
          () -> trust.checkClientTrusted(new X509Certificate[] {forged}, "EC"));
      assertTrue(e.getMessage().contains("not signed by the fleet CA"), e.getMessage());
    }
    assertEquals(0, trust.verifiedCount());
  }

  @Test
  void checkClientTrusted_serverCertificate_refusedForItsExtendedKeyUsage() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    CertificateException e = assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {cert("server-cert.pem")}, "EC"));
    assertTrue(e.getMessage().contains("client authentication"), e.getMessage());
  }

  @Test
  void checkClientTrusted_caItself_refused() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {cert("ca-cert.pem")}, "EC"));
  }

  @Test
  void checkClientTrusted_rememberedCertificateLaterExpired_refused() throws Exception {
    X509Certificate device = cert("dev-a-cert.pem");
    Instant[] now = {Instant.now()};
    Clock clock = new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now[0];
      }
    };
    DeviceTrustManager trust = trust(clock, 10);
    trust.checkClientTrusted(new X509Certificate[] {device}, "EC");
    now[0] = device.getNotAfter().toInstant().plusSeconds(1);
    assertThrows(CertificateException.class, () -> trust.checkClientTrusted(new X509Certificate[] {device}, "EC"));
  }

  @Test
  void checkClientTrusted_expiredAndNotYetValid_refused() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {cert("expired-cert.pem")}, "EC"));
    assertThrows(CertificateException.class,
        () -> trust.checkClientTrusted(new X509Certificate[] {cert("not-yet-valid-cert.pem")}, "EC"));
  }

  @Test
  void checkClientTrusted_moreDevicesThanCacheSize_cacheStaysBounded() throws Exception {
    DeviceTrustManager trust = trust(NOW, 2);
    for (String name : new String[] {"dev-a-cert.pem", "dev-b-cert.pem", "dev-c-cert.pem", "dev-a-cert.pem"}) {
      X509Certificate device = cert(name);
      assertDoesNotThrow(() -> trust.checkClientTrusted(new X509Certificate[] {device}, "EC"));
    }
    assertEquals(2, trust.verifiedCount());
  }

  @Test
  void checkServerTrusted_anyChain_refused() throws Exception {
    DeviceTrustManager trust = trust(NOW, 10);
    assertThrows(CertificateException.class,
        () -> trust.checkServerTrusted(new X509Certificate[] {cert("server-cert.pem")}, "EC"));
  }
}
