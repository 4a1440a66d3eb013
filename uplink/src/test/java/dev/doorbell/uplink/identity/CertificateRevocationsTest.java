package dev.doorbell.uplink.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.uplink.testing.TestPki;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Clock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateRevocationsTest {
  @TempDir
  Path dir;

  private X509Certificate ca;
  private X509Certificate revoked;
  private X509Certificate devB;
  private X509Certificate devA;
  private Path crl;

  @BeforeEach
  void setUp() throws IOException {
    ca = CrlFile.readCa(TestPki.file("ca-cert.pem"));
    revoked = CrlFile.readCa(TestPki.file("revoked-cert.pem"));
    devB = CrlFile.readCa(TestPki.file("dev-b-cert.pem"));
    devA = CrlFile.readCa(TestPki.file("dev-a-cert.pem"));
    crl = dir.resolve(CrlFile.FILE_NAME);
  }

  @Test
  void load_crlOfFleetCa_revokedCertificateNamedWithSerialAndReason() throws IOException {
    install("crl.pem");
    CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
    String why = revocations.revocation(revoked).orElseThrow();
    assertTrue(why.contains(revoked.getSerialNumber().toString(16)), why);
    assertTrue(why.contains("KEY_COMPROMISE") && why.contains("CRL number 1"), why);
    assertTrue(revocations.revocation(devA).isEmpty());
    assertTrue(revocations.revocation(devB).isEmpty());
    assertEquals(BigInteger.ONE, CrlFile.number(CrlFile.read(crl, ca)));
  }

  @Test
  void load_noFile_nothingRevokedUntilOneAppears() throws IOException {
    CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
    assertTrue(revocations.revocation(revoked).isEmpty());
    assertFalse(revocations.reloadIfChanged());
    install("crl.pem");
    assertTrue(revocations.reloadIfChanged());
    assertTrue(revocations.revocation(revoked).isPresent());
  }

  @Test
  void load_forgedSignature_refusedNamingFile() throws IOException {
    install("crl-forged.pem");
    IOException e = assertThrows(IOException.class, () -> CertificateRevocations.load(crl, ca, Clock.systemUTC()));
    assertTrue(e.getMessage().contains(crl.toString()) && e.getMessage().contains("signature"), e.getMessage());
  }

  @Test
  void load_notACrl_refusedNamingFile() throws IOException {
    Files.writeString(crl, "-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n");
    IOException e = assertThrows(IOException.class, () -> CertificateRevocations.load(crl, ca, Clock.systemUTC()));
    assertTrue(e.getMessage().contains(crl.toString()), e.getMessage());
  }

  @Test
  void reload_newerList_takesEffect() throws IOException {
    install("crl.pem");
    CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
    assertFalse(revocations.reloadIfChanged(), "unchanged file");
    install("crl-dev-b.pem");
    assertTrue(revocations.reloadIfChanged());
    assertTrue(revocations.revocation(devB).orElseThrow().contains("SUPERSEDED"));
  }

  @Test
  void reload_forgedOrOlderOrDeleted_listInForceStays() throws IOException {
    install("crl-dev-b.pem");
    CertificateRevocations revocations = CertificateRevocations.load(crl, ca, Clock.systemUTC());
    install("crl-forged.pem");
    assertFalse(revocations.reloadIfChanged());
    assertTrue(revocations.revocation(devB).isPresent(), "a forged list must not un-revoke");
    install("crl.pem");
    assertFalse(revocations.reloadIfChanged());
    assertTrue(revocations.revocation(devB).isPresent(), "CRL number 1 after 2 is a rollback");
    Files.delete(crl);
    assertFalse(revocations.reloadIfChanged());
    assertTrue(revocations.revocation(devB).isPresent(), "a deleted list must not un-revoke");
  }

  /** Replaced by a rename, as {@code doorbell revoke} does. */
  private void install(String name) throws IOException {
    Path tmp = dir.resolve("crl.tmp");
    Files.copy(TestPki.file(name), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, crl, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
