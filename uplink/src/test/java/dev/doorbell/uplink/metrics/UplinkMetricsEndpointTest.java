package dev.doorbell.uplink.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.doorbell.cli.ops.MetricsEndpoint;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.testing.PrometheusText;
import dev.doorbell.testing.PrometheusText.Family;
import dev.doorbell.testing.Waits;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.FullDiskStores;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import dev.doorbell.uplink.testing.TestUplink;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations port of a real uplink (TLS, real devices of the test PKI, a real directory store) scraped over HTTP
 * while devices stream: the counts move with what was sent, the PERSISTED histogram has a sample per frame, the store's
 * group commits add up to its durable records, no label carries a device or clip id, and /readyz says 503 with the
 * reason while the store is fail-stopped on a full disk (the store's own seam), 200 once it writes again, and 503
 * once the uplink stops listening. Every scrape is read by the strict parser of the text format.
 */
class UplinkMetricsEndpointTest {
    private static final List<String> DEVICES = List.of("dev-a", "dev-b");
    /** Clip ids unlike any number a metric could hold by chance, so that the label check means something. */
    private static final long CLIP = 7_340_032_011L;

    private static final int FRAMES = 20;

    @TempDir
    Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void scrape_devicesStreamingThenDiskFull_countsMoveAndReadyzFollowsTheStore() throws Exception {
        AtomicBoolean full = new AtomicBoolean();
        try (DirectoryStore store = FullDiskStores.open(dir.resolve("store"), full::get)) {
            UplinkServer uplink = new UplinkServer(TestUplink.config().build(), store);
            InetSocketAddress address = uplink.start();
            try (MetricsEndpoint endpoint =
                    MetricsEndpoint.start("127.0.0.1", 0, uplink.metrics().registry(), uplink::readiness)) {
                String base = "http://127.0.0.1:" + endpoint.address().getPort();
                assertEquals(200, get(base + "/healthz").statusCode());
                HttpResponse<String> ready = get(base + "/readyz");
                assertEquals(200, ready.statusCode(), ready.body());
                assertEquals(404, get(base + "/nothing").statusCode());

                Map<String, Family> before = scrape(base);
                assertEquals(0, value(before, "doorbell_uplink_devices_connected"));
                assertEquals(1, value(before, "doorbell_uplink_ready"));

                List<TestDeviceClient> devices = new ArrayList<>();
                for (String id : DEVICES) {
                    TestDeviceClient device = TestDeviceClient.connect(address, id);
                    devices.add(device);
                    device.send(Messages.hello(id));
                    device.awaitWelcome();
                    device.send(Messages.clipOpen(id, CLIP));
                    for (int seq = 0; seq < FRAMES; seq++) {
                        device.send(Messages.frame(CLIP, seq, seq == FRAMES - 1, 4000, 0));
                    }
                    device.send(Messages.clipClose(CLIP, FRAMES));
                }
                for (TestDeviceClient device : devices) {
                    device.awaitAck(CLIP, AckKind.ACK_KIND_PERSISTED, FRAMES, true);
                }
                int frames = DEVICES.size() * FRAMES;

                String text = scrapeText(base);
                Map<String, Family> after = PrometheusText.parse(text);
                assertEquals(DEVICES.size(), value(after, "doorbell_uplink_devices_connected"));
                assertEquals(0, value(after, "doorbell_uplink_devices_connecting"));
                assertEquals(DEVICES.size(), counter(after, "doorbell_uplink_handshakes"));
                assertEquals(DEVICES.size(), counter(after, "doorbell_uplink_connections"));
                assertEquals(
                        frames,
                        after.get("doorbell_uplink_messages_received_total")
                                .value("doorbell_uplink_messages_received_total", Map.of("type", "frame")));
                assertTrue(counter(after, "doorbell_uplink_received_bytes") > frames * 4000L);
                assertEquals(frames, counter(after, "doorbell_uplink_frames_received"));
                assertEquals(frames, counter(after, "doorbell_uplink_frames_persisted"));
                assertEquals(frames * 4000L, counter(after, "doorbell_uplink_sealed_bytes_persisted"));
                assertEquals(DEVICES.size(), counter(after, "doorbell_uplink_clips_closed"));
                Family latency = after.get("doorbell_uplink_persisted_latency_seconds");
                assertEquals(frames, latency.value("doorbell_uplink_persisted_latency_seconds_count", Map.of()));
                assertTrue(latency.value("doorbell_uplink_persisted_latency_seconds_sum", Map.of()) > 0);
                // Every durable record (each clip's header, frames and close) came through some group commit.
                double records = counter(after, "doorbell_uplink_store_records");
                assertEquals(DEVICES.size() * (FRAMES + 2), records);
                Family commits = after.get("doorbell_uplink_store_commit_records");
                assertEquals(records, commits.value("doorbell_uplink_store_commit_records_sum", Map.of()));
                assertEquals(
                        counter(after, "doorbell_uplink_store_fsyncs"),
                        after.get("doorbell_uplink_store_fsync_seconds")
                                .value("doorbell_uplink_store_fsync_seconds_count", Map.of()));
                assertTrue(value(after, "doorbell_uplink_store_bytes") > frames * 4000L);
                assertTrue(value(after, "doorbell_uplink_store_segments") >= 1);
                // The clips just closed keep their full form (the most recent 4096 do by default).
                Family indexClips = after.get("doorbell_uplink_index_clips");
                assertEquals(DEVICES.size(), indexClips.value("doorbell_uplink_index_clips", Map.of("form", "full")));
                assertEquals(0, indexClips.value("doorbell_uplink_index_clips", Map.of("form", "compact")));
                assertTrue(after.get("doorbell_uplink_index_bytes")
                                .value("doorbell_uplink_index_bytes", Map.of("form", "full"))
                        > 0);
                assertEquals(
                        MisuseFlag.values().length,
                        after.get("doorbell_uplink_misuse_flags_total")
                                .samples()
                                .size(),
                        "every misuse reason is exported from the start");
                assertTrue(after.containsKey("doorbell_uplink_build_info"));
                assertLabelsNameNoDeviceOrClip(after);

                // Other bytes under a stored frame: refused, and flagged without a key.
                TestDeviceClient first = devices.get(0);
                first.send(Messages.frame(CLIP, 3, false, 4000, 99));
                first.awaitError(ErrorCode.FRAME_CONFLICT);
                Map<String, Family> conflict = scrape(base);
                assertEquals(
                        1,
                        conflict.get("doorbell_uplink_misuse_flags_total")
                                .value("doorbell_uplink_misuse_flags_total", Map.of("reason", "frame_rewritten")));
                assertEquals(
                        1,
                        conflict.get("doorbell_uplink_errors_total")
                                .value("doorbell_uplink_errors_total", Map.of("code", "frame_conflict")));

                // The disk fills: the next commit fails, the store fail-stops, and /readyz says so.
                full.set(true);
                first.send(Messages.clipOpen(DEVICES.get(0), CLIP + 1));
                first.send(Messages.frame(CLIP + 1, 0, false, 4000, 0));
                first.awaitError(ErrorCode.STORAGE_UNAVAILABLE);
                HttpResponse<String> notReady = get(base + "/readyz");
                assertEquals(503, notReady.statusCode());
                assertTrue(
                        notReady.body().startsWith("not ready: store unavailable: the store cannot write now:")
                                && notReady.body().contains("No space left on device"),
                        notReady.body());
                assertEquals(200, get(base + "/healthz").statusCode(), "alive while not ready");
                Map<String, Family> failed = scrape(base);
                assertEquals(0, value(failed, "doorbell_uplink_ready"));
                assertEquals(0, value(failed, "doorbell_uplink_store_available"));
                assertTrue(failed.get("doorbell_uplink_errors_total")
                                .value("doorbell_uplink_errors_total", Map.of("code", "storage_unavailable"))
                        >= 1);

                // Space returns: the store starts a new segment by itself and the uplink is ready again.
                full.set(false);
                Waits.await("/readyz 200 again", Duration.ofSeconds(10))
                        .until(() -> get(base + "/readyz").statusCode() == 200);

                devices.forEach(TestDeviceClient::close);
                uplink.stop(Duration.ofSeconds(2));
                HttpResponse<String> stopped = get(base + "/readyz");
                assertEquals(503, stopped.statusCode());
                assertEquals("not ready: not listening for devices\n", stopped.body());
            } finally {
                uplink.stop(Duration.ofSeconds(2));
            }
        }
    }

    @Test
    void scrape_openMetricsAsked_openMetricsWithEof() throws Exception {
        try (TestUplink uplink = TestUplink.start();
                MetricsEndpoint endpoint = MetricsEndpoint.start(
                        "127.0.0.1", 0, uplink.server.metrics().registry(), uplink.server::readiness)) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + endpoint.address().getPort() + "/metrics"))
                            .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
            assertTrue(
                    response.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"),
                    response.headers().toString());
            assertTrue(response.body().endsWith("# EOF\n"), "OpenMetrics ends with # EOF");
            assertTrue(response.body().contains("# TYPE doorbell_uplink_frames_persisted counter"));
        }
    }

    /** The label rule of docs/OPERATIONS.md: no label value is a device id or a clip id. */
    private static void assertLabelsNameNoDeviceOrClip(Map<String, Family> scrape) {
        for (Family family : scrape.values()) {
            for (PrometheusText.Sample sample : family.samples()) {
                for (String value : sample.labels().values()) {
                    assertFalse(
                            DEVICES.contains(value) || value.contains(Long.toString(CLIP)),
                            sample + " carries a device or clip id");
                }
            }
        }
    }

    private Map<String, Family> scrape(String base) throws Exception {
        return PrometheusText.parse(scrapeText(base));
    }

    private String scrapeText(String base) throws Exception {
        HttpResponse<String> response = get(base + "/metrics");
        assertEquals(200, response.statusCode(), response.body());
        assertTrue(
                response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                response.headers().toString());
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

    private static double value(Map<String, Family> scrape, String name) {
        Family family = scrape.get(name);
        assertTrue(family != null, name + " is not served");
        return family.value(name, Map.of());
    }

    private static double counter(Map<String, Family> scrape, String name) {
        Family family = scrape.get(name + "_total");
        assertTrue(family != null, name + "_total is not served");
        assertEquals("counter", family.type(), name);
        return family.value(name + "_total", Map.of());
    }
}
