package dev.doorbell.device.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.doorbell.device.testing.TestEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.TlsLoopback;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 on loopback: many devices through one shared context, each presenting only its own identity. */
class SharedDeviceTlsTest {
    private static final long DEADLINE_SECONDS = 10;

    @TempDir
    Path dir;

    @AutoClose
    private final TlsLoopback loopback = new TlsLoopback();

    @Test
    void contextFor_devicesTakingTurns_serverSeesEachDevicesOwnCertificate() throws Exception {
        assumeTrue(OpenSsl.isAvailable(), "a shared context needs BoringSSL");
        FleetLayout fleet = provision("fleet", List.of("front-door", "back-door", "garage"));
        TlsLoopback.Server uplink = startServer(fleet);
        SharedDeviceTls tls = new SharedDeviceTls(Clock.systemUTC());
        List<String> order = List.of("front-door", "back-door", "front-door", "garage", "back-door");
        for (int i = 0; i < order.size(); i++) {
            String id = order.get(i);
            SslContext context = tls.contextFor(DeviceDirectory.load(fleet.device(id)));
            connect(context, uplink.port(), "localhost").get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            SSLSession server = uplink.session(i).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
            assertEquals(id, DeviceDirectory.deviceIdOf((X509Certificate) server.getPeerCertificates()[0]));
            assertEquals("TLSv1.3", server.getProtocol());
        }
        assertEquals(1, tls.contexts());
    }

    @Test
    void contextFor_uplinkUnderAnotherHostNameAfterAGoodHandshake_refusedEveryTime() throws Exception {
        FleetLayout fleet = provision("fleet", List.of("front-door"));
        int port = startServer(fleet).port();
        SslContext context =
                new SharedDeviceTls(Clock.systemUTC()).contextFor(DeviceDirectory.load(fleet.device("front-door")));
        connect(context, port, "localhost").get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        // The chain is now remembered for "localhost" only: the same chain for another host is checked in full.
        for (int i = 0; i < 2; i++) {
            CompletableFuture<SSLSession> client = connect(context, port, "not-the-uplink.example");
            assertThrows(ExecutionException.class, () -> client.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
        }
    }

    @Test
    void contextFor_deviceOfAnotherFleet_ownContextAndRefusedByServer() throws Exception {
        FleetLayout fleet = provision("fleet", List.of("front-door"));
        FleetLayout stranger = provision("stranger", List.of("back-door"));
        int port = startServer(fleet).port();
        SharedDeviceTls tls = new SharedDeviceTls(Clock.systemUTC());
        connect(tls.contextFor(DeviceDirectory.load(fleet.device("front-door"))), port, "localhost")
                .get(DEADLINE_SECONDS, TimeUnit.SECONDS);

        CompletableFuture<SSLSession> client =
                connect(tls.contextFor(DeviceDirectory.load(stranger.device("back-door"))), port, "localhost");

        assertThrows(ExecutionException.class, () -> client.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
        if (OpenSsl.isAvailable()) {
            assertEquals(2, tls.contexts());
        }
    }

    private FleetLayout provision(String name, List<String> ids) throws Exception {
        return TestEnrollment.provision(dir.resolve(name), ids);
    }

    private TlsLoopback.Server startServer(FleetLayout fleet) throws Exception {
        return loopback.server(TlsLoopback.serverContext(fleet.serverCert(), fleet.serverKey(), fleet.uplinkCaCert()));
    }

    private CompletableFuture<SSLSession> connect(SslContext context, int port, String host)
            throws InterruptedException {
        return loopback.connect(context, port, host);
    }
}
