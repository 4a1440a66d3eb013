package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.uplink.identity.CrlFile;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestPki;
import dev.doorbell.uplink.testing.TestUplink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate validity and revocation over real TLS on loopback: expired and not-yet-valid certificates fail the
 * handshake; a revoked one completes it and gets CERTIFICATE_REVOKED before anything it sends is read.
 */
class CertificateValidityTest {
  @TempDir
  Path tls;

  private TestUplink uplink;

  @AfterEach
  void stop() {
    if (uplink != null) {
      uplink.close();
    }
  }

  @Test
  void tls_notYetValidCertificate_closedWithoutWelcome() throws Exception {
    uplink = TestUplink.start();
    TestDeviceClient client = uplink.connect("not-yet-valid");
    client.send(Messages.hello("dev-future"));
    assertTrue(client.awaitClosed(), "connection should be closed");
    assertTrue(client.received().isEmpty(), "nothing may reach a device whose certificate is not valid yet");
    assertEquals(0, uplink.server.registry().sessionCount());
  }

  @Test
  void tls_expiredCertificate_closedWithoutAnyMessage() throws Exception {
    uplink = TestUplink.start();
    TestDeviceClient client = uplink.connect("expired");
    client.send(Messages.hello("dev-expired"));
    assertTrue(client.awaitClosed(), "connection should be closed");
    assertTrue(client.received().isEmpty());
  }

  @Test
  void tls_revokedCertificate_certificateRevokedWhileOtherDeviceStreams() throws Exception {
    uplink = TestUplink.start();
    TestDeviceClient a = uplink.session("dev-a");
    a.send(Messages.clipOpen("dev-a", 1), Messages.frame(1, 0, false));
    a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 1, false);

    TestDeviceClient revoked = uplink.connect("revoked");
    revoked.send(Messages.hello("dev-revoked"), Messages.clipOpen("dev-revoked", 5));
    Error error = revoked.awaitError(ErrorCode.CERTIFICATE_REVOKED).getError();
    assertTrue(error.getFatal() && !error.getRetriable(), "revocation is final: " + error);
    assertTrue(error.getMessage().contains("dev-revoked") && error.getMessage().contains("KEY_COMPROMISE"),
        error.getMessage());
    assertTrue(revoked.awaitClosed());
    assertTrue(revoked.received().stream().noneMatch(UplinkMessage::hasWelcome), "no Welcome for a revoked device");
    assertEquals(List.of(), uplink.store.openClips("dev-revoked"), "nothing stored for a revoked device");

    a.send(Messages.frame(1, 1, true), Messages.clipClose(1, 2));
    a.awaitAck(1, AckKind.ACK_KIND_PERSISTED, 2, true);
    assertTrue(a.received().stream().noneMatch(UplinkMessage::hasError), "dev-a saw no error");
  }

  @Test
  void reload_revokedWhileConnected_closedThenRefusedOnReconnect() throws Exception {
    copyTlsFiles("crl.pem");
    uplink = TestUplink.start(b -> b.tlsDirectory(tls));
    TestDeviceClient a = uplink.session("dev-a");
    TestDeviceClient b = uplink.session("dev-b");
    b.send(Messages.clipOpen("dev-b", 3), Messages.frame(3, 0, false));
    b.awaitAck(3, AckKind.ACK_KIND_PERSISTED, 1, false);

    install("crl-dev-b.pem");
    assertTrue(uplink.server.reloadRevocations(), "the newer list should come into force");
    Error error = b.awaitError(ErrorCode.CERTIFICATE_REVOKED).getError();
    assertTrue(error.getMessage().contains("dev-b") && error.getMessage().contains("CRL number 2"),
        error.getMessage());
    assertTrue(b.awaitClosed());

    TestDeviceClient again = uplink.connect("dev-b");
    again.send(Messages.hello("dev-b", 3));
    again.awaitError(ErrorCode.CERTIFICATE_REVOKED);
    assertTrue(again.awaitClosed());
    assertTrue(again.received().stream().noneMatch(UplinkMessage::hasWelcome));

    a.send(Messages.ping(42));
    a.await("Pong", m -> m.hasPong() && m.getPong().getToken() == 42);
    assertTrue(a.isOpen(), "dev-a is not revoked and stays connected");
  }

  @Test
  void reload_fileChangedWithoutBeingAsked_watcherClosesRevokedSession() throws Exception {
    copyTlsFiles(null);
    uplink = TestUplink.start(b -> b.tlsDirectory(tls));
    TestDeviceClient b = uplink.session("dev-b");
    install("crl-dev-b.pem");
    // The watcher looks every two seconds; awaitError waits up to ten.
    b.awaitError(ErrorCode.CERTIFICATE_REVOKED);
    assertTrue(b.awaitClosed());
  }

  @Test
  void start_forgedCrl_refusesToStart() throws Exception {
    copyTlsFiles("crl-forged.pem");
    IOException e = assertThrows(IOException.class,
        () -> TestUplink.start(b -> b.tlsDirectory(tls)));
    assertTrue(e.getMessage().contains(CrlFile.FILE_NAME) && e.getMessage().contains("signature"), e.getMessage());
  }

  private void copyTlsFiles(String crl) throws IOException {
    for (String name : List.of(UplinkConfig.CA_CERT_FILE, UplinkConfig.SERVER_CERT_FILE,
        UplinkConfig.SERVER_KEY_FILE)) {
      Files.copy(TestPki.file(name), tls.resolve(name));
    }
    if (crl != null) {
      install(crl);
    }
  }

  private void install(String name) throws IOException {
    Path tmp = tls.resolve("crl.pem.tmp");
    Files.copy(TestPki.file(name), tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(tmp, tls.resolve(CrlFile.FILE_NAME), StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }
}
