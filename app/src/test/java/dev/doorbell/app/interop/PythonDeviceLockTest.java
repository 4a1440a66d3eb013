package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.app.testing.StreamingSimulate;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.ChildProcess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One device directory, one device, across the two implementations: the Java device and the Python device take the
 * same lock (fcntl on DEVICE_DIR/device.lock), so neither can run from a directory the other runs from. Each is
 * refused with its one line naming the other's pid, exit 2; after SIGKILL of the holder the other runs.
 */
class PythonDeviceLockTest {
    private static final String MAIN = DoorbellCli.class.getName();
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration PYTHON_TIMEOUT = Duration.ofSeconds(60);
    /** The Python device's own lock module, held until its standard input closes: a device that does nothing else. */
    private static final String HOLDER = String.join(
            "\n",
            "import sys",
            "from doorbell_py import devicelock",
            "lock = devicelock.acquire(sys.argv[1])",
            "print('held', flush=True)",
            "sys.stdin.read()");

    @TempDir
    static Path dir;

    private static FleetLayout fleet;
    private static String deviceId;
    private static Path device;

    @BeforeAll
    static void provision() throws Exception {
        PythonClient.requireRuntime();
        fleet = TrustFixtures.provision(dir.resolve("fleet"), 1);
        deviceId = Files.readAllLines(fleet.fleetList()).get(0).trim();
        device = fleet.device(deviceId);
    }

    @Test
    void pythonUpload_whileJavaSimulateRunsTheDirectory_refusedNamingItsPid() throws Exception {
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), dir.resolve("store-java"));
                ChildProcess java = ChildProcess.java(MAIN, simulate(uplink.port(), "120s"))) {
            java.awaitOutput("persisted [1-9]", START);
            PythonClient.Result upload = PythonClient.doorbellPy(
                    List.of(
                            "upload",
                            "--device-dir",
                            device.toString(),
                            "--uplink",
                            "127.0.0.1:" + uplink.port(),
                            "--synthetic",
                            "3",
                            "--timeout",
                            "20"),
                    PYTHON_TIMEOUT);
            assertEquals(2, upload.exitCode(), upload.output());
            assertEquals(
                    "upload: device directory " + device + " is in use by another process (pid " + java.pid()
                            + "); one device directory, one device\n",
                    upload.output());
            assertTrue(java.alive(), "the Java device runs on");
        }
    }

    @Test
    void javaSimulate_whilePythonHoldsTheDirectory_refusedNamingItsPid_andRunsAfterItsKill9() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(PythonClient.PYTHON, "-c", HOLDER, device.toString());
        builder.environment().put("PYTHONPATH", PythonClient.dir().toString());
        builder.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process python = builder.start();
        try (TrustFixtures.Uplink uplink = new TrustFixtures.Uplink(fleet.uplinkDir(), dir.resolve("store-python"))) {
            BufferedReader said =
                    new BufferedReader(new InputStreamReader(python.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("held", said.readLine(), "the Python holder took the lock");
            try (ChildProcess refused = ChildProcess.java(MAIN, simulate(uplink.port(), "5s"))) {
                assertEquals(2, refused.awaitExit(START), refused.out() + refused.err());
                assertEquals(
                        List.of("simulate: device directory " + device + " is in use by another process (pid "
                                + python.pid() + "); one device directory, one device"),
                        refused.err().lines().toList());
                assertEquals("", refused.out());
            }
            assertTrue(python.isAlive(), "the Python holder is untouched");

            python.destroyForcibly();
            assertTrue(python.waitFor(10, TimeUnit.SECONDS), "the Python holder is gone after SIGKILL");
            List<String> args = simulate(uplink.port(), "3s");
            args.add("--virtual-clock");
            try (ChildProcess next = ChildProcess.java(MAIN, args)) {
                assertEquals(0, next.awaitExit(START), next.out() + next.err());
                assertTrue(next.out().startsWith("simulating 1 doorbell(s)"), next.out());
            }
        } finally {
            python.destroyForcibly();
            python.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static List<String> simulate(int port, String duration) {
        return StreamingSimulate.args(device, deviceId, port, duration);
    }
}
