package dev.doorbell.fleet;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.app.FleetCommand;
import dev.doorbell.app.testing.PairedFleets;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Each `fleet --scenario` with six devices against the real uplink and store over TLS on loopback. */
class FleetScenarioRunTest {
    private static final int DEVICES = 6;

    @TempDir
    static Path dir;

    private static FleetLayout fleet;

    private final StringWriter text = new StringWriter();

    @BeforeAll
    static void provision() throws Exception {
        fleet = new FleetLayout(dir.resolve("fleet"));
        PairedFleets.provision(fleet.root(), DEVICES);
    }

    @Test
    void run_reconnectStorm_everyDeviceReconnectsAndNoAckIsLost() throws Exception {
        Map<String, Object> json =
                run("storm", "--scenario", "reconnect-storm", "--storm-at", "2s", "--storm-settle", "1s");

        FleetTotals totals = totals(json);
        Map<?, ?> scenario = (Map<?, ?>) json.get("scenario");
        Map<?, ?> result = (Map<?, ?>) scenario.get("result");
        assertEquals("reconnect-storm", scenario.get("name"), json.toString());
        assertEquals(DEVICES, ((Number) result.get("dropped")).intValue(), json.toString());
        assertEquals(DEVICES, ((Number) result.get("reconnected")).intValue(), json.toString());
        assertTrue(totals.reconnects() >= DEVICES, "every dropped device is welcomed again: " + totals);
        assertEquals(0, totals.lostAcked());
        assertEquals(Boolean.TRUE, json.get("passed"));
        assertTrue(text.toString().contains("| reconnect-storm at 2s reconnects "), text.toString());
        assertTrue(
                Files.readString(dir.resolve("storm/report.html")).contains("class=\"marker\""),
                "the storm is marked on the charts");
    }

    @Test
    void run_churn_devicesLeaveAndRejoin() throws Exception {
        Map<String, Object> json = run("churn", "--scenario", "churn", "--churn-rate", "3/s");

        FleetTotals totals = totals(json);
        Map<?, ?> result = (Map<?, ?>) ((Map<?, ?>) json.get("scenario")).get("result");
        assertTrue(((Number) result.get("leaves")).longValue() > 0, json.toString());
        assertTrue(totals.reconnects() > 0, "a device that left rejoins: " + totals);
        assertEquals(0, totals.lostAcked());
        assertEquals(totals.framesSent(), totals.framesPersisted(), "every frame is persisted in the end: " + totals);
        assertTrue(text.toString().contains("| churn reconnects "), text.toString());
    }

    @Test
    void run_slowUplink_everyConnectionGoesThroughTheDelayingProxy() throws Exception {
        Map<String, Object> json = run("slow", "--scenario", "slow-uplink", "--slow-delay", "100ms");

        FleetTotals totals = totals(json);
        Map<?, ?> result = (Map<?, ?>) ((Map<?, ?>) json.get("scenario")).get("result");
        assertTrue(((Number) result.get("proxyConnections")).longValue() >= DEVICES, json.toString());
        assertEquals(result.get("proxyConnections"), result.get("delayedConnections"), json.toString());
        assertTrue(totals.framesPersisted() > 0 && totals.framesPersisted() == totals.framesSent(), totals.toString());
        assertEquals(Boolean.TRUE, json.get("passed"));
    }

    @Test
    void run_uplinkForgetsWhatItAcknowledged_countsLostAcksAndFails() throws Exception {
        Path report = dir.resolve("amnesia");
        int exit;
        try (DirectoryStore first = DirectoryStore.open(dir.resolve("store-first"), StoreOptions.defaults());
                DirectoryStore second = DirectoryStore.open(dir.resolve("store-second"), StoreOptions.defaults())) {
            UplinkServer uplink = server(0, first);
            int port = uplink.start().getPort();
            CompletableFuture<Integer> fleetRun = CompletableFuture.supplyAsync(() ->
                    command().execute(args(report, port, "--duration", "6s", "--min-clip", "4s", "--max-clip", "5s")));
            await("frames of every device in the first uplink's store")
                    .atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> first.stats().records() >= 3 * DEVICES);
            // A new uplink on the same port with an empty store: every clip it acknowledged is gone.
            uplink.stop(Duration.ofSeconds(5));
            try (UplinkServer amnesiac = server(port, second)) {
                amnesiac.start();
                exit = fleetRun.get(40, TimeUnit.SECONDS);
                amnesiac.stop(Duration.ofSeconds(5));
            }
        }
        Map<String, Object> json = Json.parseObject(Files.readString(report.resolve("report.json")));
        assertEquals(1, exit, text.toString());
        assertTrue(totals(json).lostAcked() > 0, json.toString());
        assertEquals(Boolean.FALSE, json.get("passed"));
        assertTrue(
                Files.readString(report.resolve("summary.txt"))
                        .contains("FAIL: the uplink lost " + totals(json).lostAcked() + " acknowledged frames"),
                Files.readString(report.resolve("summary.txt")));
    }

    private Map<String, Object> run(String name, String... scenario) throws Exception {
        Path report = dir.resolve(name);
        int exit;
        try (DirectoryStore store = DirectoryStore.open(dir.resolve("store-" + name), StoreOptions.defaults());
                UplinkServer uplink = server(0, store)) {
            int port = uplink.start().getPort();
            List<String> args = new ArrayList<>(
                    List.of(args(report, port, "--duration", "5s", "--min-clip", "1s", "--max-clip", "2s")));
            args.addAll(List.of(scenario));
            exit = command().execute(args.toArray(String[]::new));
            uplink.stop(Duration.ofSeconds(5));
        }
        assertEquals(0, exit, text.toString());
        return Json.parseObject(Files.readString(report.resolve("report.json")));
    }

    private static String[] args(Path report, int port, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--devices",
                String.valueOf(DEVICES),
                "--uplink",
                "127.0.0.1:" + port,
                "--fleet-dir",
                fleet.root().toString(),
                "--clips-per-hour",
                "3600",
                "--seed",
                "3",
                "--drain-timeout",
                "10s",
                "--report",
                report.toString()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static UplinkServer server(int port, DirectoryStore store) {
        return new UplinkServer(
                UplinkConfig.builder()
                        .host("127.0.0.1")
                        .port(port)
                        .tlsDirectory(fleet.uplinkDir())
                        .build(),
                store);
    }

    private static FleetTotals totals(Map<String, Object> json) {
        return FleetTotals.fromMap((Map<?, ?>) json.get("totals"));
    }

    private CommandLine command() {
        CommandLine cmd = new CommandLine(new FleetCommand());
        cmd.setOut(new PrintWriter(text, true));
        return cmd;
    }
}
