package dev.doorbell.fleet.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.fleet.FleetOutcome;
import dev.doorbell.fleet.FleetPlan;
import dev.doorbell.fleet.FleetRunner;
import dev.doorbell.fleet.FleetScenario;
import dev.doorbell.fleet.LiveFleet;
import dev.doorbell.fleet.LoadResult;
import dev.doorbell.fleet.LoopbackUplink;
import dev.doorbell.fleet.RunHook;
import dev.doorbell.fleet.TestFleet;
import dev.doorbell.fleet.Traffic;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.seal.StoredFrameBytes;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each scenario on the fleet runner against the real uplink and directory store over TLS on loopback, four devices
 * at a constant rate for a few seconds: the figures are produced, and every frame acknowledged PERSISTED is in the
 * store, each clip whole from frame 0.
 */
class ScenarioTest {
    private static final int DEVICES = 4;

    @TempDir
    static Path dir;

    private static FleetLayout fleet;

    @BeforeAll
    static void provision() throws Exception {
        fleet = TestFleet.provision(dir.resolve("fleet"), DEVICES);
    }

    @Test
    void reconnectStorm_allDevicesDropped_allReturnAndNothingAcknowledgedIsLost() throws Exception {
        ReconnectStorm storm = new ReconnectStorm(Duration.ofMillis(800), Duration.ofMillis(300));
        Run run = run("storm", storm, null);
        StormResult result = storm.result();
        assertNotNull(result, "the storm ran: " + run.result.summary());
        assertTrue(result.allReconnected(), result.summary());
        assertEquals(DEVICES, result.reconnected(), result.summary());
        assertTrue(result.before().getTotalCount() > 0 && result.during().getTotalCount() > 0, result.summary());
        run.assertNothingAcknowledgedLost();
    }

    @Test
    void churn_devicesLeaveAndRejoin_rejoinsCountedAndNothingAcknowledgedIsLost() throws Exception {
        Churn churn = new Churn(4, 7);
        Run run = run("churn", churn, null);
        ChurnResult result = churn.result();
        assertNotNull(result, run.result.summary());
        assertTrue(result.leaves() >= 3, "about 13 leaves in 3.3 s at 4/s: " + result.summary());
        assertTrue(result.rejoins() >= 1 && result.rejoins() <= result.leaves(), result.summary());
        assertTrue(result.latency().getTotalCount() > 0, result.summary());
        run.assertNothingAcknowledgedLost();
    }

    @Test
    void slowUplink_delayedAcks_latencyIncludesTheDelayAndNothingAcknowledgedIsLost() throws Exception {
        Run run = run("slow", RunHook.NONE, Duration.ofMillis(150));
        assertEquals(DEVICES, run.proxyConnections, "every device went through the proxy");
        assertTrue(run.result.frames() > 0, run.result.summary());
        assertTrue(run.result.latencyMillis(50) > 0, run.result.summary());
        run.assertNothingAcknowledgedLost();
    }

    /** One run, through a slow-uplink proxy when {@code delayMax} is set, with the store read back after. */
    private static Run run(String name, RunHook scenario, Duration delayMax) throws Exception {
        Path storeDir = dir.resolve("store-" + name);
        AtomicReference<LiveFleet> live = new AtomicReference<>();
        RunHook capture = new RunHook() {
            @Override
            public void sending(LiveFleet l) throws InterruptedException {
                live.set(l);
                scenario.sending(l);
            }
        };
        FleetOutcome outcome;
        long proxyConnections = 0;
        try (LoopbackUplink uplink = new LoopbackUplink(fleet, storeDir)) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", uplink.port());
            if (delayMax == null) {
                outcome = run(plan(target.getPort(), name), capture);
            } else {
                try (SlowUplink slow = SlowUplink.start(target, delayMax, 11)) {
                    outcome = run(plan(slow.address().getPort(), name), capture);
                    proxyConnections = slow.stats().connections();
                }
            }
        }
        return new Run(
                outcome.measured(),
                live.get().framesAcknowledged(),
                StoreDirectoryReader.read(storeDir),
                proxyConnections);
    }

    private static FleetOutcome run(FleetPlan plan, RunHook hook) throws Exception {
        return FleetRunner.system()
                .run(
                        plan,
                        FleetScenario.steady(),
                        hook,
                        new PrintWriter(new StringWriter()),
                        new CompletableFuture<>());
    }

    private static FleetPlan plan(int port, String name) {
        return FleetPlan.builder("127.0.0.1", port, fleet.root(), DEVICES)
                .ramp(Double.POSITIVE_INFINITY, 50)
                .connectFirst(true)
                .sending(Duration.ofMillis(300), Duration.ofSeconds(3))
                .traffic(new Traffic.ConstantRate(60, 256))
                .clips(Duration.ofSeconds(3), Duration.ofSeconds(3))
                .frameBytes(new FleetPlan.FrameBytes(1024, 4096))
                .report(dir.resolve("report-" + name), "p0")
                .build();
    }

    private record Run(LoadResult result, long acknowledged, StoreSnapshot snapshot, long proxyConnections) {
        void assertNothingAcknowledgedLost() {
            long stored = 0;
            for (StoredClip clip : snapshot.clips()) {
                int expected = 0;
                for (StoredFrameBytes frame : clip.frames()) {
                    assertEquals(expected++, frame.seq(), "clip " + clip.clipName() + " is whole and in order");
                }
                stored += clip.frames().size();
            }
            assertTrue(acknowledged > 0, result.summary());
            assertTrue(
                    stored >= acknowledged,
                    stored + " frames stored, " + acknowledged + " acknowledged PERSISTED: " + result.summary());
            assertTrue(snapshot.warnings().isEmpty(), snapshot.warnings().toString());
        }
    }
}
