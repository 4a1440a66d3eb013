package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.pki.FleetLayout;
import io.netty.channel.Channel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The traffic models of the one load tester (`doorbell fleet --traffic`, the store and capacity benchmarks) against
 * the real uplink and directory store over TLS on loopback: few devices, seconds.
 */
class FleetRunnerTrafficTest {
    private static final int DEVICES = 3;

    @TempDir
    static Path dir;

    private static FleetLayout fleet;

    @BeforeAll
    static void provision() throws Exception {
        fleet = TestFleet.provision(dir.resolve("fleet"), 6);
    }

    @Test
    void run_constantRate_everySentFrameIsStoredAndLatencyIsRecorded() throws Exception {
        FleetOutcome outcome;
        long stored;
        try (LoopbackUplink uplink = new LoopbackUplink(fleet, dir.resolve("store-constant"))) {
            outcome = run(plan(uplink.port(), "constant")
                    .traffic(new Traffic.ConstantRate(60, 64))
                    .build());
            uplink.server().stop(Duration.ofSeconds(5));
            stored = uplink.store().stats().records();
        }
        LoadResult result = outcome.measured();
        assertTrue(result.clean(), result.summary());
        assertEquals(60, result.offeredFramesPerSecond(), 1e-9);
        assertTrue(result.frames() >= 60, "about 120 frames persist in 2 s at 60/s: " + result.summary());
        assertTrue(result.latencyMicros().getTotalCount() >= 60, result.summary());
        assertTrue(result.latencyMillis(50) > 0, result.summary());
        assertTrue(
                result.sealedBytes() >= result.frames() * 1024, "every frame is at least 1 KiB: " + result.summary());
        assertTrue(
                stored >= result.framesSent(),
                "the store holds every frame sent (" + result.framesSent() + ") plus clip records: " + stored);
        assertEquals(outcome.totals().framesSent(), outcome.totals().framesPersisted(), outcome.table());
        Map<?, ?> traffic =
                (Map<?, ?>) FleetReports.json(dir.resolve("constant")).get("traffic");
        assertEquals(
                Map.of("model", "constant", "parameters", Map.of("framesPerSecond", 60.0, "inflight", 64)), traffic);
    }

    @Test
    void run_saturation_keepsEveryDeviceBusyWithinItsInflightLimit() throws Exception {
        FleetOutcome outcome;
        try (LoopbackUplink uplink = new LoopbackUplink(fleet, dir.resolve("store-saturation"))) {
            outcome = run(plan(uplink.port(), "saturation")
                    .traffic(new Traffic.Saturation(2))
                    .frameBytes(new FleetPlan.FrameBytes(16 * 1024, 64 * 1024))
                    .build());
        }
        LoadResult result = outcome.measured();
        assertTrue(result.clean(), result.summary());
        assertTrue(result.frames() > 0, result.summary());
        assertTrue(result.megabytesPerSecond() > 0, result.summary());
        assertEquals(DEVICES, result.devices());
        assertEquals(0, result.offeredFramesPerSecond(), "a closed loop offers what the uplink takes");
        assertTrue(outcome.passed(), outcome.table());
        assertTrue(outcome.table().contains("traffic saturation, 2 frames in flight per device"), outcome.table());
    }

    @Test
    void run_constantRateBeyondWhatTheDevicesMayHaveInFlight_skipsAndCountsFrames() throws Exception {
        FleetOutcome outcome;
        try (LoopbackUplink uplink = new LoopbackUplink(fleet, dir.resolve("store-skip"))) {
            // Every device sends 1,000 frames a second and may have one unpersisted: most frames find no room.
            outcome = run(plan(uplink.port(), "skip")
                    .traffic(new Traffic.ConstantRate(3000, 1))
                    .build());
        }
        LoadResult result = outcome.measured();
        assertTrue(result.framesSkipped() > 0, result.summary());
        assertEquals(result.framesSkipped(), outcome.totals().skipped());
        assertTrue(outcome.table().contains(", skipped " + result.framesSkipped()), outcome.table());
        assertEquals(
                result.framesSkipped(),
                ((Number) ((Map<?, ?>) FleetReports.json(dir.resolve("skip")).get("totals")).get("skipped"))
                        .longValue());
    }

    @Test
    void run_threeSourceAddresses_uplinkSeesEachDeviceFromItsRoundRobinSource() throws Exception {
        List<InetAddress> sources = List.of(
                InetAddress.getByName("127.0.0.2"),
                InetAddress.getByName("127.0.0.3"),
                InetAddress.getByName("127.0.0.4"));
        Map<String, Integer> bySource = new TreeMap<>();
        AtomicLong connectNanos = new AtomicLong();
        FleetOutcome outcome;
        try (LoopbackUplink uplink = new LoopbackUplink(fleet, dir.resolve("store-sources"))) {
            FleetPlan plan = FleetPlan.builder("127.0.0.1", uplink.port(), fleet.root(), 6)
                    .ramp(Double.POSITIVE_INFINITY, 4)
                    .connectFirst(true)
                    .sourceAddresses(sources)
                    .sending(Duration.ZERO, Duration.ofMillis(500))
                    .traffic(new Traffic.ConstantRate(20, 16))
                    .frameBytes(new FleetPlan.FrameBytes(512, 1024))
                    .report(dir.resolve("sources"), "p0")
                    .build();
            outcome = run(plan, new RunHook() {
                @Override
                public void connected(int welcomed, long nanos) {
                    connectNanos.set(nanos);
                    for (Channel c : uplink.server().registry().connections()) {
                        bySource.merge(
                                ((InetSocketAddress) c.remoteAddress())
                                        .getAddress()
                                        .getHostAddress(),
                                1,
                                Integer::sum);
                    }
                }
            });
        }
        assertEquals(Map.of("127.0.0.2", 2, "127.0.0.3", 2, "127.0.0.4", 2), bySource);
        assertTrue(connectNanos.get() > 0, "the hook is told how long connecting took");
        assertTrue(outcome.measured().clean(), outcome.measured().summary());
        assertTrue(outcome.measured().frames() > 0, outcome.measured().summary());
    }

    @Test
    void run_uplinkNotListening_failsInSecondsSayingTheConnectionWasRefused() throws Exception {
        int unusedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            unusedPort = s.getLocalPort();
        }
        FleetPlan plan = plan(unusedPort, "refused")
                .traffic(new Traffic.Saturation(4))
                .timeouts(Duration.ofSeconds(60), Duration.ofSeconds(1))
                .build();
        long t0 = System.nanoTime();

        UplinkFailureException e = assertThrows(UplinkFailureException.class, () -> run(plan));

        assertTrue((System.nanoTime() - t0) / 1e9 < 20, "refused everywhere ends in seconds, not at the timeout");
        assertTrue(
                e.getMessage().contains("connection refused") && e.getMessage().contains(DEVICES + " devices tried"),
                e.getMessage());
        assertEquals(Boolean.FALSE, FleetReports.json(dir.resolve("refused")).get("passed"));
    }

    /** Three devices, all connected before they send 1-4 KiB payloads for 300 ms of warmup and 2 s measured. */
    private static FleetPlan.Builder plan(int port, String report) {
        return FleetPlan.builder("127.0.0.1", port, fleet.root(), DEVICES)
                .ramp(Double.POSITIVE_INFINITY, 50)
                .connectFirst(true)
                .sending(Duration.ofMillis(300), Duration.ofSeconds(2))
                .clips(Duration.ofSeconds(3), Duration.ofSeconds(3))
                .frameBytes(new FleetPlan.FrameBytes(1024, 4096))
                .report(dir.resolve(report), "p0");
    }

    private static FleetOutcome run(FleetPlan plan) throws Exception {
        return run(plan, RunHook.NONE);
    }

    private static FleetOutcome run(FleetPlan plan, RunHook hook) throws Exception {
        Files.createDirectories(plan.report());
        return FleetRunner.system()
                .run(
                        plan,
                        FleetScenario.steady(),
                        hook,
                        new PrintWriter(new StringWriter()),
                        new CompletableFuture<>());
    }
}
