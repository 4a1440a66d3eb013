package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.fault.FaultPlan;
import dev.doorbell.device.fault.FirmwareFault;
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
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Each firmware fault of docs/FIRMWARE.md ("Fault modes") with real parts: a paired doorbell committing the fault
 * streams over TLS to the real uplink and its directory store, and the owner's {@code open} reads the store. Each
 * test shows what the fault produces and which layer catches it, as the table in docs/FIRMWARE.md says (the whole
 * matrix of layers is {@code FaultMatrixTest}).
 */
class FirmwareFaultsEndToEndTest {
    private static final long SEED = 7;

    @TempDir
    Path dir;

    private FleetLayout fleet;
    private String deviceId;
    private Path store;

    record Opened(int exit, String out, String err) {}

    record Run(SimulationReport report, String progress, List<ClipHeader> headers) {}

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
    void stuckRng_everyClipSharesPrefixEncapsulationAndKey_openSaysKeyReused() throws Exception {
        Run run = stream(FirmwareFault.STUCK_RNG);
        assertTrue(run.report().complete(), run.progress());
        assertTrue(run.progress().contains("INSECURE FIRMWARE FAULT stuck-rng on device " + deviceId), run.progress());
        assertTrue(run.headers().size() >= 2, run.progress());
        ClipHeader first = run.headers().get(0);
        for (ClipHeader h : run.headers()) {
            assertEquals(first.getNoncePrefix(), h.getNoncePrefix());
            assertEquals(first.getWrappedKeys(0).getEnc(), h.getWrappedKeys(0).getEnc());
        }
        Opened opened = open();
        assertKeyReused(run, opened);
    }

    @Test
    void noncePrefixReuse_everyClipSharesThePrefixUnderItsOwnKey_openSaysOk_nobodyCatchesItYet() throws Exception {
        Run run = stream(FirmwareFault.NONCE_PREFIX_REUSE);
        assertTrue(run.report().complete(), run.progress());
        ClipHeader first = run.headers().get(0);
        for (ClipHeader h : run.headers().subList(1, run.headers().size())) {
            assertEquals(first.getNoncePrefix(), h.getNoncePrefix());
            assertNotEquals(first.getKeyCommitment(), h.getKeyCommitment(), "each clip's own key");
            assertNotEquals(
                    first.getWrappedKeys(0).getEnc(), h.getWrappedKeys(0).getEnc());
        }
        Opened opened = open();
        assertEquals(0, opened.exit(), opened.out() + opened.err());
        assertEquals(run.headers().size(), okClips(opened));
    }

    @Test
    void clipKeyReuse_invisibleInTheHeaders_openSaysKeyReused() throws Exception {
        Run run = stream(FirmwareFault.CLIP_KEY_REUSE);
        assertTrue(run.report().complete(), run.progress());
        assertTrue(run.headers().size() >= 2, run.progress());
        // k is the same, but the HKDF of FORMAT.md section 17.2 mixes in the clip id: commitments and prefixes differ.
        assertEquals(
                run.headers().size(),
                run.headers().stream()
                        .map(ClipHeader::getKeyCommitment)
                        .distinct()
                        .count());
        assertEquals(
                run.headers().size(),
                run.headers().stream()
                        .map(ClipHeader::getNoncePrefix)
                        .distinct()
                        .count());
        assertKeyReused(run, open());
    }

    @Test
    void counterReset_uplinkRefusesTheRepeatedSeqWithSequenceGap_openSaysTruncatedAtTheReset() throws Exception {
        FaultPlan plan = FaultPlan.of(List.of(FirmwareFault.COUNTER_RESET), SEED);
        Run run = stream(plan);
        assertFalse(run.report().complete(), run.progress());
        assertEquals(run.headers().size(), run.report().rows().get(0).errors(), run.progress());
        Opened opened = open();
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertEquals(
                run.headers().size(),
                opened.out()
                        .lines()
                        .filter(l -> l.contains(
                                "TRUNCATED after " + plan.resetAtSeq() + " verified frames (no final frame)"))
                        .count(),
                opened.out());
    }

    @Test
    void wrongAad_uplinkStoresIt_openSaysTamperedAtFrame0() throws Exception {
        Run run = stream(FirmwareFault.WRONG_AAD);
        assertTrue(run.report().complete(), run.progress());
        assertTamperedAtFrame0(run, open());
    }

    @Test
    void truncatedTag_uplinkStoresIt_openSaysTamperedAtFrame0() throws Exception {
        Run run = stream(FirmwareFault.TRUNCATED_TAG);
        assertTrue(run.report().complete(), run.progress());
        assertTamperedAtFrame0(run, open());
    }

    @Test
    void chainRollback_theNextBootReusesPositions_openSaysChainBroken() throws Exception {
        Path state = fleet.device(deviceId).resolve("chain.state");
        Run first = stream(FirmwareFault.CHAIN_ROLLBACK);
        assertTrue(first.report().complete(), first.progress());
        assertFalse(Files.exists(state), "rolled back to no chain state at all, as at boot");
        Run second = stream(FirmwareFault.CHAIN_ROLLBACK);
        assertTrue(second.headers().size() > first.headers().size(), second.progress());
        long atOne = second.headers().stream()
                .filter(h -> h.getChain().getPosition() == 1)
                .count();
        assertEquals(2, atOne, "two clips at position 1");
        Opened opened = open();
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertTrue(opened.out().contains("CHAIN BROKEN at position 1 (clips "), opened.out());
    }

    @Test
    void clockBackwards_laterClipsSayTheyStartedEarlier_openSaysClockBackwardsAtPosition2_informational()
            throws Exception {
        Run run = stream(FirmwareFault.CLOCK_BACKWARDS);
        assertTrue(run.report().complete(), run.progress());
        assertTrue(run.headers().size() >= 2, run.progress());
        Opened opened = open();
        assertEquals(0, opened.exit(), opened.out() + opened.err());
        assertEquals(run.headers().size(), okClips(opened));
        // One jump back, after the first clip: later clips go on from the new time.
        List<String> backwards = opened.out()
                .lines()
                .filter(l -> l.contains("CLOCK BACKWARDS at position "))
                .toList();
        assertEquals(1, backwards.size(), opened.out());
        assertTrue(backwards.get(0).contains("CLOCK BACKWARDS at position 2 (clip "), opened.out());
        assertTrue(opened.out().contains("chains of clips: 1 CLOCK BACKWARDS (listed above)"), opened.out());
    }

    @Test
    void flashFull_theDeviceDropsEveryClip_itsOwnReportSaysNotPersisted_openSaysTruncatedAfter0() throws Exception {
        Run run = stream(FirmwareFault.FLASH_FULL);
        assertFalse(run.report().complete(), run.progress());
        SimulationReport.Row row = run.report().rows().get(0);
        assertEquals(0, row.framesPersisted(), run.progress());
        assertEquals(row.clips(), row.droppedClips(), run.progress());
        Opened opened = open();
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertEquals(
                run.headers().size(),
                opened.out()
                        .lines()
                        .filter(l -> l.contains("TRUNCATED after 0 verified frames"))
                        .count(),
                opened.out());
    }

    @Test
    void simulateCommand_unknownFault_refusedNamingTheKnownOnes() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(
                "simulate", "--device-dir", fleet.device(deviceId).toString(), "--fault", "wrong-aad,stuck-rgn");
        assertEquals(2, exit, out + err.toString());
        assertTrue(err.toString().contains("unknown firmware fault 'stuck-rgn'; known: stuck-rng,"), err.toString());
    }

    /** Every clip verifies (OK) but they share one clip key: open fails with one KEY REUSED naming them all. */
    private static void assertKeyReused(Run run, Opened opened) {
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertEquals(run.headers().size(), okClips(opened));
        List<String> reused =
                opened.out().lines().filter(l -> l.contains("KEY REUSED by ")).toList();
        assertEquals(1, reused.size(), opened.out());
        assertTrue(reused.get(0).contains("KEY REUSED by " + run.headers().size() + " clips ("), opened.out());
    }

    private void assertTamperedAtFrame0(Run run, Opened opened) {
        assertEquals(1, opened.exit(), opened.out() + opened.err());
        assertEquals(
                run.headers().size(),
                opened.out()
                        .lines()
                        .filter(l -> l.contains("TAMPERED at frame 0: authentication failed"))
                        .count(),
                opened.out());
    }

    private static long okClips(Opened opened) {
        return opened.out()
                .lines()
                .filter(l -> l.matches(".*  OK \\d+ frames$"))
                .count();
    }

    private Run stream(FirmwareFault fault) throws Exception {
        return stream(FaultPlan.of(List.of(fault), SEED));
    }

    private Run stream(FaultPlan faults) throws Exception {
        return stream(faults, Duration.ofSeconds(6));
    }

    private Run stream(FaultPlan faults, Duration duration) throws Exception {
        List<DeviceDirectory> devices = List.of(DeviceDirectory.load(fleet.device(deviceId)));
        SimulationReport report;
        StringWriter progress = new StringWriter();
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
                    SEED,
                    Profile.P240,
                    duration,
                    Map.of(deviceId, Duration.ofSeconds(1)),
                    0,
                    30,
                    Duration.ofMillis(500),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(5),
                    0);
            report = new Simulation(
                            devices,
                            options,
                            VirtualSimClock::startingAtDefault,
                            SealObserver.NONE,
                            new PrintWriter(progress),
                            faults)
                    .run();
            StringWriter summary = new StringWriter();
            report.print(new PrintWriter(summary));
            progress.append(summary.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
        List<ClipHeader> headers = new ArrayList<>();
        if (Files.exists(store)) {
            for (StoredClip clip : StoreDirectoryReader.read(store).clips()) {
                headers.add(ClipHeader.parseFrom(
                        SignedClipHeader.parseFrom(clip.header()).getHeader()));
            }
        }
        return new Run(report, progress.toString(), headers);
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
