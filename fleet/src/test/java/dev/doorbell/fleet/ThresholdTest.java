package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** `--threshold`: what it accepts, what it refuses, and how it decides a run's verdict with the built-in rules. */
class ThresholdTest {
    @Test
    void parse_kSixStyleForms_inTheMetricsUnit() {
        assertEquals(new Threshold("p99<500ms", "p99", "<", 500, false), Threshold.parse("p99<500ms"));
        assertEquals(new Threshold("p99.9 <= 2s", "p99.9", "<=", 2000, false), Threshold.parse("p99.9 <= 2s"));
        assertEquals(new Threshold("max<250", "max", "<", 250, false), Threshold.parse("max<250"));
        assertEquals(new Threshold("p50<800us", "p50", "<", 0.8, false), Threshold.parse("p50<800us"));
        assertEquals(new Threshold("errors<1%", "errors", "<", 0.01, true), Threshold.parse("errors<1%"));
        assertEquals(new Threshold("errors=0", "errors", "=", 0, false), Threshold.parse("errors=0"));
        assertEquals(
                new Threshold("connect-failures==0", "connect-failures", "=", 0, false),
                Threshold.parse("connect-failures==0"));
        assertEquals(new Threshold("mbps>=1.5", "mbps", ">=", 1.5, false), Threshold.parse("mbps>=1.5"));
    }

    @Test
    void parse_notAThreshold_namesItAndTheForms() {
        for (String bad : List.of("p99", "p98<5ms", "latency<5ms", "p99<5%", "errors<5ms", "mbps>1%", "p99<-1ms", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Threshold.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("--threshold '" + bad + "'"), e.getMessage());
        }
    }

    @Test
    void verdict_missedThreshold_failsTheRunAndSaysWhy_builtInsDecideAsBefore() {
        TreeMap<Long, Histogram> seconds = new TreeMap<>();
        Histogram h = Progress.emptyHistogram();
        for (int i = 1; i <= 100; i++) {
            h.recordValue(i * 1000L);
        }
        seconds.put(1_700_000_000L, h);
        // 2 errors in 100 frames: 2 %, within a 5 % limit, over a 1 % threshold.
        FleetTotals totals = new FleetTotals(10, 0, 10, 5, 100, 100, 5_000_000, 2, 0, 0, 10, 3, 0);
        RunRecord record = RunRecord.fromLog(seconds);
        FleetReport report = report(totals, seconds, record, List.of());
        assertTrue(report.passed(), report.failures().toString());
        assertTrue(report.builtInThresholds().stream().allMatch(Threshold.Result::passed));

        FleetReport strict = report(
                totals,
                seconds,
                record,
                List.of(
                        Threshold.parse("p99<150ms"),
                        Threshold.parse("p50<10ms"),
                        Threshold.parse("errors<1%"),
                        Threshold.parse("reconnects<=3"),
                        Threshold.parse("mbps>0.4")));
        assertFalse(strict.passed());
        assertEquals(
                List.of(
                        "threshold p50<10ms not met: p50 was 50.02 ms",
                        "threshold errors<1% not met: errors was 2.000%"),
                strict.failures());
        Map<String, Object> json = strict.json();
        List<?> rows = (List<?>) json.get("thresholds");
        assertEquals(9, rows.size(), "four built-in rules, five thresholds: " + rows);
        Map<?, ?> p50 = (Map<?, ?>) rows.get(5);
        assertEquals("p50<10ms", p50.get("threshold"));
        assertEquals("--threshold", p50.get("source"));
        assertEquals(Boolean.FALSE, p50.get("passed"));
        assertEquals(50.015, (Double) p50.get("actual"), 0.01);
        assertEquals("built-in", ((Map<?, ?>) rows.get(0)).get("source"));
        assertTrue(
                strict.table().contains("thresholds: p99<150ms pass (99.01 ms), p50<10ms FAIL (50.02 ms)"),
                strict.table());

        FleetTotals lossy = new FleetTotals(10, 0, 10, 5, 100, 100, 5_000_000, 2, 0, 0, 10, 3, 1);
        assertFalse(
                report(lossy, seconds, record, List.of())
                        .builtInThresholds()
                        .get(2)
                        .passed(),
                "lost-acked=0");
    }

    private static FleetReport report(
            FleetTotals totals, TreeMap<Long, Histogram> seconds, RunRecord record, List<Threshold> thresholds) {
        return new FleetReport(
                totals,
                seconds,
                0.05,
                0.01,
                null,
                null,
                record,
                new RunDetails(null, List.of(), List.of(), List.of(), thresholds));
    }
}
