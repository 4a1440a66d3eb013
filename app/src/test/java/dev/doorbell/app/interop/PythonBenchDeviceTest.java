package dev.doorbell.app.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.bench.BenchFleet;
import dev.doorbell.testing.PortFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Python device (clients/python, a real python3 process) against {@code doorbell bench-device} over real TLS on
 * loopback, with the owner's identity: every case must run and pass, and the device must stop on the revocation.
 */
class PythonBenchDeviceTest {
    @TempDir
    Path dir;

    @BeforeAll
    static void pythonRuntime() throws Exception {
        PythonClient.requireRuntime();
    }

    @Test
    void benchDevice_pythonDevice_everyCasePassesAndTheDeviceStopsOnRevocation() throws Exception {
        BenchFleet fleet = BenchFleet.pairedDevice(dir);
        Path portFile = dir.resolve("bench.port");
        Path json = dir.resolve("bench.json");
        CompletableFuture<BenchFleet.Cli> bench = CompletableFuture.supplyAsync(() -> BenchFleet.doorbell(
                "bench-device",
                "--listen",
                "127.0.0.1:0",
                "--fleet-dir",
                fleet.fleetDir().toString(),
                "--insecure-owner-identity",
                fleet.owner().toString(),
                "--port-file",
                portFile.toString(),
                "--json",
                json.toString(),
                "--timeout",
                "100s"));
        int port = PortFiles.await(portFile, Duration.ofSeconds(30), bench::isDone);
        PythonClient.Result device = PythonClient.doorbellPy(
                List.of(
                        "upload",
                        "--device-dir",
                        fleet.deviceDir().toString(),
                        "--uplink",
                        "127.0.0.1:" + port,
                        "--synthetic",
                        "12",
                        "--clip-id",
                        "5000",
                        "--clips",
                        "8",
                        "--timeout",
                        "90"),
                Duration.ofSeconds(100));
        BenchFleet.Cli result = bench.get(120, TimeUnit.SECONDS);
        String both = result.output() + "\n--- python device:\n" + device.output();
        assertEquals(0, result.exit(), both);
        assertTrue(result.output().contains("11 cases, 11 passed, 0 failed, 0 not run"), both);
        assertEquals(1, device.exitCode(), both);
        assertTrue(device.output().contains("CERTIFICATE_REVOKED"), both);
        assertTrue(Files.readString(json, StandardCharsets.UTF_8).contains("\"passed\": true"), both);
    }
}
