package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.Retention;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Retention with real parts (issue 14.4): a paired doorbell streams clips over TLS to the real uplink and its store
 * of small segments; the owner signs a request to forget a clip, the operator checks and applies it with the
 * uplink's tool, and the owner's {@code open} says DELETED (exit 0). A request signed by anyone else is applied just
 * the same (the uplink cannot tell) and {@code open} still says MISSING (exit 1). Clips expired by the operator's
 * policy are EXPIRED, said as the operator's statement. Every store stays whole for fsck and the reader.
 */
class RetentionEndToEndTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;
    private String deviceId;
    private Path store;
    private Path ownerDir;

    record Run(int exit, String out, String err) {}

    /**
     * A middle clip whose successor says the uplink had acknowledged frames of it: gone, the chain calls that gap
     * MISSING, which retention explains. A successor that saw none acknowledged (the run's timing) makes the gap
     * UNSENT, informational, which retention leaves as it is.
     */
    private static int deletable(List<Chained> chain) {
        for (int i = 1; i < chain.size() - 1; i++) {
            if (chain.get(i + 1).link().getPrevAcknowledgedFrames() > 0) {
                return i;
            }
        }
        throw new AssertionError("no middle clip whose successor saw frames of it acknowledged: " + chain);
    }

    record Chained(long clipId, ChainLink link) {
        String name() {
            return String.format("%016x", clipId);
        }
    }

    @BeforeEach
    void pairedDoorbell() throws Exception {
        fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        deviceId = ids.get(0);
        ownerDir = FleetPairing.ownerDir(fleet.root(), 1);
        store = dir.resolve("store");
    }

    @Test
    void ownersSignedRequest_appliedByTheOperator_openSaysDeletedAndExitsZero() throws Exception {
        stream(1, Duration.ofSeconds(16));
        List<Chained> chain = chain();
        assertTrue(chain.size() >= 4, chain.toString());
        int at = deletable(chain);
        Chained gone = chain.get(at);
        Chained after = chain.get(at + 1);
        Path request = dir.resolve("forget.req");
        Run forget = doorbell(
                "owner",
                "forget",
                "--owner",
                ownerDir.toString(),
                "--device",
                deviceId,
                "--clip",
                gone.name(),
                "--store",
                store.toString(),
                "--out",
                request.toString());
        assertEquals(0, forget.exit(), forget.out() + forget.err());

        Run checked = doorbell(
                "store",
                "check-request",
                "--request",
                request.toString(),
                "--owner-key",
                ownerDir.resolve("owner.pub").toString());
        assertEquals(0, checked.exit(), checked.out() + checked.err());
        assertTrue(checked.out().startsWith("VALID "), checked.out());

        Run applied = uplink("store", "delete", "--data", store.toString(), "--request", request.toString());
        assertEquals(0, applied.exit(), applied.out() + applied.err());
        assertTrue(
                applied.out()
                        .contains("deleted device " + deviceId + " clip " + Long.toUnsignedString(gone.clipId())
                                + " (position " + gone.link().getPosition() + ")"),
                applied.out());
        assertEquals(chain.size() - 1, StoreDirectoryReader.read(store).clips().size());
        assertStoreWhole();

        Run opened = open();
        assertEquals(0, opened.exit(), opened.out() + opened.err());
        assertTrue(
                opened.out()
                        .contains(
                                "DELETED 1 clip(s) at positions " + gone.link().getPosition() + ".."
                                        + gone.link().getPosition() + " before " + after.name()
                                        + " (your signed request of "),
                opened.out());
        assertFalse(opened.out().contains("MISSING"), opened.out());
    }

    @Test
    void requestSignedByAnotherOwner_appliedAnyway_openStillSaysMissingAndExitsOne() throws Exception {
        stream(2, Duration.ofSeconds(16));
        List<Chained> chain = chain();
        assertTrue(chain.size() >= 4, chain.toString());
        Chained gone = chain.get(deletable(chain));
        Path stranger = dir.resolve("stranger");
        OwnerDirectory.init(stranger, new SecureRandom()).owner().destroy();
        Path request = dir.resolve("forged.req");
        Run forget = doorbell(
                "owner",
                "forget",
                "--owner",
                stranger.toString(),
                "--device",
                deviceId,
                "--clip",
                gone.name(),
                "--out",
                request.toString());
        assertEquals(0, forget.exit(), forget.out() + forget.err());
        Run checked = doorbell(
                "store",
                "check-request",
                "--request",
                request.toString(),
                "--owner-key",
                ownerDir.resolve("owner.pub").toString());
        assertEquals(1, checked.exit(), checked.out());
        assertTrue(checked.out().startsWith("INVALID "), checked.out());

        Run applied = uplink("store", "delete", "--data", store.toString(), "--request", request.toString());
        assertEquals(0, applied.exit(), "the uplink cannot check a signature: " + applied.err());
        assertStoreWhole();

        Run opened = open();
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertTrue(opened.out().contains("MISSING 1 clip(s) between "), opened.out());
        assertTrue(opened.out().contains("but no request that verifies under your key covers it)"), opened.out());
        assertFalse(opened.out().contains("DELETED"), opened.out());
    }

    @Test
    void operatorsRetentionPolicy_expiredClipsSaidAsTheOperatorsStatement() throws Exception {
        stream(3, Duration.ofSeconds(8));
        Instant between = Instant.now();
        int firstRun = chain().size();
        waitPast(between);
        stream(4, Duration.ofSeconds(8));
        List<Chained> chain = chain();
        assertTrue(chain.size() > firstRun, chain.toString());
        Chained first = chain.get(firstRun);

        Retention.Result result = Retention.expire(
                store, Duration.ofDays(30), false, Clock.fixed(between.plus(Duration.ofDays(30)), ZoneOffset.UTC));
        assertEquals(firstRun, result.clips().size(), result.toString());
        assertStoreWhole();
        Run listed = uplink("store", "list", "--data", store.toString());
        assertEquals(0, listed.exit(), listed.err());
        assertTrue(listed.out().contains(firstRun + " clips deleted by retention"), listed.out());

        Run opened = open();
        assertEquals(0, opened.exit(), opened.out() + opened.err());
        assertTrue(
                opened.out()
                        .contains("EXPIRED " + firstRun + " clip(s) at positions 1.." + firstRun + " before "
                                + first.name() + " (the uplink's retention policy: older-than=30d, "),
                opened.out());
        assertTrue(opened.out().contains("; operator's statement)"), opened.out());
    }

    private static void waitPast(Instant instant) throws InterruptedException {
        while (!Instant.now().isAfter(instant.plusMillis(5))) {
            Thread.sleep(1);
        }
    }

    private void assertStoreWhole() {
        Run verified = uplink("store", "verify", "--data", store.toString());
        assertEquals(0, verified.exit(), verified.out() + verified.err());
    }

    /** One run of the doorbell against a real uplink on this store of 256 KiB segments. */
    private void stream(long seed, Duration duration) throws Exception {
        List<DeviceDirectory> devices = List.of(DeviceDirectory.load(fleet.device(deviceId)));
        try (DirectoryStore directoryStore =
                        DirectoryStore.open(store, StoreOptions.defaults().withSegmentBytes(256 << 10));
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        directoryStore)) {
            InetSocketAddress address = uplink.start();
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    address.getPort(),
                    false,
                    seed,
                    Profile.P240,
                    duration,
                    Map.of(deviceId, Duration.ofSeconds(1)),
                    0,
                    30,
                    Duration.ofMillis(500),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5),
                    0);
            StringWriter progress = new StringWriter();
            SimulationReport report = new Simulation(
                            devices,
                            options,
                            VirtualSimClock::startingAtDefault,
                            SealObserver.NONE,
                            new PrintWriter(progress))
                    .run();
            assertTrue(report.complete(), progress.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
    }

    private List<Chained> chain() throws Exception {
        List<Chained> chain = new ArrayList<>();
        for (StoredClip clip : StoreDirectoryReader.read(store).clips()) {
            ClipHeader header = ClipHeader.parseFrom(
                    SignedClipHeader.parseFrom(clip.header()).getHeader());
            chain.add(new Chained(clip.clipId(), header.getChain()));
        }
        chain.sort(Comparator.comparingLong(c -> c.link().getPosition()));
        return chain;
    }

    private Run open() {
        return doorbell(
                "open",
                "--store",
                store.toString(),
                "--identity",
                ownerDir.toString(),
                "--out",
                dir.resolve("opened").toString());
    }

    private static Run doorbell(String... args) {
        return run(DoorbellCli.commandLine(), args);
    }

    private static Run uplink(String... args) {
        return run(
                UplinkCli.commandLine(new ServeCommand(d -> {
                    throw new AssertionError("no serve here");
                })),
                args);
    }

    private static Run run(CommandLine cli, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
