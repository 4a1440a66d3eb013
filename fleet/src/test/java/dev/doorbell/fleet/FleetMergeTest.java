package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Merging reports adds histograms exactly and sums counts; it never averages percentiles. */
class FleetMergeTest {
    @TempDir
    Path dir;

    @Test
    void merge_twoRuns_equalsTheHistogramOfBothWithExactCounts() throws Exception {
        Histogram a = Progress.emptyHistogram();
        Histogram b = Progress.emptyHistogram();
        Path runA = run("a", 1, 2000, 1_000, 5, a);
        Path runB = run("b", 2, 500, 200_000, 3, b);
        Histogram both = Progress.emptyHistogram();
        both.add(a);
        both.add(b);

        FleetOutcome merged = FleetMerge.merge(List.of(runA, runB), dir.resolve("merged"), 0.01, 0.01);

        assertEquals(both, merged.latencyMicros());
        assertEquals(
                a.getTotalCount() + b.getTotalCount(), merged.latencyMicros().getTotalCount());
        assertEquals(both.getValueAtPercentile(99), merged.latencyMicros().getValueAtPercentile(99));
        assertEquals(40, merged.totals().devices());
        assertEquals(a.getTotalCount() + b.getTotalCount(), merged.totals().framesPersisted());
        Histogram reread = LatencyLog.total(LatencyLog.readSeconds(List.of(dir.resolve("merged/latency.hlog"))));
        assertEquals(both, reread, "the merged hlog holds the same histogram");
        Map<String, Object> json = Json.parseObject(Files.readString(dir.resolve("merged/report.json")));
        @SuppressWarnings("unchecked")
        Map<String, Object> latency = (Map<String, Object>) json.get("latencyMillis");
        assertEquals(both.getTotalCount(), ((Number) latency.get("count")).longValue());
        assertEquals(both.getValueAtPercentile(99.9) / 1000.0, (Double) latency.get("p99.9"), 1e-9);
    }

    @Test
    void merge_errorsOverTheLimit_fails() throws Exception {
        Path run = dir.resolve("bad");
        Histogram h = Progress.emptyHistogram();
        h.recordValue(1000);
        h.setStartTimeStamp(1_700_000_000_000L);
        h.setEndTimeStamp(1_700_000_001_000L);
        try (LatencyLog log = LatencyLog.create(run.resolve(LatencyLog.FILE), "p0", 1_700_000_000_000L)) {
            log.append(h);
        }
        FleetTotals totals = new FleetTotals(1, 0, 1, 1, 100, 1, 1000, 0, 2, 0, 1, 0, 0);
        new FleetReport(totals, LatencyLog.readSeconds(List.of(run.resolve(LatencyLog.FILE))), 0.01, 0.01).write(run);

        assertFalse(
                FleetMerge.merge(List.of(run), dir.resolve("m1"), 0.01, 0.01).passed(), "2 errors in 100 frames");
        assertTrue(FleetMerge.merge(List.of(run), dir.resolve("m2"), 0.05, 0.01).passed(), "under a 5% limit");
    }

    @Test
    void merge_reportIsAnInput_refusedAndTheRunIsUntouched() throws Exception {
        Path a = run("a", 1, 100, 1_000, 3, Progress.emptyHistogram());
        Path b = run("b", 2, 100, 1_000, 3, Progress.emptyHistogram());
        byte[] before = Files.readAllBytes(a.resolve("report.json"));

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FleetMerge.merge(List.of(a, b), a, 0.01, 0.01));

        assertTrue(
                e.getMessage().startsWith("--report " + a + " is the report " + a + " being merged"), e.getMessage());
        assertArrayEquals(before, Files.readAllBytes(a.resolve("report.json")), "the run's report is as it was");
    }

    @Test
    void merge_reportInsideAnInput_refused() throws Exception {
        Path a = run("a", 1, 100, 1_000, 3, Progress.emptyHistogram());
        Path inside = a.resolve("merged");

        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FleetMerge.merge(List.of(a), inside, 0.01, 0.01));

        assertTrue(e.getMessage().contains(" is inside the report " + a), e.getMessage());
        assertFalse(Files.exists(inside));
    }

    @Test
    void merge_sameRunTwice_refusedEvenInsideAMergedReport() throws Exception {
        Path a = run("a", 1, 100, 1_000, 3, Progress.emptyHistogram());
        Path b = run("b", 2, 100, 1_000, 3, Progress.emptyHistogram());
        Path ab = dir.resolve("ab");
        FleetMerge.merge(List.of(a, b), ab, 0.01, 0.01);
        String idA = (String)
                Json.parseObject(Files.readString(a.resolve("report.json"))).get("runId");

        IllegalArgumentException twice = assertThrows(
                IllegalArgumentException.class, () -> FleetMerge.merge(List.of(a, a), dir.resolve("aa"), 0.01, 0.01));
        IllegalArgumentException again = assertThrows(
                IllegalArgumentException.class,
                () -> FleetMerge.merge(List.of(ab, a), dir.resolve("ab-a"), 0.01, 0.01));

        assertEquals("run " + idA + " would be added twice: " + a + " is named twice", twice.getMessage());
        assertEquals(
                "run " + idA + " would be added twice: it is in " + ab + " and in " + a + " (a merged report "
                        + "holds its runs)",
                again.getMessage());
        assertEquals(
                List.of(
                        idA,
                        Json.parseObject(Files.readString(b.resolve("report.json")))
                                .get("runId")),
                Json.parseObject(Files.readString(ab.resolve("report.json"))).get("runs"));
    }

    @Test
    void merge_runsOneAfterTheOther_ratesOverTheUnionOfTheirSpans() throws Exception {
        long t0 = 1_700_000_000_000L;
        Path first = run("first", 1, 100, 1_000, 5, Progress.emptyHistogram(), t0);
        Path later = run("later", 2, 100, 1_000, 3, Progress.emptyHistogram(), t0 + 100_000);
        Path overlapping = run("overlapping", 3, 100, 1_000, 5, Progress.emptyHistogram(), t0 + 2_000);

        FleetOutcome apart = FleetMerge.merge(List.of(first, later), dir.resolve("apart"), 0.01, 0.01);
        FleetOutcome together = FleetMerge.merge(List.of(first, overlapping), dir.resolve("together"), 0.01, 0.01);

        assertEquals(8.0, apart.totals().seconds(), 1e-9, "5 s and, 95 s later, 3 s: 8 s, not the longer run's 5 s");
        assertEquals(7.0, together.totals().seconds(), 1e-9, "0-5 s and 2-7 s: 7 s, not the sum of 10 s");
        assertTrue(
                apart.table().startsWith("devices 40, connects 40, connect failures 0, clips 20, 8.0 s\n"),
                apart.table());
        Map<String, Object> json = Json.parseObject(Files.readString(dir.resolve("apart/report.json")));
        assertEquals(
                List.of(Map.of("start", t0, "end", t0 + 5_000), Map.of("start", t0 + 100_000, "end", t0 + 103_000)),
                json.get("spans"),
                "epoch milliseconds, whole numbers");
    }

    @Test
    void merge_reportWrittenBeforeRunIds_mergesWithItsLogsTimeline() throws Exception {
        long t0 = 1_700_000_000_000L;
        Path old = run("old", 1, 100, 1_000, 4, Progress.emptyHistogram(), t0);
        Map<String, Object> json = Json.parseObject(Files.readString(old.resolve("report.json")));
        json.keySet()
                .removeAll(List.of(
                        "runId", "runs", "spans", "failures", "interrupted", "endedBy", "connectFailureReasons"));
        Files.writeString(old.resolve("report.json"), Json.write(json));
        Path fresh = run("fresh", 2, 100, 1_000, 2, Progress.emptyHistogram(), t0 + 10_000);

        FleetOutcome merged = FleetMerge.merge(List.of(old, fresh), dir.resolve("m"), 0.01, 0.01);

        assertEquals(6.0, merged.totals().seconds(), 1e-9);
        assertThrows(
                IllegalArgumentException.class,
                () -> FleetMerge.merge(List.of(old, old), dir.resolve("m2"), 0.01, 0.01),
                "the same old report twice is the same latency log twice");
    }

    @Test
    void merge_reportsWrittenByTheOldWriter_mergeWithANewRun() throws Exception {
        Path fresh = run("fresh-beside-old", 5, 100, 2_000, 2, Progress.emptyHistogram(), 1_764_910_000_000L);

        FleetOutcome merged = FleetMerge.merge(
                List.of(FleetReportJsonTest.BEFORE_JACKSON, FleetReportJsonTest.BEFORE_RUN_IDS, fresh),
                dir.resolve("with-old"),
                0.01,
                0.1);

        assertEquals(60, merged.totals().devices());
        assertEquals(300 + 300 + 200, merged.totals().framesPersisted());
        assertEquals(1, merged.totals().reconnects(), "a report without reconnects counts 0");
        assertEquals(3.25 + 3.0 + 2.0, merged.totals().seconds(), 1e-9, "three runs an hour or more apart");
        Map<String, Object> json = Json.parseObject(Files.readString(dir.resolve("with-old/report.json")));
        assertEquals(3, ((List<?>) json.get("runs")).size(), json.toString());
        assertEquals(Map.of("closed before Welcome", 1), json.get("connectFailureReasons"));
    }

    /** Writes a run of {@code seconds} seconds with {@code perSecond} random latencies around {@code micros}. */
    private Path run(String name, long seed, int perSecond, long micros, int seconds, Histogram all) throws Exception {
        return run(name, seed, perSecond, micros, seconds, all, 1_700_000_000_000L);
    }

    private Path run(String name, long seed, int perSecond, long micros, int seconds, Histogram all, long start)
            throws Exception {
        Path run = dir.resolve(name);
        SplittableRandom random = new SplittableRandom(seed);
        try (LatencyLog log = LatencyLog.create(run.resolve(LatencyLog.FILE), name, start)) {
            for (int s = 0; s < seconds; s++) {
                Histogram h = Progress.emptyHistogram();
                for (int i = 0; i < perSecond; i++) {
                    h.recordValue(micros / 2 + random.nextLong(micros * 4));
                }
                h.setStartTimeStamp(start + s * 1000L);
                h.setEndTimeStamp(start + s * 1000L + 1000);
                all.add(h);
                log.append(h);
            }
        }
        TreeMap<Long, Histogram> secs = LatencyLog.readSeconds(List.of(run.resolve(LatencyLog.FILE)));
        FleetTotals totals =
                new FleetTotals(20, 0, 20, 10, all.getTotalCount(), all.getTotalCount(), 1000, 0, 0, 0, seconds, 0, 0);
        new FleetReport(totals, secs, 0.01, 0.01).write(run);
        return run;
    }
}
