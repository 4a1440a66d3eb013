package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.RevokeCommand;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.link.LinkException;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceTls;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * provision, revoke, a real uplink on loopback, real device link clients: the revoked device is refused with
 * CERTIFICATE_REVOKED while another one streams; a device revoked while connected is closed and refused after.
 */
class RevocationEndToEndTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS).awaitUninterruptibly(5_000);
    }

    @Test
    void revoke_oneDevice_refusedWithReasonOtherStreamsThenRevokedWhileConnected() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        PairedFleets.provision(fleet.root(), 2);
        assertTrue(Files.isRegularFile(fleet.uplinkCrl()), "provision writes an empty CRL for the uplink");
        List<String> ids = Files.readAllLines(fleet.fleetList());
        DeviceDirectory stolen = DeviceDirectory.load(fleet.device(ids.get(0)));
        DeviceDirectory kept = DeviceDirectory.load(fleet.device(ids.get(1)));

        assertEquals(0, revoke(stolen.deviceId(), "key-compromise"));

        try (DirectoryStore store = DirectoryStore.open(dir.resolve("store"), StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            InetSocketAddress address = uplink.start();
            assertTrue(
                    uplink.revocations().describe().contains("CRL number 2, 1 revoked"),
                    uplink.revocations().describe());

            LinkException refused = refusal(client(address, stolen));
            assertEquals(ErrorCode.CERTIFICATE_REVOKED, refused.code());
            assertTrue(
                    refused.getMessage().contains(stolen.deviceId())
                            && refused.getMessage().contains("KEY_COMPROMISE"),
                    refused.getMessage());

            try (LinkClient keptClient = client(address, kept)) {
                Welcome welcome = keptClient.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                assertEquals(kept.deviceId(), welcome.getDeviceId());
                assertEquals(1, uplink.registry().sessionCount());

                assertEquals(0, revoke(kept.deviceId(), "cessation-of-operation"));
                assertTrue(uplink.reloadRevocations(), "the new CRL comes into force without a restart");
                Waits.await("the revoked session closed", WAIT)
                        .until(() -> uplink.registry().sessionCount() == 0);
            }
            LinkException after = refusal(client(address, kept));
            assertEquals(ErrorCode.CERTIFICATE_REVOKED, after.code());
            assertTrue(
                    after.getMessage().contains("CESSATION_OF_OPERATION")
                            && after.getMessage().contains("CRL number 3"),
                    after.getMessage());
            assertTrue(store.openClips(stolen.deviceId()).isEmpty());
        }
    }

    @Test
    void revoke_unknownDeviceOrReason_refusedNothingWritten() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        PairedFleets.provision(fleet.root(), 1);
        byte[] before = Files.readAllBytes(fleet.uplinkCrl());
        assertEquals(2, revoke("no-such-device", "key-compromise"));
        assertEquals(2, revoke(Files.readAllLines(fleet.fleetList()).get(0), "bored"));
        assertTrue(Arrays.equals(before, Files.readAllBytes(fleet.uplinkCrl())), "CRL unchanged");
    }

    private int revoke(String deviceId, String reason) {
        StringWriter out = new StringWriter();
        CommandLine cli = new CommandLine(new RevokeCommand());
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(out));
        return cli.execute("--fleet-dir", dir.resolve("fleet").toString(), "--device", deviceId, "--reason", reason);
    }

    private LinkClient client(InetSocketAddress address, DeviceDirectory device) {
        LinkConfig config = LinkConfig.builder("127.0.0.1", address.getPort(), device.deviceId())
                .tls(DeviceTls.clientContext(device))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        return new LinkClient(config, group);
    }

    /** A revoked device's start() fails for good, with the uplink's Error, instead of reconnecting forever. */
    private static LinkException refusal(LinkClient client) throws Exception {
        try (client) {
            CompletableFuture<Welcome> welcome = client.start();
            ExecutionException e =
                    assertThrows(ExecutionException.class, () -> welcome.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            assertNotNull(e.getCause());
            return assertInstanceOf(LinkException.class, e.getCause());
        }
    }
}
