package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.TestFleet;
import dev.doorbell.owner.ClipResult;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.pki.FleetLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invariant 3 under the hardest stop there is: a real uplink process is killed with SIGKILL at seeded random
 * moments while four doorbells stream, and restarted on the same port each time. After every kill the store must
 * hold every frame acknowledged PERSISTED, byte for byte, and nothing torn or doubled; at the end the devices, which
 * resumed on their own, have everything persisted, every clip is closed and opens OK with the owner's keyring.
 */
class CrashRecoveryTest {
    private static final long SEED = Long.getLong("doorbell.crash.seed", 20240611L);
    private static final int DEVICES = 4;
    private static final int KILLS = 20;
    private static final int FRAMES_PER_SECOND = 10;
    private static final int FRAMES_PER_CLIP = 50;

    @TempDir
    Path dir;

    @Test
    void kill9_twentyTimesWhileStreaming_everyPersistedFrameSurvivesAndEveryClipOpensOk() throws Exception {
        FleetLayout layout = TestFleet.provision(dir.resolve("fleet"), DEVICES);
        List<DeviceDirectory> devices = TestFleet.devices(layout);
        Path store = dir.resolve("store");
        Random moments = new Random(SEED);
        int framesChecked = 0;
        long started = System.nanoTime();
        long checkNanos = 0;
        long restartNanos = 0;
        try (UplinkProcess uplink = new UplinkProcess(store, layout.uplinkDir(), dir.resolve("uplink"), List.of());
                StreamingFleet fleet =
                        new StreamingFleet(devices, uplink.port(), SEED, FRAMES_PER_SECOND, FRAMES_PER_CLIP)) {
            uplink.start();
            fleet.start();
            for (int kill = 1; kill <= KILLS; kill++) {
                int before = totalPersisted(fleet);
                // Kill only once the devices are streaming into this incarnation, then at a random moment after that.
                await(
                        "PERSISTED acks from uplink start " + uplink.starts(),
                        Duration.ofSeconds(20),
                        uplink,
                        () -> totalPersisted(fleet) > before);
                LockSupport.parkNanos(
                        Duration.ofMillis(50 + moments.nextInt(700)).toNanos());
                uplink.kill();
                long checking = System.nanoTime();
                Map<String, Integer> acknowledged = new HashMap<>(fleet.persisted);
                StoreCheck.Result result = StoreCheck.check(
                        StoreDirectoryReader.read(store), fleet.sentDigests, fleet.headers, acknowledged);
                assertTrue(result.ok(), "after kill " + kill + ": " + result.problems());
                framesChecked += result.storedFrames();
                long restarting = System.nanoTime();
                checkNanos += restarting - checking;
                uplink.start();
                restartNanos += System.nanoTime() - restarting;
            }
            int before = totalPersisted(fleet);
            await(
                    "PERSISTED acks after the last restart",
                    Duration.ofSeconds(20),
                    uplink,
                    () -> totalPersisted(fleet) > before);
            fleet.stopSending();
            assertTrue(
                    fleet.drain(Duration.ofSeconds(30)),
                    "devices drained after the last restart; log:\n" + uplink.tail());
            assertEquals(0, uplink.stop(), "graceful stop; log:\n" + uplink.tail());
            // SIGKILL loses nothing acknowledged: no start may call the store damaged, shortened or missing anything.
            List<String> storeErrors = Files.readAllLines(uplink.logFile()).stream()
                    .filter(line -> line.contains(" ERROR ") && line.contains("store"))
                    .toList();
            assertEquals(List.of(), storeErrors, "store errors after SIGKILL");

            StoreSnapshot snapshot = StoreDirectoryReader.read(store);
            assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
            StoreCheck.Result last = StoreCheck.check(snapshot, fleet.sentDigests, fleet.headers, fleet.persisted);
            assertTrue(last.ok(), "at the end: " + last.problems());
            framesChecked += last.storedFrames();
            assertEquals(fleet.framesSent(), last.storedFrames(), "every frame sent is stored exactly once");
            assertEquals(fleet.closedClips.size(), snapshot.clips().size(), "every clip sent is stored");
            snapshot.clips()
                    .forEach(c -> assertTrue(c.closed(), "clip " + c.deviceId() + "/" + c.clipName() + " closed"));

            List<ClipResult> opened =
                    TestFleet.storeOpener(layout).openAll(snapshot, null, null, dir.resolve("opened"), r -> {});
            for (ClipResult r : opened) {
                assertEquals("OK", r.verdict(), r.deviceId() + "/" + r.clipName() + ": " + r.summary());
                assertEquals(fleet.closedClips.get(StreamingFleet.key(r.deviceId(), r.clipId())), r.verifiedFrames());
            }
            for (LinkClient link : fleet.links()) {
                assertTrue(
                        link.stats().reconnects() >= KILLS,
                        link.deviceId() + " reconnected by itself after each kill: " + link.stats());
            }
            System.out.printf(
                    "CrashRecoveryTest: %d SIGKILLs survived, %d uplink starts, %d frames sent, %d clips opened"
                            + " OK, %d stored frames checked against what was sent and acknowledged, %.1f s (%.1f s checking after"
                            + " kills, %.1f s starting uplinks)%n",
                    KILLS,
                    uplink.starts(),
                    fleet.framesSent(),
                    opened.size(),
                    framesChecked,
                    (System.nanoTime() - started) / 1e9,
                    checkNanos / 1e9,
                    restartNanos / 1e9);
        }
    }

    private static int totalPersisted(StreamingFleet fleet) {
        return fleet.persisted.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void await(String what, Duration timeout, UplinkProcess uplink, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what
                        + "; uplink " + (uplink.alive() ? "running" : "not running") + "; log:\n" + uplink.tail());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
