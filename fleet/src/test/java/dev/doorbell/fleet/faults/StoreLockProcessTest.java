package dev.doorbell.fleet.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.TestFleet;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.pki.FleetLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One store, one uplink (issue 9.1), with real processes: while an uplink streams from real doorbells, a second
 * {@code serve} on the same store is refused at once with one line naming the store and the holder's pid, and
 * touches nothing; the first goes on acknowledging and its store stays what it acknowledged. After SIGKILL of the
 * holder, the kernel has dropped its lock, and a new uplink starts on the store.
 */
class StoreLockProcessTest {
    private static final long SEED = 20261205L;
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void serve_secondUplinkOnALiveStore_refusedAtOnceFirstGoesOnAndAfterKill9ANewOneStarts() throws Exception {
        FleetLayout layout = TestFleet.provision(dir.resolve("fleet"), 2);
        List<DeviceDirectory> devices = TestFleet.devices(layout);
        Path store = dir.resolve("store");
        try (UplinkProcess first = new UplinkProcess(store, layout.uplinkDir(), dir.resolve("first"), List.of());
                UplinkProcess second = new UplinkProcess(store, layout.uplinkDir(), dir.resolve("second"), List.of());
                StreamingFleet fleet = new StreamingFleet(devices, first.port(), SEED, 20, 30)) {
            first.start();
            fleet.start();
            await("PERSISTED acks from the first uplink", first, () -> persisted(fleet) > 0);
            String lockLine = Files.readString(store.resolve("lock"));
            assertTrue(lockLine.startsWith("pid=" + first.pid() + " "), lockLine);

            long asked = System.nanoTime();
            UplinkProcess.Run refused =
                    second.run(COMMAND_TIMEOUT, second.serveArgs().toArray(String[]::new));
            double seconds = (System.nanoTime() - asked) / 1e9;
            assertEquals(2, refused.exit(), refused.toString());
            assertEquals(
                    List.of("serve: store " + store + " is in use by another uplink (pid " + first.pid() + "); one "
                            + "store, one uplink"),
                    refused.stderr().lines().toList(),
                    refused.toString());
            assertEquals("", refused.stdout());
            assertTrue(seconds < 15, "refused at once, not after a timeout: " + seconds + " s");
            assertEquals(lockLine, Files.readString(store.resolve("lock")), "the holder's lock file is untouched");

            UplinkProcess.Run salvage = second.run(COMMAND_TIMEOUT, "fsck", "--data", store.toString(), "--salvage");
            assertEquals(2, salvage.exit(), salvage.toString());
            assertTrue(salvage.stderr().contains("pid " + first.pid()), salvage.toString());
            UplinkProcess.Run live = second.run(COMMAND_TIMEOUT, "fsck", "--data", store.toString());
            assertEquals(0, live.exit(), live.toString());
            assertTrue(live.stdout().contains("live (uplink pid " + first.pid() + ")"), live.stdout());

            int before = persisted(fleet);
            await("PERSISTED acks after the refused uplink", first, () -> persisted(fleet) > before + 20);
            fleet.stopSending();
            assertTrue(fleet.drain(Duration.ofSeconds(30)), "drained; log:\n" + first.tail());
            first.kill();
            StoreCheck.Result result = StoreCheck.check(
                    StoreDirectoryReader.read(store), fleet.sentDigests, fleet.headers, new HashMap<>(fleet.persisted));
            assertTrue(result.ok(), result.problems().toString());
            assertEquals(fleet.framesSent(), result.storedFrames(), "every frame sent is stored exactly once");
            UplinkProcess.Run check = second.run(COMMAND_TIMEOUT, "fsck", "--data", store.toString());
            assertEquals(0, check.exit(), check.toString());
            assertTrue(check.stdout().contains("\nfsck: clean"), check.stdout());

            second.start();
            assertTrue(Files.readString(store.resolve("lock")).startsWith("pid=" + second.pid() + " "));
            assertEquals(0, second.stop(), second.tail());
        }
    }

    private static int persisted(StreamingFleet fleet) {
        return fleet.persisted.values().stream().mapToInt(Integer::intValue).sum();
    }

    private static void await(String what, UplinkProcess uplink, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what + "; log:\n" + uplink.tail());
            }
            LockSupport.parkNanos(5_000_000);
        }
    }
}
