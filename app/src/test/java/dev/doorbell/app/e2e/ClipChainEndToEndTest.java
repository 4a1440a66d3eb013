package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.SimClock;
import dev.doorbell.device.camera.SystemSimClock;
import dev.doorbell.device.camera.VirtualSimClock;
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
import dev.doorbell.proto.v1.ChainLink;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * A dropped clip is visible (issue 12, point 3), with real parts: a paired doorbell streams clips over TLS to the real
 * uplink and its directory store; an operator then removes clips from the stopped store as a careful one would (the
 * store still looks whole: CRCs, start records and checkpoint rewritten); the owner's {@code open} reads the
 * device's chain of clips. A middle clip gone is MISSING, naming the clips on each side; the newest gone only moves
 * the HEAD; a rolled-back chain state is CHAIN BROKEN.
 */
class ClipChainEndToEndTest {
    @TempDir
    Path dir;

    private FleetLayout fleet;
    private String deviceId;
    private Path store;

    /** What one {@code open} printed and returned. */
    record Opened(int exit, String out, String err) {}

    /** A stored clip and its place in the chain. */
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
        store = dir.resolve("store");
    }

    @Test
    void open_middleClipAndAcknowledgedFramesRemovedFromTheStore_missingNamingTheClipsOnEachSideAndTheFrame()
            throws Exception {
        // On the wall clock, as a doorbell runs: acknowledgements arrive while a clip is recorded, so each header can
        // say how much of the clip before it the uplink acknowledged (on a virtual clock the camera outruns them).
        stream(1, Duration.ofSeconds(8), SystemSimClock::new);
        List<Chained> chain = chain();
        assertTrue(chain.size() >= 4, "enough clips for a middle one: " + chain);
        Opened whole = open();
        assertEquals(0, whole.exit(), whole.out() + whole.err());
        Chained last = chain.get(chain.size() - 1);
        assertTrue(
                whole.out().contains("HEAD clip " + last.name() + " at position " + chain.size() + ";"), whole.out());
        assertFalse(whole.out().contains("MISSING"), whole.out());

        Chained before = chain.get(1);
        Chained gone = chain.get(2);
        Chained after = chain.get(3);
        assertTrue(StoreSurgery.removeClip(store, deviceId, gone.clipId()) > 2);
        assertEquals(chain.size() - 1, StoreDirectoryReader.read(store).clips().size());
        // And the tail of the first clip, whose acknowledged frames its successor vouches for.
        Chained cut = chain.get(0);
        int acknowledged = chain.get(1).link().getPrevAcknowledgedFrames();
        assertTrue(acknowledged > 1, "the second clip vouches for frames of the first: " + chain.get(1));
        int kept = acknowledged / 2;
        assertTrue(StoreSurgery.removeFramesFrom(store, deviceId, cut.clipId(), kept) > 0);

        Opened opened = open();
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        String missing = "MISSING 1 clip(s) between " + before.name() + " (position 2) and " + after.name()
                + " (position 4): " + after.name() + " names its predecessor " + gone.name()
                + ", of which the uplink had acknowledged " + after.link().getPrevAcknowledgedFrames() + " frames";
        assertTrue(opened.out().contains(missing), opened.out());
        assertTrue(after.link().getPrevAcknowledgedFrames() > 0, "the device knew of acknowledged frames");
        String cutVerdict = "MISSING at frame " + kept + " (the uplink acknowledged " + acknowledged + " frames"
                + (chain.get(1).link().getPrevFinalAcknowledged() ? " including its final frame" : "")
                + ", the store holds " + kept + ")";
        assertTrue(opened.out().contains(cut.name() + "  " + cutVerdict), opened.out());
        assertEquals(
                cutVerdict + "\n",
                Files.readString(dir.resolve("opened")
                        .resolve(deviceId)
                        .resolve(cut.name())
                        .resolve("verdict.txt")));
        assertTrue(opened.out().contains("chains of clips: 2 MISSING (listed above)"), opened.out());
        assertTrue(
                Files.readString(dir.resolve("opened").resolve("summary.txt")).contains(missing));
        assertFalse(opened.out().contains("is not whole"), "the store itself looks sound: " + opened.out());
    }

    @Test
    void open_newestClipRemovedFromTheStore_onlyTheHeadMoves() throws Exception {
        stream(1, Duration.ofSeconds(16));
        List<Chained> chain = chain();
        assertTrue(chain.size() >= 3, chain.toString());
        Chained newest = chain.get(chain.size() - 1);
        Chained before = chain.get(chain.size() - 2);
        StoreSurgery.removeClip(store, deviceId, newest.clipId());

        Opened opened = open();
        assertEquals(0, opened.exit(), opened.out() + opened.err());
        assertTrue(
                opened.out().contains("HEAD clip " + before.name() + " at position " + (chain.size() - 1) + ";"),
                opened.out());
        assertFalse(opened.out().contains("MISSING"), opened.out());
        assertFalse(opened.out().contains("CHAIN BROKEN"), opened.out());
    }

    @Test
    void open_chainStateRolledBackBeforeARestart_chainBroken() throws Exception {
        stream(1, Duration.ofSeconds(10));
        Path state = fleet.device(deviceId).resolve("chain.state");
        Path olderCopy = dir.resolve("chain.state.copy");
        Files.copy(state, olderCopy);
        int firstRun = chain().size();
        stream(2, Duration.ofSeconds(10));
        assertTrue(chain().size() > firstRun, "the second run made clips");
        Files.copy(olderCopy, state, StandardCopyOption.REPLACE_EXISTING);
        stream(3, Duration.ofSeconds(10));

        Chained reused = chain().stream()
                .filter(c -> c.link().getPosition() == firstRun + 1)
                .findFirst()
                .orElseThrow();
        Opened opened = open();
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertTrue(opened.out().contains("CHAIN BROKEN at position " + (firstRun + 1) + " (clips "), opened.out());
        assertTrue(opened.out().contains(reused.name()), opened.out());
        assertTrue(opened.out().contains("both claim it: the device's chain state was rolled back or forked)"));
    }

    @Test
    void open_deviceProcessKilledMidClipAndRestarted_interruptedClipTruncatedNeverMissing_andTheChainGoesOn()
            throws Exception {
        Path state = fleet.device(deviceId).resolve("chain.state");
        String killedState;
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), store)) {
            try (ChildProcess device = simulate(uplink.port(), "60s")) {
                // Mid-clip: the uplink has acknowledged frames of the newest clip, not its final frame.
                Waits.await("a clip after the first, partly acknowledged", Duration.ofSeconds(40))
                        .failFast("the device process ended", () -> !device.alive())
                        .until(() -> midClip(state));
                device.signal("KILL");
                assertEquals(137, device.awaitExit(Duration.ofSeconds(10)), device.err());
            }
            killedState = Files.readString(state);
            try (ChildProcess restarted = simulate(uplink.port(), "4s")) {
                assertEquals(0, restarted.awaitExit(Duration.ofSeconds(60)), restarted.out() + restarted.err());
            }
        }
        long killedPosition = Long.parseLong(field(killedState, "position"));
        String killedClip = field(killedState, "clip");

        List<Chained> chain = chain();
        Chained next = chain.stream()
                .filter(c -> c.link().getPosition() == killedPosition + 1)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no clip after position " + killedPosition + ": " + chain));
        assertEquals(killedClip, String.format("%016x", next.link().getPrevClipId()), "the chain goes on after it");
        assertEquals(
                Long.parseLong(field(killedState, "acknowledged")),
                next.link().getPrevAcknowledgedFrames(),
                "what the device knew after its restart: the durable count");
        Opened opened = open();
        assertFalse(opened.out().contains("MISSING"), opened.out());
        assertFalse(opened.out().contains("CHAIN BROKEN"), opened.out());
        assertTrue(
                opened.out().lines().anyMatch(l -> l.contains(killedClip + "  ") && l.contains("TRUNCATED after")),
                "the interrupted clip is TRUNCATED: " + opened.out());
        assertTrue(
                opened.out().contains("HEAD clip " + chain.get(chain.size() - 1).name()), opened.out());
    }

    @Test
    void simulate_chainStateOfAnotherDevice_refusedInOneLineNamingTheFile() throws Exception {
        Path state = fleet.device(deviceId).resolve("chain.state");
        Files.writeString(
                state,
                "doorbell-device-chain v3\ndevice: another-door\nposition: 4\nclip: 00000000000000aa\nheader: "
                        + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nacknowledged: 3\nfinal: no\n");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));

        int exit = cli.execute(
                "simulate",
                "--device-dir",
                fleet.device(deviceId).toString(),
                "--uplink",
                "127.0.0.1:9",
                "--duration",
                "1s");

        assertEquals(2, exit, out + err.toString());
        assertEquals(1, err.toString().lines().count(), err.toString());
        assertTrue(
                err.toString()
                        .contains("device " + deviceId + ": chain state " + state + " is unusable (it is the"
                                + " chain state of device another-door)"),
                err.toString());
    }

    private ChildProcess simulate(int port, String duration) throws Exception {
        return ChildProcess.java(
                DoorbellCli.class.getName(),
                List.of(
                        "simulate",
                        "--device-dir",
                        fleet.device(deviceId).toString(),
                        "--uplink",
                        "127.0.0.1:" + port,
                        "--duration",
                        duration,
                        "--crossing-rate",
                        "30",
                        "--pre-roll",
                        "500ms",
                        "--post-roll",
                        "500ms",
                        "--max-clip",
                        "2s",
                        "--ring-at",
                        deviceId + "=1s"));
    }

    private static boolean midClip(Path state) {
        try {
            String text = Files.readString(state);
            return Long.parseLong(field(text, "position")) >= 2
                    && !field(text, "acknowledged").equals("0")
                    && field(text, "final").equals("no");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static String field(String chainState, String name) {
        return chainState
                .lines()
                .filter(l -> l.startsWith(name + ": "))
                .findFirst()
                .orElseThrow()
                .substring(name.length() + 2);
    }

    /** One run of the doorbell against a real uplink on this store, clips of at most 2 s. */
    private void stream(long seed, Duration duration) throws Exception {
        stream(seed, duration, VirtualSimClock::startingAtDefault);
    }

    private void stream(long seed, Duration duration, Supplier<SimClock> clocks) throws Exception {
        List<DeviceDirectory> devices = List.of(DeviceDirectory.load(fleet.device(deviceId)));
        try (DirectoryStore directoryStore = DirectoryStore.open(store, StoreOptions.defaults());
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
            SimulationReport report =
                    new Simulation(devices, options, clocks, SealObserver.NONE, new PrintWriter(progress)).run();
            assertTrue(report.complete(), progress.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
    }

    /** The device's stored clips in chain order. */
    private List<Chained> chain() throws Exception {
        List<Chained> chain = new ArrayList<>();
        for (StoredClip clip : StoreDirectoryReader.read(store).clips()) {
            ClipHeader header = ClipHeader.parseFrom(
                    SignedClipHeader.parseFrom(clip.header()).getHeader());
            assertEquals(3, header.getFormatVersion());
            chain.add(new Chained(clip.clipId(), header.getChain()));
        }
        chain.sort(Comparator.comparingLong(c -> c.link().getPosition()));
        return chain;
    }

    private Opened open() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(
                "open",
                "--store",
                store.toString(),
                "--identity",
                FleetPairing.ownerDir(fleet.root(), 1).toString(),
                "--out",
                dir.resolve("opened").toString());
        return new Opened(exit, out.toString(), err.toString());
    }
}
