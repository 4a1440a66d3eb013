package dev.doorbell.app.tier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.SystemSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.shipper.ShipCommand;
import dev.doorbell.testing.Waits;
import dev.doorbell.tier.S3Server;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The long-term tier end to end (issue 14, part 7), with real parts: a paired doorbell streams over TLS to one uplink
 * through a loopback forwarder that, mid-clip, moves it to a second uplink (the device resumes its clip there), each
 * uplink's store rolling its segments by age; a shipper per store copies the closed segments to a real S3 server
 * (s3proxy); the owner's {@code open --store s3://bucket/prefix} then reads both uplinks' stores from the bucket and
 * gives every clip, the one two uplinks stored included, the same verdict as {@code open} of the two local stores
 * (which merges them as for uplinks sharing a port).
 */
class TierEndToEndTest {
    private static final String BUCKET = "tier-e2e";
    private static S3Server server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.close();
    }

    @Test
    void openS3Prefix_clipsOfEveryUplink_oneResumedOnAnother_sameVerdictsAsTheLocalStores() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 1), (done, total) -> {});
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        String deviceId = ids.get(0);
        Path storeA = dir.resolve("uplink-a");
        Path storeB = dir.resolve("uplink-b");
        StoreOptions options = StoreOptions.defaults().withSegmentMaxAge(Duration.ofMillis(300));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (DirectoryStore a = DirectoryStore.open(storeA, options);
                DirectoryStore b = DirectoryStore.open(storeB, options);
                UplinkServer uplinkA = uplink(fleet, a);
                UplinkServer uplinkB = uplink(fleet, b)) {
            int portA = uplinkA.start().getPort();
            int portB = uplinkB.start().getPort();
            try (SwitchingForwarder forwarder = new SwitchingForwarder(portA)) {
                Future<SimulationReport> run = pool.submit(() -> simulate(fleet, deviceId, forwarder.port()));
                // Mid-clip: uplink A holds durable frames of a clip that is not finished yet.
                Waits.await("a clip in progress on uplink A", Duration.ofSeconds(30))
                        .until(() -> a.openClips(deviceId).stream()
                                .anyMatch(c -> c.persistedFrames() > 3 && !c.lastReceived()));
                forwarder.switchTo(portB);
                SimulationReport report = run.get(60, TimeUnit.SECONDS);
                // The resumed clip may end there: the simulated device keeps no frame the uplink acknowledged, so it
                // cannot send the whole clip again to an uplink that does not know it (docs/PROTOCOL.md, "Resume").
                assertTrue(report.drained(), report.toString());
                assertEquals(1, report.rows().get(0).reconnects(), report.toString());
            }
            for (Path store : List.of(storeA, storeB)) {
                Waits.await("every record of " + store + " in a closed segment", Duration.ofSeconds(10))
                        .until(() -> newestSegmentBytes(store) < 100);
                assertEquals(0, ship(store), "ship --once of " + store);
            }
            uplinkA.stop(Duration.ofSeconds(5));
            uplinkB.stop(Duration.ofSeconds(5));
        } finally {
            pool.shutdownNow();
        }
        Set<Long> onA = clipIds(storeA);
        Set<Long> onB = clipIds(storeB);
        // The device resumed its clip on uplink B, which stored its header again: one clip in two stores.
        assertTrue(onA.stream().anyMatch(onB::contains), "a clip stored by both uplinks: " + onA + " " + onB);

        Opened local = open(fleet, "--store", storeA.toString(), "--store", storeB.toString());
        Opened shipped = open(
                fleet,
                "--store",
                "s3://" + BUCKET + "/site",
                "--endpoint",
                server.endpoint().toString(),
                "--path-style");
        List<String> localClips = clipLines(local, deviceId);
        assertTrue(localClips.size() >= 2, local.out());
        assertEquals(localClips, clipLines(shipped, deviceId), "local:\n" + local.out() + "\nS3:\n" + shipped.out());
        assertEquals(local.exit(), shipped.exit(), shipped.out() + shipped.err());
        assertTrue(shipped.out().contains("store s3://" + BUCKET + "/site/"), shipped.out());
        assertFalse((shipped.out() + shipped.err()).contains("doorbell-open-s3-"), "no scratch path shown");
    }

    private record Opened(int exit, String out, String err) {}

    private static UplinkServer uplink(FleetLayout fleet, DirectoryStore store) {
        return new UplinkServer(
                UplinkConfig.builder()
                        .host("127.0.0.1")
                        .port(0)
                        .tlsDirectory(fleet.uplinkDir())
                        .build(),
                store);
    }

    private static SimulationReport simulate(FleetLayout fleet, String deviceId, int port) throws Exception {
        SimulationOptions options = new SimulationOptions(
                "127.0.0.1",
                port,
                false,
                7,
                Profile.P240,
                Duration.ofSeconds(5),
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
        return new Simulation(
                        List.of(DeviceDirectory.load(fleet.device(deviceId))),
                        options,
                        SystemSimClock::new,
                        SealObserver.NONE,
                        new PrintWriter(progress))
                .run();
    }

    private static long newestSegmentBytes(Path store) {
        try (Stream<Path> files = Files.list(store.resolve("segments"))) {
            Path newest = files.filter(p -> p.toString().endsWith(".seg"))
                    .max(Path::compareTo)
                    .orElseThrow();
            return Files.size(newest);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int ship(Path store) {
        CommandLine cli = ShipCommand.commandLine();
        return cli.execute(
                "--data",
                store.toString(),
                "--to",
                "s3://" + BUCKET + "/site",
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--once");
    }

    private static Set<Long> clipIds(Path store) throws IOException {
        return StoreDirectoryReader.read(store).clips().stream()
                .map(StoredClip::clipId)
                .collect(Collectors.toSet());
    }

    private Opened open(FleetLayout fleet, String... stores) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of("open"));
        args.addAll(List.of(stores));
        args.addAll(List.of(
                "--identity",
                FleetPairing.ownerDir(fleet.root(), 1).toString(),
                "--out",
                dir.resolve("opened-" + stores.length).toString()));
        int exit = cli.execute(args.toArray(String[]::new));
        return new Opened(exit, out.toString(), err.toString());
    }

    /** The per-clip lines: device, clip, trigger, frames, bytes and the verdict. */
    private static List<String> clipLines(Opened opened, String deviceId) {
        return opened.out()
                .lines()
                .filter(l -> l.matches(deviceId + " +[0-9a-f]{16}  .*"))
                .toList();
    }
}
