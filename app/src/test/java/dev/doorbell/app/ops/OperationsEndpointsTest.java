package dev.doorbell.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.doorbell.app.FleetCommand;
import dev.doorbell.app.testing.TrustFixtures;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.testing.DashboardQueries;
import dev.doorbell.testing.PortFiles;
import dev.doorbell.testing.PrometheusText;
import dev.doorbell.testing.PrometheusText.Family;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.cli.ServeCommand;
import dev.doorbell.uplink.cli.UplinkCli;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Both operations endpoints at once, as an operator runs them: {@code serve --metrics} (the real command, the real
 * directory store, TLS) and {@code fleet --metrics} with a provisioned fleet streaming into it. Each is scraped while
 * the fleet runs and read strictly; their counts agree with each other and with the fleet's report; and every metric
 * name in every expression of the Grafana dashboards in {@code ops/grafana/} is one these scrapes serve.
 */
class OperationsEndpointsTest {
    private static final int DEVICES = 8;
    private static final Pattern METRICS_LINE = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void serveAndFleet_metricsWhileStreaming_agreeAndCoverTheDashboards() throws Exception {
        FleetLayout fleet = TrustFixtures.provision(dir.resolve("fleet"), DEVICES);
        ServeCommand serve = new ServeCommand(data -> DirectoryStore.open(data, StoreOptions.defaults()));
        CommandLine uplinkCli = UplinkCli.commandLine(serve);
        StringWriter uplinkOut = new StringWriter();
        StringWriter uplinkErr = new StringWriter();
        uplinkCli.setOut(new PrintWriter(uplinkOut, true));
        uplinkCli.setErr(new PrintWriter(uplinkErr, true));
        Path portFile = dir.resolve("port");
        CompletableFuture<Integer> served = CompletableFuture.supplyAsync(() -> uplinkCli.execute(
                "serve",
                "--data",
                dir.resolve("store").toString(),
                "--tls",
                fleet.uplinkDir().toString(),
                "--port",
                "0",
                "--port-file",
                portFile.toString(),
                "--metrics",
                "127.0.0.1:0"));
        try {
            int port = PortFiles.await(portFile, Duration.ofSeconds(20), served::isDone);
            int uplinkMetrics = awaitPort(uplinkOut, served);
            String uplinkBase = "http://127.0.0.1:" + uplinkMetrics;
            assertEquals(200, get(uplinkBase + "/readyz").statusCode());

            Path report = dir.resolve("report");
            StringWriter fleetOut = new StringWriter();
            CommandLine fleetCli = new CommandLine(new FleetCommand());
            fleetCli.setOut(new PrintWriter(fleetOut, true));
            CompletableFuture<Integer> ran = CompletableFuture.supplyAsync(() -> fleetCli.execute(
                    "--devices", String.valueOf(DEVICES),
                    "--uplink", "127.0.0.1:" + port,
                    "--fleet-dir", fleet.root().toString(),
                    "--ramp", "100/s",
                    "--duration", "6s",
                    "--clips-per-hour", "3600",
                    "--min-clip", "1s",
                    "--max-clip", "2s",
                    "--profile", "240p",
                    "--seed", "11",
                    "--report", report.toString(),
                    "--metrics", "127.0.0.1:0"));
            String fleetBase = "http://127.0.0.1:" + awaitPort(fleetOut, ran);

            // While the run goes on: both sides' counts move, and each scrape is read strictly.
            AtomicReference<Map<String, Family>> fleetScrape = new AtomicReference<>();
            Waits.await("the fleet's endpoint shows devices connected and frames persisted", Duration.ofSeconds(30))
                    .until(() -> {
                        Map<String, Family> now = PrometheusText.parse(body(fleetBase + "/metrics"));
                        fleetScrape.set(now);
                        // The run registers its counters once its devices are provisioned and loaded.
                        return now.containsKey("doorbell_fleet_devices_connected")
                                && value(now, "doorbell_fleet_devices_connected") == DEVICES
                                && value(now, "doorbell_fleet_frames_persisted_total") > 0;
                    });
            assertFalse(ran.isDone(), "scraped during the run");
            Map<String, Family> fleetLive = fleetScrape.get();
            assertEquals(DEVICES, value(fleetLive, "doorbell_fleet_devices"));
            assertTrue(fleetLive
                            .get("doorbell_fleet_persisted_latency_seconds")
                            .value("doorbell_fleet_persisted_latency_seconds_count", Map.of())
                    > 0);
            Map<String, Family> uplinkLive = PrometheusText.parse(body(uplinkBase + "/metrics"));
            assertEquals(DEVICES, value(uplinkLive, "doorbell_uplink_devices_connected"));
            assertTrue(value(uplinkLive, "doorbell_uplink_frames_persisted_total") > 0);

            assertEquals(0, ran.get(60, TimeUnit.SECONDS), fleetOut.toString());
            Map<?, ?> totals = (Map<?, ?>) JSON.std
                    .mapFrom(Files.readString(report.resolve("report.json")))
                    .get("totals");
            long persisted = ((Number) totals.get("framesPersisted")).longValue();
            Map<String, Family> uplinkAfter = PrometheusText.parse(body(uplinkBase + "/metrics"));
            assertEquals(
                    persisted,
                    (long) value(uplinkAfter, "doorbell_uplink_frames_persisted_total"),
                    "the uplink persisted each frame the fleet saw acknowledged, once");
            assertEquals(persisted, (long) uplinkAfter
                    .get("doorbell_uplink_persisted_latency_seconds")
                    .value("doorbell_uplink_persisted_latency_seconds_count", Map.of()));
            assertEquals(DEVICES, value(uplinkAfter, "doorbell_uplink_handshakes_total"));

            assertDashboardServed(Path.of("..", "ops", "grafana", "doorbell-uplink.json"), names(uplinkAfter));
            assertDashboardServed(Path.of("..", "ops", "grafana", "doorbell-fleet.json"), names(fleetLive));
        } finally {
            serve.requestStop();
            assertEquals(0, served.get(30, TimeUnit.SECONDS), uplinkErr.toString());
        }
    }

    /**
     * Every metric name of every expression of the dashboard is served (a renamed metric breaks a panel silently).
     * The uplink dashboard's shipper panels read the shipper's endpoint: ShipperMetricsEndpointTest checks those.
     */
    private static void assertDashboardServed(Path dashboard, Set<String> served) throws Exception {
        Map<String, Object> json = JSON.std.mapFrom(Files.readString(dashboard));
        List<String> expressions = new ArrayList<>();
        collectExpressions(json, expressions);
        assertTrue(expressions.size() >= 10, dashboard + " has its panels' queries: " + expressions);
        for (String expr : expressions) {
            Set<String> used = DashboardQueries.metricNames(expr);
            assertFalse(used.isEmpty(), dashboard + ": no metric in " + expr);
            if (used.stream().anyMatch(name -> name.startsWith("doorbell_shipper_"))) {
                continue;
            }
            for (String name : used) {
                assertTrue(served.contains(name), dashboard + ": " + name + " (in " + expr + ") is not served");
            }
        }
    }

    private static void collectExpressions(Object node, List<String> out) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("expr") instanceof String expr) {
                out.add(expr);
            }
            map.values().forEach(v -> collectExpressions(v, out));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectExpressions(v, out));
        }
    }

    private static Set<String> names(Map<String, Family> scrape) {
        Set<String> names = new HashSet<>();
        scrape.values().forEach(f -> f.samples().forEach(s -> names.add(s.name())));
        return names;
    }

    private static double value(Map<String, Family> scrape, String name) {
        Family family = scrape.get(name);
        assertTrue(family != null, name + " is not served");
        return family.value(name, Map.of());
    }

    private static int awaitPort(StringWriter out, CompletableFuture<Integer> command) {
        AtomicReference<Integer> port = new AtomicReference<>();
        Waits.await("the metrics line", Duration.ofSeconds(30))
                .failFast("the command ended first: " + out, command::isDone)
                .until(() -> {
                    Matcher m = METRICS_LINE.matcher(out.toString());
                    if (m.find()) {
                        port.set(Integer.parseInt(m.group(1)));
                    }
                    return port.get() != null;
                });
        return port.get();
    }

    private String body(String url) {
        HttpResponse<String> response = get(url);
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return response.body();
    }

    private HttpResponse<String> get(String url) {
        try {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("GET " + url + ": " + e, e);
        }
    }
}
