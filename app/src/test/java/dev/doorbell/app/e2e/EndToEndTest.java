package dev.doorbell.app.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreOpener;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.proto.v1.ClipHeader;
import dev.doorbell.proto.v1.SignedClipHeader;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.seal.ClipVerdict;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.StoredFrameBytes;
import dev.doorbell.seal.v2.ClipOpenerV2;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole path on loopback with its real parts: provision → doorbells (camera, sealing, link over TLS 1.3 with
 * client certificates) → the real uplink and its directory store → the owner's open. Checks invariant 1 (the
 * store holds exactly the bytes the devices sealed), invariant 2 (no plaintext at rest) and that the owner gets
 * back the exact encoded frames, across several key epochs.
 */
class EndToEndTest {
    private static final int WINDOW = 32;

    @TempDir
    Path dir;

    private final Map<String, byte[]> sealedDigests = new ConcurrentHashMap<>();
    private final Map<String, byte[]> plaintextDigests = new ConcurrentHashMap<>();
    private final Set<ByteBuffer> plaintextWindows = ConcurrentHashMap.newKeySet();
    private final Map<String, byte[]> headers = new ConcurrentHashMap<>();

    @Test
    void run_threeDoorbells_storeHoldsExactSealedBytesAndOwnerOpensExactFrames() throws Exception {
        FleetLayout fleet = new FleetLayout(dir.resolve("fleet"));
        new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                .provision(ProvisionRequest.of(fleet.root(), 3), (done, total) -> {});
        FleetPairing.pair(fleet, Files.readAllLines(fleet.fleetList()), 1, new SecureRandom(), Clock.systemUTC());
        List<DeviceDirectory> devices = new ArrayList<>();
        for (String id : Files.readAllLines(fleet.fleetList())) {
            devices.add(DeviceDirectory.load(fleet.device(id)));
        }

        Path storeDir = dir.resolve("store");
        SimulationReport report;
        try (DirectoryStore store = DirectoryStore.open(storeDir, StoreOptions.defaults());
                UplinkServer uplink = new UplinkServer(
                        UplinkConfig.builder()
                                .host("127.0.0.1")
                                .port(0)
                                .tlsDirectory(fleet.uplinkDir())
                                .build(),
                        store)) {
            InetSocketAddress address = uplink.start();
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    address.getPort(),
                    false,
                    7,
                    Profile.P240,
                    Duration.ofSeconds(40),
                    Map.of(
                            devices.get(0).deviceId(),
                            Duration.ofSeconds(1),
                            devices.get(1).deviceId(),
                            Duration.ofSeconds(1),
                            devices.get(2).deviceId(),
                            Duration.ofSeconds(1)),
                    0,
                    2,
                    Duration.ofSeconds(4),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(15),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(5),
                    0);
            StringWriter progress = new StringWriter();
            report = new Simulation(
                            devices,
                            options,
                            VirtualSimClock::startingAtDefault,
                            new Recorder(),
                            new PrintWriter(progress))
                    .run();
            assertTrue(report.complete(), progress.toString());
            uplink.stop(Duration.ofSeconds(5));
        }

        StoreSnapshot snapshot = StoreDirectoryReader.read(storeDir);
        assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
        OwnerDirectory owner = OwnerDirectory.load(FleetPairing.ownerDir(fleet.root(), 1));
        int storedFrames = 0;
        Set<Long> listVersions = new HashSet<>();
        boolean ringClip = false;
        for (StoredClip clip : snapshot.clips()) {
            assertArrayEquals(headers.get(clip.deviceId() + "/" + clip.clipId()), clip.header(), "header of " + clip);
            ClipHeader header = ClipHeader.parseFrom(
                    SignedClipHeader.parseFrom(clip.header()).getHeader());
            assertEquals(3, header.getFormatVersion(), "a format v3 clip: " + clip);
            assertEquals(1, header.getWrappedKeysCount(), "wrapped to the owner's one viewer key: " + clip);
            listVersions.add(header.getRecipientListVersion());
            // The trigger is sealed in v3: only the owner's side sees that a press started the clip.
            ClipVerdict verdict =
                    new ClipOpenerV2(owner).open(clip.deviceId(), clip.clipId(), clip.header(), clip.frames());
            ringClip |= verdict.info().orElseThrow().getTrigger() == Trigger.TRIGGER_RING;
            assertTrue(clip.closed(), "clip " + clip.clipName() + " closed");
            for (StoredFrameBytes f : clip.frames()) {
                byte[] sent = sealedDigests.get(key(clip.deviceId(), clip.clipId(), f.seq()));
                assertArrayEquals(
                        sent, sha256(f.sealed()), "stored bytes of " + key(clip.deviceId(), clip.clipId(), f.seq()));
                storedFrames++;
            }
        }
        assertEquals(sealedDigests.size(), storedFrames, "every sealed frame is stored once");
        assertTrue(storedFrames > 100, "a run of 40 s produces clips; stored " + storedFrames);
        assertEquals(Set.of(1L), listVersions, "every clip sealed for the list of pairing");
        assertTrue(ringClip, "a doorbell press made a RING clip");
        assertNoPlaintextAtRest(storeDir);

        Path opened = dir.resolve("opened");
        List<ClipResult> results =
                new StoreOpener(null, new ClipOpenerV2(owner)).openAll(snapshot, null, null, opened, r -> {});
        owner.destroy();
        assertEquals(snapshot.clips().size(), results.size());
        int openedFrames = 0;
        for (ClipResult r : results) {
            assertEquals("OK", r.verdict(), r.summary());
            assertTrue(Files.exists(r.outDir().resolve("contact-sheet.png")));
            try (Stream<Path> files = Files.list(r.outDir())) {
                for (Path jpg : files.filter(p -> p.toString().endsWith(".jpg")).toList()) {
                    int seq = Integer.parseInt(jpg.getFileName().toString().substring(6, 11));
                    assertArrayEquals(
                            plaintextDigests.get(key(r.deviceId(), r.clipId(), seq)),
                            sha256(Files.readAllBytes(jpg)),
                            "opened frame " + jpg);
                    openedFrames++;
                }
            }
        }
        assertEquals(storedFrames, openedFrames);
    }

    /** No 32-byte run of any encoded frame appears anywhere in the store's files. */
    private void assertNoPlaintextAtRest(Path storeDir) throws Exception {
        assertFalse(plaintextWindows.isEmpty());
        List<Path> files;
        try (Stream<Path> walk = Files.walk(storeDir)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path file : files) {
            byte[] bytes = Files.readAllBytes(file);
            for (int i = 0; i + 32 <= bytes.length; i++) {
                assertFalse(
                        plaintextWindows.contains(ByteBuffer.wrap(bytes, i, 32).slice()),
                        "plaintext bytes found in " + file + " at offset " + i);
            }
        }
    }

    private static String key(String deviceId, long clipId, int seq) {
        return deviceId + "/" + clipId + "/" + seq;
    }

    private static byte[] sha256(byte[] bytes) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(bytes);
    }

    /** Records what the doorbells sealed, on their camera threads. */
    private final class Recorder implements SealObserver {
        @Override
        public void headerSealed(String deviceId, long clipId, byte[] headerBytes) {
            headers.put(deviceId + "/" + clipId, headerBytes.clone());
        }

        @Override
        public void frameSealed(String deviceId, SealedFrame sealed, byte[] plaintext) {
            try {
                sealedDigests.put(key(deviceId, sealed.clipId(), sealed.seq()), sha256(sealed.sealed()));
                plaintextDigests.put(key(deviceId, sealed.clipId(), sealed.seq()), sha256(plaintext));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            // Windows from the middle of the image: the JPEG headers are the same in every frame.
            int at = plaintext.length / 2;
            if (plaintext.length >= 64) {
                plaintextWindows.add(ByteBuffer.wrap(plaintext.clone(), at, 32).slice());
            }
        }
    }
}
