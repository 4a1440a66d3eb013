package dev.doorbell.app.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.testing.PortFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java doorbell ({@code doorbell simulate}) against {@code doorbell bench-device} over real TLS on loopback,
 * with the owner's identity: every case of the bench must run and pass.
 */
class BenchDeviceCommandTest {
    @TempDir
    Path dir;

    @Test
    void benchDevice_javaDoorbell_everyCasePasses() throws Exception {
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
        BenchFleet.Cli simulate = BenchFleet.doorbell(
                "simulate",
                "--device-dir",
                fleet.deviceDir().toString(),
                "--uplink",
                "127.0.0.1:" + port,
                "--seed",
                "5",
                "--duration",
                "60s",
                "--virtual-clock",
                "--crossing-rate",
                "30",
                "--pre-roll",
                "1s",
                "--post-roll",
                "1s",
                "--max-clip",
                "2s",
                "--drain-timeout",
                "5s");
        BenchFleet.Cli result = bench.get(120, TimeUnit.SECONDS);
        String both = result.output() + "\n--- simulate:\n" + simulate.output();
        assertEquals(0, result.exit(), both);
        assertTrue(result.output().contains("11 cases, 11 passed, 0 failed, 0 not run"), both);
        String report = Files.readString(json, StandardCharsets.UTF_8);
        assertTrue(report.contains("\"passed\": true"), report);
        assertTrue(report.contains("\"id\": \"storage-unavailable\", \"verdict\": \"PASS\""), report);
    }
}
