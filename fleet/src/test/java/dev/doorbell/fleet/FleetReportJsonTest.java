package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.json is read by other tools (docs/FLEET.md fixes its field names and number formats): the same run
 * written through jackson-jr gives the very bytes the hand-written writer gave before
 * (src/test/resources/reports/written-before-jackson, written by that writer from the inputs below), but for the two
 * fields the one load tester added since: {@code totals.skipped} and {@code traffic}; the report's sections added later
 * (thresholds, time series, histogram, slowest devices, errors by code) follow every old field.
 */
class FleetReportJsonTest {
    static final Path BEFORE_JACKSON = Path.of("src/test/resources/reports/written-before-jackson");
    static final Path BEFORE_RUN_IDS = Path.of("src/test/resources/reports/written-before-run-ids");
    private static final long T0 = 1_764_900_000_000L;

    @TempDir
    Path dir;

    @Test
    void write_theFixtureRun_isByteForByteWhatTheOldWriterWrote() throws Exception {
        Path out = dir.resolve("again");
        Files.createDirectories(out);
        Files.copy(BEFORE_JACKSON.resolve(LatencyLog.FILE), out.resolve(LatencyLog.FILE));
        TreeMap<Long, Histogram> seconds = LatencyLog.readSeconds(List.of(out.resolve(LatencyLog.FILE)));
        FleetTotals totals = new FleetTotals(20, 1, 21, 10, 300, 300, 2_765_432, 0, 0, 0, 3.25, 1, 0);
        RunRecord record = new RunRecord(
                "7c0ffee0-0000-4000-8000-000000000001",
                List.of("7c0ffee0-0000-4000-8000-000000000001"),
                List.of(new RunRecord.Span(T0, T0 + 3250)),
                false,
                "duration",
                null,
                Map.of("closed before Welcome", 1L));
        FleetScenario storm = FleetScenario.reconnectStorm(Duration.ofMillis(1500), 0.5, Duration.ofSeconds(5), 3);

        new FleetReport(totals, seconds, 0.01, 0.02, storm, new Traffic.PoissonClips(12), record).write(out);

        String before = Files.readString(BEFORE_JACKSON.resolve("report.json"));
        String withTheNewFields = before.replace("\"lostAcked\":0}", "\"lostAcked\":0,\"skipped\":0}")
                .replace(
                        ",\"scenario\":",
                        ",\"traffic\":{\"model\":\"poisson\",\"parameters\":{\"clipsPerHour\":12.0}},"
                                + "\"scenario\":");
        String written = Files.readString(out.resolve("report.json"));
        String old = withTheNewFields.substring(0, withTheNewFields.lastIndexOf('}'));
        assertEquals(old, written.substring(0, old.length()), "every field as before, in the same order");
        // The report's new sections come after every old field: added, none renamed.
        assertEquals(
                List.of("thresholds", "series", "latencySeries", "latencyHistogram", "slowestDevices", "errorTable"),
                Json.parseObject("{" + written.substring(old.length() + 1)).keySet().stream()
                        .toList());
    }

    @Test
    void write_valuesTheOldWriterHandled_nullsAndNonFiniteNumbersAreNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("allReconnectedSeconds", null);
        m.put("rate", Double.NaN);
        m.put("small", 1.0E-4);
        m.put("list", new ArrayList<>(List.of(1L, 2.5, Double.POSITIVE_INFINITY, "a\"b\\c\nd")));

        String json = Json.write(m);

        assertEquals(
                "{\"allReconnectedSeconds\":null,\"rate\":null,\"small\":1.0E-4,\"list\":[1,2.5,null,"
                        + "\"a\\\"b\\\\c\\nd\"]}",
                json);
        assertNull(Json.parseObject(json).get("rate"));
    }
}
