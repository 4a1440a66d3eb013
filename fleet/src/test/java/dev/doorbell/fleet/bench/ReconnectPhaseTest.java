package dev.doorbell.fleet.bench;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.doorbell.pki.FleetLayout;
import io.netty.channel.Channel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The capacity run's reconnect phase drops every held connection and waits for each device's own reconnect. */
class ReconnectPhaseTest {
    private static final int DEVICES = 6;

    @TempDir
    Path dir;

    @Test
    void during_heldDevices_everyDeviceIsWelcomedAgainOnANewConnectionAndSendingResumes() throws Exception {
        FleetLayout fleet = TestFleet.provision(dir.resolve("fleet"), DEVICES);
        StringWriter printed = new StringWriter();
        // The uplink runs in this JVM, so this process's CPU stands for the uplink's too.
        ReconnectPhase phase =
                new ReconnectPhase(List.of(ProcessHandle.current().pid()), new PrintWriter(printed, true));
        Set<Channel> before = new HashSet<>();
        Set<Channel> after = new HashSet<>();
        FleetOutcome outcome;
        try (LoopbackUplink uplink = new LoopbackUplink(fleet, dir.resolve("store"))) {
            FleetPlan plan = FleetPlan.builder("127.0.0.1", uplink.port(), fleet.root(), DEVICES)
                    .ramp(Double.POSITIVE_INFINITY, 3)
                    .connectFirst(true)
                    .sending(Duration.ZERO, Duration.ofMillis(500))
                    .traffic(new Traffic.ConstantRate(20, 16))
                    .frameBytes(new FleetPlan.FrameBytes(512, 1024))
                    .report(dir.resolve("report"), "p0")
                    .build();
            RunHook hook = new RunHook() {
                @Override
                public void idle(LiveFleet live) throws InterruptedException {
                    before.addAll(uplink.server().registry().connections());
                    phase.idle(live);
                    // The uplink sees the old connections close a little after the devices are welcomed on new ones.
                    await("only the devices' new connections at the uplink")
                            .atMost(Duration.ofSeconds(10))
                            .pollInterval(Duration.ofMillis(5))
                            .until(() -> settled(uplink.server().registry().connections(), before));
                    after.addAll(uplink.server().registry().connections());
                }
            };
            outcome = FleetRunner.system()
                    .run(
                            plan,
                            FleetScenario.steady(),
                            hook,
                            new PrintWriter(new StringWriter()),
                            new CompletableFuture<>());
        }
        LoadResult result = outcome.measured();
        assertTrue(phase.allBack(), printed.toString());
        Matcher reconnected = Pattern.compile("RESULT whole run: reconnected (\\d+) of (\\d+) devices")
                .matcher(printed.toString());
        assertTrue(reconnected.find(), printed.toString());
        assertEquals(String.valueOf(DEVICES), reconnected.group(1));
        assertEquals(String.valueOf(DEVICES), reconnected.group(2));
        assertTrue(printed.toString().contains("0 devices not back"), printed.toString());
        String cpu = "CPU per reconnect: fleet [0-9.]+ ms, uplink [0-9.]+ ms";
        assertTrue(Pattern.compile(cpu).matcher(printed.toString()).find(), printed.toString());
        assertEquals(DEVICES, before.size());
        assertEquals(DEVICES, after.size());
        after.retainAll(before);
        assertTrue(after.isEmpty(), "every device is back on a new connection");
        assertTrue(result.clean(), result.summary());
        assertTrue(result.frames() > 0, result.summary());
    }

    private static boolean settled(Set<Channel> now, Set<Channel> before) {
        Set<Channel> fresh = new HashSet<>(now);
        fresh.removeAll(before);
        return now.size() == DEVICES && fresh.size() == DEVICES;
    }
}
