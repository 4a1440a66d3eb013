package dev.doorbell.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.testing.StreamingSimulate;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.Waits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One device directory, one device (invariant 4), with real processes: while a `simulate` streams from a device
 * directory, a second one on the same directory is refused at once, with one line naming the directory and the
 * holder's pid and exit 2, before it reads or writes any of the device's state; the first goes on streaming. After
 * SIGKILL of the holder the kernel has dropped its lock, and a new `simulate` runs on the directory.
 */
class DeviceDirectoryLockTest {
    private static final String MAIN = DoorbellCli.class.getName();
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration REFUSED_WITHIN = Duration.ofSeconds(30);
    private static final Pattern PERSISTED = Pattern.compile("frames sealed \\d+, persisted (\\d+)");

    @TempDir
    static Path dir;

    private static FleetLayout fleet;
    private static String deviceId;
    private static Path device;

    @BeforeAll
    static void provision() throws Exception {
        fleet = TrustFixtures.provision(dir.resolve("fleet"), 1);
        deviceId = Files.readAllLines(fleet.fleetList()).get(0).trim();
        device = fleet.device(deviceId);
    }

    @Test
    void simulate_secondProcessOnALiveDeviceDirectory_refusedAtOnceFirstGoesOnAndAfterKill9ANewOneRuns()
            throws Exception {
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), dir.resolve("store"))) {
            ChildProcess first = ChildProcess.java(MAIN, simulate(uplink.port(), "120s"));
            try (first) {
                first.awaitOutput("persisted [1-9]", START);

                long asked = System.nanoTime();
                try (ChildProcess second = ChildProcess.java(MAIN, simulate(uplink.port(), "5s"))) {
                    int exit = second.awaitExit(REFUSED_WITHIN);
                    double seconds = (System.nanoTime() - asked) / 1e9;
                    assertEquals(2, exit, second.out() + second.err());
                    assertEquals(
                            List.of("simulate: device directory " + device + " is in use by another process (pid "
                                    + first.pid() + "); one device directory, one device"),
                            second.err().lines().toList(),
                            second.err());
                    assertEquals("", second.out(), "nothing started: no 'simulating' line");
                    assertTrue(seconds < 15, "refused at once, not after a timeout: " + seconds + " s");
                }
                Path lockFile = device.resolve("device.lock");
                String lockLine = Files.readString(lockFile);
                assertTrue(
                        lockLine.startsWith("pid=" + first.pid() + " "), "the holder's line is untouched: " + lockLine);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(lockFile)));
                assertTrue(first.alive(), "the first device runs on");
                int before = lastPersisted(first.out());
                Waits.await("the first device's frames PERSISTED after the refusal", START)
                        .until(() -> lastPersisted(first.out()) > before);
            }
            // close() sent SIGKILL: no shutdown hook ran, the lock file still names the dead process.
            assertTrue(Files.readString(device.resolve("device.lock")).startsWith("pid="));

            try (ChildProcess next = ChildProcess.java(MAIN, simulateVirtual(uplink.port()))) {
                int exit = next.awaitExit(START);
                assertEquals(0, exit, next.out() + next.err());
                assertTrue(next.out().startsWith("simulating 1 doorbell(s)"), next.out());
            }
        }
    }

    @Test
    void simulate_oneDirectoryNamedTwice_refusedBeforeAnythingStarts() throws Exception {
        try (ChildProcess twice = ChildProcess.java(
                MAIN,
                List.of(
                        "simulate",
                        "--device-dir",
                        device.toString(),
                        "--device-dir",
                        device.toString(),
                        "--uplink",
                        "127.0.0.1:9",
                        "--duration",
                        "1s"))) {
            int exit = twice.awaitExit(REFUSED_WITHIN);
            assertEquals(2, exit, twice.out() + twice.err());
            assertEquals(
                    List.of("simulate: device directory " + device
                            + " is named twice; one device directory, one device"),
                    twice.err().lines().toList(),
                    twice.err());
            assertEquals("", twice.out());
        }
    }

    private static List<String> simulate(int port, String duration) {
        return StreamingSimulate.args(device, deviceId, port, duration);
    }

    private static List<String> simulateVirtual(int port) {
        List<String> args = simulate(port, "3s");
        args.add("--virtual-clock");
        return args;
    }

    private static int lastPersisted(String out) {
        Matcher m = PERSISTED.matcher(out);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }
}
