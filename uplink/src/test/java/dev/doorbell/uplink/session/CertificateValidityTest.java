package dev.doorbell.uplink.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.UplinkMessage;
import dev.doorbell.testing.SettableClock;
import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.identity.CrlFile;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate validity and revocation over real TLS on loopback: expired and not-yet-valid certificates fail the
 * handshake; a revoked one completes it and gets CERTIFICATE_REVOKED before anything it sends is read, also when it
 * resumes a TLS session that began before the revocation.
 */
class CertificateValidityTest {
    @TempDir
    Path tls;

    @AutoClose
    private TestUplink uplink;

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
        assertTrue(
                error.getMessage().contains("dev-revoked") && error.getMessage().contains("KEY_COMPROMISE"),
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
        assertTrue(
                error.getMessage().contains("dev-b") && error.getMessage().contains("CRL number 2"),
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
    void resumedTlsSession_revokedSinceFirstConnection_certificateRevoked() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "resumption is checked with BoringSSL (netty-tcnative)");
        copyTlsFiles("crl.pem");
        uplink = TestUplink.start(b -> b.tlsDirectory(tls));
        CountingTrust trust = new CountingTrust();
        SslContext device = TestPki.clientBuilder("dev-b")
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(trust)
                .build();
        try (TestDeviceClient first = TestDeviceClient.connect(uplink.address, device)) {
            first.send(Messages.hello("dev-b"));
            first.awaitWelcome();
        }

        install("crl-dev-b.pem");
        assertTrue(uplink.server.reloadRevocations(), "the newer list should come into force");
        try (TestDeviceClient again = TestDeviceClient.connect(uplink.address, device)) {
            again.send(Messages.hello("dev-b"));
            again.awaitError(ErrorCode.CERTIFICATE_REVOKED);
            assertTrue(again.awaitClosed());
            assertTrue(again.received().stream().noneMatch(UplinkMessage::hasWelcome));
        }
        // A full handshake checks the uplink's chain on the device side; a resumed one does not.
        assertEquals(1, trust.serverChecks.get(), "the second connection should have resumed the TLS session");
    }

    @Test
    void resumedTlsSession_certificateExpiredSinceFirstConnection_noIdentity() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "resumption is checked with BoringSSL (netty-tcnative)");
        SettableClock clock = new SettableClock(Instant.now());
        uplink = TestUplink.start(b -> b.clock(clock));
        CountingTrust trust = new CountingTrust();
        SslContext device = TestPki.clientBuilder("dev-a")
                .sslProvider(SslProvider.OPENSSL)
                .trustManager(trust)
                .build();
        try (TestDeviceClient first = TestDeviceClient.connect(uplink.address, device)) {
            first.send(Messages.hello("dev-a"));
            first.awaitWelcome();
        }

        clock.set(
                TestPki.certificate("dev-a-cert.pem").getNotAfter().toInstant().plus(Duration.ofDays(1)));
        try (TestDeviceClient again = TestDeviceClient.connect(uplink.address, device)) {
            again.send(Messages.hello("dev-a"));
            Error error = again.awaitError(ErrorCode.NO_IDENTITY).getError();
            assertTrue(
                    error.getFatal()
                            && error.getMessage().contains("dev-a")
                            && error.getMessage().contains("not now"),
                    error.toString());
            assertTrue(again.awaitClosed());
            assertTrue(again.received().stream().noneMatch(UplinkMessage::hasWelcome));
        }
        assertEquals(1, trust.serverChecks.get(), "the second connection should have resumed the TLS session");
    }

    /** The test CA's trust for the device side, counting the checks of the uplink's chain. */
    private static final class CountingTrust extends X509ExtendedTrustManager {
        final AtomicInteger serverChecks = new AtomicInteger();
        private final X509ExtendedTrustManager delegate;

        CountingTrust() throws Exception {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            store.setCertificateEntry("ca", TestPki.certificate("ca-cert.pem"));
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            delegate = (X509ExtendedTrustManager) factory.getTrustManagers()[0];
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String auth, SSLEngine engine)
                throws CertificateException {
            serverChecks.incrementAndGet();
            delegate.checkServerTrusted(chain, auth, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String auth, Socket socket)
                throws CertificateException {
            serverChecks.incrementAndGet();
            delegate.checkServerTrusted(chain, auth, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String auth) throws CertificateException {
            serverChecks.incrementAndGet();
            delegate.checkServerTrusted(chain, auth);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String auth, SSLEngine engine)
                throws CertificateException {
            delegate.checkClientTrusted(chain, auth, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String auth, Socket socket)
                throws CertificateException {
            delegate.checkClientTrusted(chain, auth, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String auth) throws CertificateException {
            delegate.checkClientTrusted(chain, auth);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
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
        IOException e = assertThrows(IOException.class, () -> TestUplink.start(b -> b.tlsDirectory(tls)));
        assertTrue(e.getMessage().contains(CrlFile.FILE_NAME) && e.getMessage().contains("signature"), e.getMessage());
    }

    private void copyTlsFiles(String crl) throws IOException {
        TestPki.copyServerFiles(tls);
        if (crl != null) {
            install(crl);
        }
    }

    private void install(String name) throws IOException {
        TestPki.installCrl(name, tls.resolve(CrlFile.FILE_NAME));
    }
}
