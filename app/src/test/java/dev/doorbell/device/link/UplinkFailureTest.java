package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.LoopbackPeers;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A real link client of fleet A meets each way of not getting a session, on loopback, with BoringSSL and with the
 * JDK's TLS (they word the same failures differently): the one-line reason must say which side refused whom.
 */
class UplinkFailureTest {
    @TempDir
    static Path dir;

    private static FleetLayout fleetA;
    private static FleetLayout fleetB;
    private static DeviceDirectory device;
    private static EventLoopGroup group;

    @BeforeAll
    static void fleets() throws Exception {
        fleetA = TrustFixtures.provision(dir.resolve("a"), 1);
        fleetB = TrustFixtures.provision(dir.resolve("b"), 1);
        device = DeviceDirectory.load(
                fleetA.device(Files.readAllLines(fleetA.fleetList()).get(0).trim()));
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @ParameterizedTest
    @EnumSource(
            value = SslProvider.class,
            names = {"JDK", "OPENSSL"})
    void connect_nothingListening_refused(SslProvider provider) throws Exception {
        int port = LoopbackPeers.closedPort();
        UplinkFailure f = firstFailure(provider, port);
        assertEquals(UplinkFailure.Kind.REFUSED, f.kind(), f.message());
        assertEquals(
                "cannot connect to the uplink at 127.0.0.1:" + port + ": connection refused (is the uplink "
                        + "running and listening there?)",
                f.message());
    }

    @ParameterizedTest
    @EnumSource(
            value = SslProvider.class,
            names = {"JDK", "OPENSSL"})
    void connect_anotherFleetsUplink_thisFleetDoesNotTrustTheUplink(SslProvider provider) throws Exception {
        try (TrustFixtures.Uplink uplink =
                new TrustFixtures.Uplink(fleetB.uplinkDir(), dir.resolve("store-b-" + provider))) {
            UplinkFailure f = firstFailure(provider, uplink.port());
            assertEquals(UplinkFailure.Kind.UPLINK_NOT_TRUSTED, f.kind(), f.message());
            assertTrue(
                    f.message()
                            .startsWith("this fleet does not trust the uplink's certificate: the uplink at "
                                    + "127.0.0.1:" + uplink.port()
                                    + " presented a certificate that this fleet's CA did not issue"),
                    f.message());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = SslProvider.class,
            names = {"JDK", "OPENSSL"})
    void connect_uplinkTrustingAnotherCa_theUplinkDoesNotTrustThisFleet(SslProvider provider) throws Exception {
        Path tls = TrustFixtures.uplinkTrustingOtherCa(fleetA, fleetB, dir.resolve("mixed-" + provider));
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(tls, dir.resolve("store-mixed-" + provider))) {
            UplinkFailure f = firstFailure(provider, uplink.port());
            assertEquals(UplinkFailure.Kind.DEVICE_NOT_TRUSTED, f.kind(), f.message());
            assertTrue(
                    f.message()
                            .startsWith("the uplink does not trust this fleet's CA: the uplink at 127.0.0.1:"
                                    + uplink.port() + " refused the certificate of device " + device.deviceId()
                                    + " (TLS alert "),
                    f.message());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = SslProvider.class,
            names = {"JDK", "OPENSSL"})
    void connect_peerAnswersPlainText_notTls(SslProvider provider) throws Exception {
        try (LoopbackPeers.CannedReply http = new LoopbackPeers.CannedReply(
                "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")) {
            UplinkFailure f = firstFailure(provider, http.port());
            assertEquals(UplinkFailure.Kind.NOT_TLS, f.kind(), f.message());
            assertTrue(
                    f.message().startsWith("the uplink at 127.0.0.1:" + http.port() + " does not speak TLS"),
                    f.message());
        }
    }

    @ParameterizedTest
    @EnumSource(
            value = SslProvider.class,
            names = {"JDK", "OPENSSL"})
    void connect_peerClosesAtOnce_closed(SslProvider provider) throws Exception {
        try (LoopbackPeers.CannedReply closer = new LoopbackPeers.CannedReply("")) {
            UplinkFailure f = firstFailure(provider, closer.port());
            assertEquals(UplinkFailure.Kind.CLOSED, f.kind(), f.message());
            assertTrue(
                    f.message().startsWith("the uplink at 127.0.0.1:" + closer.port() + " closed the connection"),
                    f.message());
        }
    }

    /** Starts a link of fleet A's device to 127.0.0.1:{@code port} and returns the first failure it reports. */
    private static UplinkFailure firstFailure(SslProvider provider, int port) throws Exception {
        Assumptions.assumeTrue(provider == SslProvider.JDK || OpenSsl.isAvailable(), "BoringSSL is not available");
        SslContext tls = SslContextBuilder.forClient()
                .sslProvider(provider)
                .keyManager(
                        device.deviceCertFile().toFile(), device.deviceKeyFile().toFile())
                .trustManager(device.caCertFile().toFile())
                .protocols(List.of("TLSv1.3"))
                .endpointIdentificationAlgorithm("HTTPS")
                .build();
        CompletableFuture<UplinkFailure> first = new CompletableFuture<>();
        LinkConfig config = LinkConfig.builder("127.0.0.1", port, device.deviceId())
                .tls(tls)
                .firmware("test-fw/1")
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        try (LinkClient client = new LinkClient(config, group, new LinkListener() {
            @Override
            public void onConnectFailed(UplinkFailure failure) {
                first.complete(failure);
            }
        })) {
            client.start();
            return first.get(10, TimeUnit.SECONDS);
        }
    }
}
