package dev.doorbell.app.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.jr.ob.JSON;
import dev.doorbell.proto.v1.AckKind;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.testing.ChildProcess;
import dev.doorbell.testing.PrometheusText;
import dev.doorbell.testing.TestPki;
import dev.doorbell.uplink.testing.Messages;
import dev.doorbell.uplink.testing.TestDeviceClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The logs an operator ships, from the real uplink process (its own logback.xml, as the jar has it) with a real
 * device streaming over TLS: with {@code --log-format json}, and with {@code DOORBELL_LOG_FORMAT=json} alone, every
 * line of stderr is one JSON object with the time (ISO 8601, UTC), level, logger, thread and message, and the lines
 * about a session or a clip carry the device and the clip from the MDC; without either, every line is text that
 * starts with the ISO 8601 UTC time. The same run's /metrics is scraped and read strictly.
 */
class UplinkJsonLogsTest {
    private static final String DEVICE = "dev-a";
    private static final long CLIP = 4_242_000_017L;
    private static final int FRAMES = 12;
    private static final Pattern ISO_UTC = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    private static final Set<String> FIELDS =
            Set.of("time", "level", "logger", "thread", "device", "clip", "message", "exception");

    @TempDir
    Path dir;

    @Test
    void serve_logFormatJson_everyLineOneObjectWithDeviceAndClip() throws Exception {
        List<Map<String, Object>> lines =
                jsonLines(run(dir.resolve("option"), List.of("--log-format", "json"), Map.of()));
        assertSessionAndClipFields(lines);
    }

    @Test
    void serve_environmentJson_everyLineOneObject() throws Exception {
        List<Map<String, Object>> lines =
                jsonLines(run(dir.resolve("env"), List.of(), Map.of("DOORBELL_LOG_FORMAT", "json")));
        assertSessionAndClipFields(lines);
    }

    @Test
    void serve_default_textLinesDatedIso8601Utc() throws Exception {
        String err = run(dir.resolve("text"), List.of(), Map.of("DOORBELL_LOG_FORMAT", ""));
        List<String> lines = err.lines().toList();
        assertTrue(lines.size() >= 4, err);
        for (String line : lines) {
            assertFalse(line.startsWith("{"), line);
            assertTrue(
                    ISO_UTC.matcher(line).lookingAt() || line.startsWith("\t") || line.startsWith("Caused by"),
                    "a log line without its date: " + line);
        }
    }

    /** Runs `serve` until a device has sent a clip and one conflicting frame, then SIGTERM; returns its stderr. */
    private static String run(Path work, List<String> options, Map<String, String> environment) throws Exception {
        List<String> args = new ArrayList<>(List.of(
                "serve",
                "--data",
                work.resolve("store").toString(),
                "--tls",
                TestPki.dir().toString(),
                "--port",
                "0",
                "--metrics",
                "127.0.0.1:0"));
        args.addAll(options);
        List<String> jvm = new ArrayList<>(ChildProcess.JVM_OPTIONS);
        jvm.add("-Dlogback.configurationFile=" + uplinkLogbackXml());
        try (ChildProcess uplink = ChildProcess.java(jvm, environment, "dev.doorbell.uplink.cli.UplinkCli", args)) {
            uplink.awaitOutput("metrics on http://127\\.0\\.0\\.1:\\d+/metrics", Duration.ofSeconds(30));
            int port = group(uplink.out(), "uplink listening on 127\\.0\\.0\\.1:(\\d+)");
            int metricsPort = group(uplink.out(), "metrics on http://127\\.0\\.0\\.1:(\\d+)/metrics");
            try (TestDeviceClient device = TestDeviceClient.connect(new InetSocketAddress("127.0.0.1", port), DEVICE)) {
                device.send(Messages.hello(DEVICE));
                device.awaitWelcome();
                device.send(Messages.clipOpen(DEVICE, CLIP));
                for (int seq = 0; seq < FRAMES; seq++) {
                    device.send(Messages.frame(CLIP, seq, seq == FRAMES - 1, 2000, 0));
                }
                device.send(Messages.clipClose(CLIP, FRAMES));
                device.awaitAck(CLIP, AckKind.ACK_KIND_PERSISTED, FRAMES, true);
                device.send(Messages.frame(CLIP, 2, false, 2000, 7));
                device.awaitError(ErrorCode.FRAME_CONFLICT);
            }
            Map<String, PrometheusText.Family> scrape = PrometheusText.parse(get(metricsPort, "/metrics"));
            assertEquals(
                    FRAMES,
                    scrape.get("doorbell_uplink_frames_persisted_total")
                            .value("doorbell_uplink_frames_persisted_total", Map.of()));
            assertTrue(scrape.containsKey("jvm_memory_used_bytes"), "the JVM's metrics are served too");
            uplink.signal("TERM");
            assertEquals(0, uplink.awaitExit(Duration.ofSeconds(30)), uplink.err());
            return uplink.err();
        }
    }

    private static List<Map<String, Object>> jsonLines(String err) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String line : err.lines().toList()) {
            assertTrue(line.startsWith("{") && line.endsWith("}"), "not one JSON object: " + line);
            Map<String, Object> object = JSON.std.mapFrom(line);
            assertTrue(FIELDS.containsAll(object.keySet()), "unexpected fields: " + object.keySet());
            for (String field : List.of("time", "level", "logger", "thread", "message")) {
                assertTrue(object.get(field) instanceof String, field + " missing: " + line);
            }
            assertTrue(ISO_UTC.matcher((String) object.get("time")).matches(), line);
            assertTrue(Set.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR").contains(object.get("level")), line);
            out.add(object);
        }
        assertTrue(out.size() >= 4, "the uplink's start, the session and the stop are logged: " + err);
        return out;
    }

    private static void assertSessionAndClipFields(List<Map<String, Object>> lines) {
        assertTrue(
                lines.stream()
                        .anyMatch(l -> DEVICE.equals(l.get("device"))
                                && l.get("clip") == null
                                && ((String) l.get("message")).startsWith("device " + DEVICE + " connected")),
                "the session's line carries the device: " + lines);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> DEVICE.equals(l.get("device"))
                                && Long.toUnsignedString(CLIP).equals(l.get("clip"))
                                && "WARN".equals(l.get("level"))
                                && ((String) l.get("message")).contains("FRAME_CONFLICT")),
                "the refused frame's line carries the device and the clip: " + lines);
        assertTrue(
                lines.stream()
                        .anyMatch(l -> l.get("device") == null
                                && ((String) l.get("message")).startsWith("uplink listening on")),
                "lines about no device carry none: " + lines);
    }

    /** The uplink's own logback.xml (the app's tests also see the doorbell command's and a logback-test.xml). */
    private static String uplinkLogbackXml() throws IOException {
        for (URL url :
                Collections.list(UplinkJsonLogsTest.class.getClassLoader().getResources("logback.xml"))) {
            if (url.toString().contains("uplink")) {
                return url.toString();
            }
        }
        throw new AssertionError("the uplink's logback.xml is not on the class path");
    }

    private static int group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), regex + " in " + text);
        return Integer.parseInt(m.group(1));
    }

    private static String get(int port, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }
}
