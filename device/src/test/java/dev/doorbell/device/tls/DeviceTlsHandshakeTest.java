package dev.doorbell.device.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.testing.TestEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.DeviceIds;
import dev.doorbell.testing.TlsLoopback;
import io.netty.handler.ssl.SslContext;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 on loopback: an uplink-like server built from uplink/ only, and devices built by DeviceTls. */
class DeviceTlsHandshakeTest {
    private static final long DEADLINE_SECONDS = 10;

    @TempDir
    Path dir;

    @AutoClose
    private final TlsLoopback loopback = new TlsLoopback();

    @Test
    void clientContext_provisionedDevice_handshakesTls13AndServerSeesSanUri() throws Exception {
        FleetLayout fleet = provision("fleet", List.of("front-door"));
        TlsLoopback.Server server = startServer(fleet);
        DeviceDirectory device = DeviceDirectory.load(fleet.device("front-door"));

        SSLSession clientSession =
                connect(DeviceTls.clientContext(device), server).get(DEADLINE_SECONDS, TimeUnit.SECONDS);

        SSLSession session = server.session(0).get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        assertEquals("TLSv1.3", session.getProtocol());
        assertEquals("TLSv1.3", clientSession.getProtocol());
        X509Certificate peer = (X509Certificate) session.getPeerCertificates()[0];
        assertTrue(peer.getSubjectAlternativeNames().contains(List.of(6, DeviceIds.sanUri("front-door"))));
        assertEquals("front-door", DeviceDirectory.deviceIdOf(peer));
    }

    @Test
    void clientContext_deviceOfAnotherFleet_refusedByServer() throws Exception {
        FleetLayout fleet = provision("fleet", List.of("front-door"));
        FleetLayout stranger = provision("stranger", List.of("front-door"));
        TlsLoopback.Server server = startServer(fleet);
        DeviceDirectory device = DeviceDirectory.load(stranger.device("front-door"));

        CompletableFuture<SSLSession> client = connect(DeviceTls.clientContext(device), server);

        // Each side also distrusts the other's CA, so both handshakes must fail, not merely one of them.
        assertThrows(ExecutionException.class, () -> server.session(0).get(DEADLINE_SECONDS, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> client.get(DEADLINE_SECONDS, TimeUnit.SECONDS));
    }

    private FleetLayout provision(String name, List<String> ids) throws Exception {
        return TestEnrollment.provision(dir.resolve(name), ids);
    }

    private TlsLoopback.Server startServer(FleetLayout fleet) throws Exception {
        return loopback.server(TlsLoopback.serverContext(fleet.serverCert(), fleet.serverKey(), fleet.uplinkCaCert()));
    }

    private CompletableFuture<SSLSession> connect(SslContext context, TlsLoopback.Server server)
            throws InterruptedException {
        return loopback.connect(context, server.port(), "localhost");
    }
}
