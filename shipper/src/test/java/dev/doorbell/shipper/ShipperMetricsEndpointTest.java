package dev.doorbell.shipper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.DashboardQueries;
import dev.doorbell.testing.PrometheusText;
import dev.doorbell.testing.PrometheusText.Family;
import dev.doorbell.testing.PrometheusText.Sample;
import dev.doorbell.testing.Waits;
import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Server;
import dev.doorbell.tier.ShippedStore;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.ClosedSegments;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code ship --metrics}: a real shipper process beside a real store, shipping to a real S3 server (s3proxy on
 * loopback), its endpoint scraped and read strictly while the bucket is missing (lag grows, failed passes by reason,
 * not ready after N intervals), after the bucket appears (everything shipped, counted once, ready), and through a
 * conflict (not ready at once, the process goes on, overwrites nothing, and recovers once the foreign object is gone).
 */
class ShipperMetricsEndpointTest {
    private static final Pattern METRICS_LINE = Pattern.compile("metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
    private static final Duration AGED = Duration.ofMinutes(10);
    private static S3Server server;
    private static S3Client s3;

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @BeforeAll
    static void startServer() throws Exception {
        server = S3Server.start();
        s3 = server.client();
    }

    @AfterAll
    static void stopServer() throws Exception {
        s3.close();
        server.close();
    }

    @Test
    void scraped_lagWhileTheBucketIsMissing_thenShippedAndReady_thenAConflictIsNotReadyUntilRemoved() throws Exception {
        Path store = dir.resolve("store");
        StoreOptions options =
                StoreOptions.defaults().withSegmentBytes(256 << 10).withDirectIo(false);
        try (ClipStore live = DirectoryStore.open(store, options)) {
            ShipperTest.writeClips(live, 6, 40, 4000);
        }
        List<ClosedSegments.Segment> closed = ClosedSegments.list(store);
        assertTrue(closed.size() >= 3, "several closed segments: " + closed);
        long closedBytes = 0;
        for (ClosedSegments.Segment s : closed) {
            closedBytes += Files.size(s.file());
        }
        Files.setLastModifiedTime(
                closed.get(0).file(), FileTime.from(Instant.now().minus(AGED)));
        String instance = ShipState.open(store).instance();
        String bucket = "ship-metrics";

        try (ChildProcess child = ChildProcess.java(
                ChildProcess.JVM_OPTIONS,
                server.environment(),
                ShipCommand.class.getName(),
                List.of(
                        "--data",
                        store.toString(),
                        "--to",
                        "s3://" + bucket + "/m",
                        "--endpoint",
                        server.endpoint().toString(),
                        "--path-style",
                        "--interval",
                        "200ms",
                        "--not-ready-after",
                        "2",
                        "--metrics",
                        "127.0.0.1:0"))) {
            child.awaitOutput(METRICS_LINE.pattern(), Duration.ofSeconds(30));
            Matcher m = METRICS_LINE.matcher(child.out());
            assertTrue(m.find());
            String base = "http://127.0.0.1:" + m.group(1);
            assertEquals(200, get(base + "/healthz").statusCode());

            // No bucket: every pass fails (404), the closed segments wait, and after 2 intervals /readyz says why.
            Waits.await("/readyz 503 after failed passes", Duration.ofSeconds(30))
                    .until(() -> get(base + "/readyz").body().startsWith("not ready: passes have failed for "));
            assertEquals(503, get(base + "/readyz").statusCode());
            String notReady = get(base + "/readyz").body();
            assertTrue(notReady.startsWith("not ready: passes have failed for "), notReady);
            assertTrue(
                    notReady.contains(": bucket " + bucket + " not found (404 from " + server.endpoint() + ")"),
                    notReady);
            Map<String, Family> missing = scrape(base);
            assertTrue(value(missing, "doorbell_shipper_failed_passes_total", Map.of("reason", "not_found")) >= 1);
            for (Sample failed :
                    family(missing, "doorbell_shipper_failed_passes_total").samples()) {
                assertEquals(
                        failed.labels().get("reason").equals("not_found"),
                        failed.value() > 0,
                        "every failed pass has the one reason: " + failed);
            }
            assertEquals(0, value(missing, "doorbell_shipper_passes_total", Map.of("result", "ok")));
            assertEquals(closed.size(), value(missing, "doorbell_shipper_waiting_segments", Map.of()));
            assertEquals(closedBytes, (long) value(missing, "doorbell_shipper_waiting_bytes", Map.of()));
            double age = value(missing, "doorbell_shipper_oldest_waiting_segment_age_seconds", Map.of());
            assertTrue(age >= AGED.toSeconds() && age < AGED.toSeconds() + 120, "lag " + age);
            assertEquals(0, value(missing, "doorbell_shipper_ready", Map.of()));
            assertEquals(0, value(missing, "doorbell_shipper_last_success_timestamp_seconds", Map.of()));
            assertEquals(0, value(missing, "doorbell_shipper_shipped_segments_total", Map.of()));

            // The bucket appears: the next pass ships every closed segment once, and the shipper is ready.
            double before = Instant.now().getEpochSecond();
            server.createBucket(bucket);
            Waits.await("a pass that succeeded", Duration.ofSeconds(30))
                    .until(() -> value(scrape(base), "doorbell_shipper_passes_total", Map.of("result", "ok")) >= 1);
            Map<String, Family> shipped = scrape(base);
            assertEquals(200, get(base + "/readyz").statusCode());
            assertEquals(0, value(shipped, "doorbell_shipper_waiting_segments", Map.of()));
            assertEquals(0, value(shipped, "doorbell_shipper_waiting_bytes", Map.of()));
            assertEquals(0, value(shipped, "doorbell_shipper_oldest_waiting_segment_age_seconds", Map.of()));
            assertEquals(closed.size(), value(shipped, "doorbell_shipper_shipped_segments_total", Map.of()));
            assertEquals(closedBytes, (long) value(shipped, "doorbell_shipper_shipped_bytes_total", Map.of()));
            assertEquals(closed.size(), value(shipped, "doorbell_shipper_puts_total", puts("segment", "ok")));
            assertEquals(closed.size(), value(shipped, "doorbell_shipper_puts_total", puts("checkpoint", "ok")));
            assertEquals(1, value(shipped, "doorbell_shipper_puts_total", puts("marker", "ok")));
            assertEquals(0, value(shipped, "doorbell_shipper_puts_total", puts("ledger", "ok")));
            assertEquals(0, value(shipped, "doorbell_shipper_puts_total", puts("segment", "failed")));
            assertEquals(0, value(shipped, "doorbell_shipper_segments_already_there_total", Map.of()));
            assertEquals(1, value(shipped, "doorbell_shipper_ready", Map.of()));
            double lastSuccess = value(shipped, "doorbell_shipper_last_success_timestamp_seconds", Map.of());
            assertTrue(
                    lastSuccess >= before - 1 && lastSuccess <= Instant.now().getEpochSecond() + 1, "" + lastSuccess);
            Family passes = shipped.get("doorbell_shipper_pass_duration_seconds");
            assertEquals(
                    value(shipped, "doorbell_shipper_passes_total", Map.of("result", "ok"))
                            + value(shipped, "doorbell_shipper_passes_total", Map.of("result", "failed")),
                    passes.value("doorbell_shipper_pass_duration_seconds_count", Map.of()),
                    "each pass, failed or not, is timed");
            assertEquals(1, value(shipped, "doorbell_shipper_build_info", Map.of()));
            assertTrue(shipped.containsKey("jvm_memory_used_bytes"), "the JVM's metrics: " + shipped.keySet());
            assertNoDeviceOrStoreInLabels(shipped, instance);
            assertDashboardServed(names(shipped));
            assertAlertRulesServed(names(shipped));
            assertDocumented(names(shipped));

            // Another store's bytes wait under the key of the segment the store closes next: a conflict.
            long next = closed.get(closed.size() - 1).number() + 1;
            String key =
                    ShippedStore.segmentKey(new S3Location(bucket, "m"), instance, String.format("%010d.seg", next));
            byte[] foreign = "another store's segment".getBytes(StandardCharsets.US_ASCII);
            s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(foreign));
            try (ClipStore live = DirectoryStore.open(store, options)) {
                writeMoreClips(live, 4, 40, 4000);
            }
            Waits.await("/readyz 503 on the conflict", Duration.ofSeconds(30))
                    .until(() -> get(base + "/readyz").statusCode() == 503);
            String conflict = get(base + "/readyz").body();
            assertTrue(
                    conflict.startsWith("not ready: conflict: s3://" + bucket + "/" + key + " holds 23 bytes"),
                    conflict);
            Waits.await("a second pass on the conflict", Duration.ofSeconds(30))
                    .until(() ->
                            value(scrape(base), "doorbell_shipper_failed_passes_total", Map.of("reason", "conflict"))
                                    >= 2);
            Map<String, Family> conflicting = scrape(base);
            assertEquals(1, value(conflicting, "doorbell_shipper_conflict", Map.of()));
            assertTrue(value(conflicting, "doorbell_shipper_waiting_segments", Map.of()) >= 1);
            assertTrue(child.alive(), "a running shipper goes on after a conflict");
            assertArrayEquals(
                    foreign, s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
            String log = child.out() + child.err();
            assertEquals(
                    1, count(log, "shipping stops at this segment"), "a conflict that stays is logged once: " + log);

            // The foreign object removed (the operator's fix): shipping goes on without a restart.
            s3.deleteObject(b -> b.bucket(bucket).key(key));
            Waits.await("no conflict, nothing waiting", Duration.ofSeconds(30))
                    .until(() -> value(scrape(base), "doorbell_shipper_conflict", Map.of()) == 0
                            && value(scrape(base), "doorbell_shipper_waiting_segments", Map.of()) == 0);
            Map<String, Family> recovered = scrape(base);
            assertEquals(200, get(base + "/readyz").statusCode());
            assertEquals(0, value(recovered, "doorbell_shipper_conflict", Map.of()));
            assertEquals(0, value(recovered, "doorbell_shipper_waiting_segments", Map.of()));
            assertEquals(
                    ClosedSegments.list(store).size(),
                    value(recovered, "doorbell_shipper_shipped_segments_total", Map.of()));
            assertArrayEquals(
                    Files.readAllBytes(store.resolve("segments").resolve(String.format("%010d.seg", next))),
                    s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());

            child.signal("TERM");
            assertEquals(143, child.awaitExit(Duration.ofSeconds(30)), child.err());
        }
    }

    /**
     * A sidecar starts with the uplink on a new volume: with {@code --wait-for-store} it waits for the store (seen
     * waiting in its main thread's stack) instead of exiting 2, then serves and ships once the uplink made it.
     */
    @Test
    void waitForStore_aSidecarStartedBeforeTheUplinkMadeTheStore_shipsOnceItExists() throws Exception {
        Path store = dir.resolve("new-volume");
        String bucket = server.createBucket("ship-wait");
        List<String> args = List.of(
                "--data",
                store.toString(),
                "--to",
                "s3://" + bucket + "/w",
                "--endpoint",
                server.endpoint().toString(),
                "--path-style",
                "--interval",
                "200ms",
                "--metrics",
                "127.0.0.1:0");
        try (ChildProcess notWaiting =
                ChildProcess.java(ChildProcess.JVM_OPTIONS, server.environment(), ShipCommand.class.getName(), args)) {
            assertEquals(2, notWaiting.awaitExit(Duration.ofSeconds(30)), notWaiting.err());
            assertTrue(notWaiting.err().contains("is not an uplink store"), notWaiting.err());
        }
        List<String> waiting = new ArrayList<>(args);
        waiting.add("--wait-for-store");
        try (ChildProcess child = ChildProcess.java(
                ChildProcess.JVM_OPTIONS, server.environment(), ShipCommand.class.getName(), waiting)) {
            Waits.await("the shipper waiting for the store", Duration.ofSeconds(30))
                    .until(() -> mainThread(child.pid()).contains("ShipCommand.call"));
            assertTrue(child.alive());
            try (ClipStore live = DirectoryStore.open(
                    store, StoreOptions.defaults().withSegmentBytes(256 << 10).withDirectIo(false))) {
                writeMoreClips(live, 3, 40, 4000);
            }
            child.awaitOutput(METRICS_LINE.pattern(), Duration.ofSeconds(30));
            Matcher m = METRICS_LINE.matcher(child.out());
            assertTrue(m.find());
            String base = "http://127.0.0.1:" + m.group(1);
            int closed = ClosedSegments.list(store).size();
            assertTrue(closed >= 1);
            Waits.await("the closed segments shipped", Duration.ofSeconds(30))
                    .until(() -> value(scrape(base), "doorbell_shipper_shipped_segments_total", Map.of()) == closed);
            assertEquals(200, get(base + "/readyz").statusCode());
        }
    }

    /** The main thread's stack, as jcmd prints it. */
    private static String mainThread(long pid) throws Exception {
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        Long.toString(pid),
                        "Thread.print")
                .redirectErrorStream(true)
                .start();
        String out = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(jcmd.waitFor(30, TimeUnit.SECONDS));
        int main = out.indexOf("\"main\"");
        if (main < 0) {
            return "";
        }
        int end = out.indexOf("\n\n", main);
        return out.substring(main, end < 0 ? out.length() : end);
    }

    /** Clips 101.. of device ship-test-more: new clips, where writeClips's ids would be refused as reused. */
    private static void writeMoreClips(ClipStore store, int clips, int frames, int bytes) throws Exception {
        Random random = new Random(7);
        for (int c = 101; c < 101 + clips; c++) {
            store.openClip("ship-test-more", c, bytes(random, 64)).durable().get(30, TimeUnit.SECONDS);
            List<CompletableFuture<Void>> pending = new ArrayList<>();
            for (int seq = 0; seq < frames; seq++) {
                pending.add(store.appendFrame(
                                "ship-test-more", c, seq, seq == frames - 1, bytes(random, 16), bytes(random, bytes))
                        .durable());
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            store.closeClip("ship-test-more", c, frames).durable().get(30, TimeUnit.SECONDS);
        }
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** Every metric name of the dashboard's shipper queries is served by the shipper. */
    private static void assertDashboardServed(Set<String> served) throws Exception {
        Path dashboard = Path.of("..", "ops", "grafana", "doorbell-uplink.json");
        List<String> expressions = new ArrayList<>();
        collectExpressions(JSON.std.mapFrom(Files.readString(dashboard)), expressions);
        List<String> shipperQueries = expressions.stream()
                .filter(e -> DashboardQueries.metricNames(e).stream().anyMatch(n -> n.startsWith("doorbell_shipper_")))
                .toList();
        assertTrue(shipperQueries.size() >= 6, "the dashboard's shipper panels: " + shipperQueries);
        for (String expr : shipperQueries) {
            for (String name : DashboardQueries.metricNames(expr)) {
                assertTrue(served.contains(name), dashboard + ": " + name + " (in " + expr + ") is not served");
            }
        }
    }

    /** Every shipper metric served is in docs/OPERATIONS.md's table (histograms by their base name). */
    private static void assertDocumented(Set<String> served) throws Exception {
        String operations = Files.readString(Path.of("..", "docs", "OPERATIONS.md"));
        for (String name : served) {
            String base = name.replaceAll("_(bucket|sum|count)$", "");
            if (name.startsWith("doorbell_shipper_")) {
                assertTrue(operations.contains("`" + base + "`"), base + " is not in docs/OPERATIONS.md");
            }
        }
    }

    /**
     * The alerting rules read only what the shipper serves, and each has what Prometheus needs (promtool is not on
     * these machines: the file's structure is checked here, its PromQL by the names it reads).
     */
    @SuppressWarnings("unchecked")
    private static void assertAlertRulesServed(Set<String> served) throws Exception {
        Path file = Path.of("..", "ops", "prometheus", "doorbell-shipper.rules.yml");
        Map<String, Object> rules = new Yaml(new SafeConstructor(new LoaderOptions())).load(Files.readString(file));
        List<Map<String, Object>> groups = (List<Map<String, Object>>) rules.get("groups");
        Set<String> alerts = new HashSet<>();
        for (Map<String, Object> group : groups) {
            assertTrue(group.get("name") instanceof String, file + ": a group without a name");
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                assertTrue(rule.get("alert") instanceof String name && alerts.add(name), file + ": " + rule);
                assertTrue(
                        Set.of("alert", "expr", "for", "labels", "annotations").containsAll(rule.keySet()),
                        rule.toString());
                assertTrue(
                        ((Map<String, Object>) rule.get("labels")).get("severity") instanceof String, rule.toString());
                assertTrue(
                        ((Map<String, Object>) rule.get("annotations")).get("summary") instanceof String,
                        rule.toString());
                String expr = (String) rule.get("expr");
                assertFalse(DashboardQueries.metricNames(expr).isEmpty(), expr);
                for (String name : DashboardQueries.metricNames(expr)) {
                    assertTrue(served.contains(name), file + ": " + name + " (in " + expr + ") is not served");
                }
            }
        }
        assertTrue(alerts.contains("DoorbellShipperLagging"), "the lag alert: " + alerts);
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

    /** The label rule: no label value names a device of the store or the store's instance. */
    private static void assertNoDeviceOrStoreInLabels(Map<String, Family> scrape, String instance) {
        scrape.values()
                .forEach(f -> f.samples()
                        .forEach(s -> s.labels().values().forEach(v -> {
                            assertFalse(v.contains(instance), s + " names the store's instance");
                            assertFalse(v.contains("ship-test-"), s + " names a device");
                        })));
    }

    private static Set<String> names(Map<String, Family> scrape) {
        Set<String> names = new HashSet<>();
        scrape.values().forEach(f -> f.samples().forEach(s -> names.add(s.name())));
        return names;
    }

    private static Map<String, String> puts(String object, String result) {
        return Map.of("object", object, "result", result);
    }

    private static double value(Map<String, Family> scrape, String sample, Map<String, String> labels) {
        return family(scrape, sample).value(sample, labels);
    }

    private static Family family(Map<String, Family> scrape, String sample) {
        return scrape.values().stream()
                .filter(f -> f.samples().stream().anyMatch(s -> s.name().equals(sample)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(sample + " is not served: " + scrape.keySet()));
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    private Map<String, Family> scrape(String base) throws Exception {
        HttpResponse<String> response = get(base + "/metrics");
        assertEquals(200, response.statusCode());
        return PrometheusText.parse(response.body());
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
