package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.OwnerEnrollment;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreOpener;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.keyring.OwnerKeyring;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second implementation (clients/python, written from docs/FORMAT.md and docs/PROTOCOL.md alone) against this
 * one, both ways: its own tests and every vector (v1 and v2); a v1 clip sealed and uploaded by Python to the real
 * uplink that the Java owner opens OK with the keyring (v1 stores are still opened); and the v2 clips of a paired Java
 * doorbell that Python opens OK with the owner's directory, frame for frame. Format v2 both ways is in
 * PythonV2SealInteropTest and PythonV2InteropTest.
 */
class PythonInteropTest {
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    @Test
    void runTests_pythonSuite_allPass() throws Exception {
        PythonClient.Result result = PythonClient.run(
                List.of(PythonClient.dir().resolve("run-tests.sh").toString()), PYTHON_TIMEOUT);
        assertEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains(" 0 failed"), result.output());
    }

    @Test
    void vectors_everySealVector_pythonAgrees() throws Exception {
        PythonClient.Result result = PythonClient.doorbellPy(List.of("vectors"), PYTHON_TIMEOUT);
        assertEquals(0, result.exitCode(), result.output());
    }

    @Test
    void upload_pythonDeviceToRealUplink_javaOwnerOpensOk() throws Exception {
        FleetLayout fleet = provision(1);
        String deviceId = Files.readAllLines(fleet.fleetList()).get(0);
        Path storeDir = dir.resolve("store");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            PythonClient.Result upload = PythonClient.doorbellPy(
                    List.of(
                            "upload",
                            "--device-dir",
                            fleet.device(deviceId).toString(),
                            "--uplink",
                            "127.0.0.1:" + port,
                            "--synthetic",
                            "12",
                            "--clip-id",
                            "77",
                            "--timeout",
                            "30"),
                    PYTHON_TIMEOUT);
            assertEquals(0, upload.exitCode(), upload.output());
            uplink.stop(Duration.ofSeconds(5));
        }

        StoreSnapshot snapshot = StoreDirectoryReader.read(storeDir);
        assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
        List<ClipResult> results = new StoreOpener(OwnerKeyring.open(fleet.ownerKeyringDir()))
                .openAll(snapshot, null, null, dir.resolve("opened"), r -> {});
        assertEquals(1, results.size());
        ClipResult clip = results.get(0);
        assertEquals("OK", clip.verdict(), clip.summary());
        assertEquals(deviceId, clip.deviceId());
        assertEquals(77, clip.clipId());
        assertEquals(12, clip.verifiedFrames());
    }

    @Test
    void open_javaDoorbellV2Clips_pythonOpensOkFrameForFrameWithTheOwnersDirectory() throws Exception {
        FleetLayout fleet = PairedFleets.provision(dir.resolve("fleet"), 1);
        String deviceId = Files.readAllLines(fleet.fleetList()).get(0);
        DeviceDirectory device = DeviceDirectory.load(fleet.device(deviceId));
        Map<String, byte[]> plaintexts = new ConcurrentHashMap<>();
        Path storeDir = dir.resolve("store");
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            int port = uplink.start().getPort();
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    port,
                    false,
                    11,
                    Profile.P240,
                    Duration.ofSeconds(12),
                    Map.of(deviceId, Duration.ofSeconds(1)),
                    0,
                    0,
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5),
                    0);
            StringWriter progress = new StringWriter();
            SimulationReport report = new Simulation(
                            List.of(device),
                            options,
                            VirtualSimClock::startingAtDefault,
                            new Plaintexts(plaintexts),
                            new PrintWriter(progress))
                    .run();
            assertTrue(report.complete(), progress.toString());
            uplink.stop(Duration.ofSeconds(5));
        }
        assertFalse(plaintexts.isEmpty(), "the doorbell press made a clip");

        Path opened = dir.resolve("opened");
        PythonClient.Result open = PythonClient.doorbellPy(
                List.of(
                        "open",
                        "--store",
                        storeDir.toString(),
                        "--identity",
                        PairedFleets.ownerDir(fleet).toString(),
                        "--out",
                        opened.toString()),
                PYTHON_TIMEOUT);
        assertEquals(0, open.exitCode(), open.output());
        int clips = StoreDirectoryReader.read(storeDir).clips().size();
        assertEquals(
                clips, open.output().lines().filter(l -> l.contains(" OK (")).count(), open.output());
        for (Map.Entry<String, byte[]> e : plaintexts.entrySet()) {
            Path jpg = opened.resolve(e.getKey() + ".jpg");
            assertTrue(Files.exists(jpg), "Python opened " + jpg);
            assertArrayEquals(e.getValue(), Files.readAllBytes(jpg), "frame " + e.getKey());
        }
    }

    private FleetLayout provision(int devices) throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), new OwnerEnrollment(new SecureRandom()))
                .provision(ProvisionRequest.of(fleet.root(), devices), (done, total) -> {});
        return fleet;
    }

    /** Keeps each encoded frame under the path the Python opener writes it to: device/clip (16 hex)/seq (6 digits). */
    private record Plaintexts(Map<String, byte[]> byPath) implements SealObserver {
        @Override
        public void headerSealed(String deviceId, long clipId, byte[] headerBytes) {}

        @Override
        public void frameSealed(String deviceId, SealedFrame sealed, byte[] plaintext) {
            byPath.put(String.format("%s/%016x/%06d", deviceId, sealed.clipId(), sealed.seq()), plaintext.clone());
        }
    }
}
