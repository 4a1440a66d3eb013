package dev.doorbell.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's time series, errors by code and slowest devices: bounded in memory, and added exactly by a merge (the
 * shards of one run, or workers), as the counts and histograms are.
 */
class ReportDetailsTest {
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void series_longRun_staysBoundedAndKeepsEveryCount() {
        RunSeries series = new RunSeries();
        int ticks = 10 * RunSeries.MAX_POINTS + 7;
        for (int i = 0; i < ticks; i++) {
            series.add(point(T0 + i * 1000L, 3, 1, 10, 2));
        }
        List<RunSeries.Point> points = series.points();
        assertTrue(points.size() <= RunSeries.MAX_POINTS, "bounded: " + points.size());
        assertTrue(points.size() >= RunSeries.MAX_POINTS / 4, "still a chart's worth: " + points.size());
        assertEquals(
                ticks * 10L,
                points.stream().mapToLong(RunSeries.Point::framesPersisted).sum());
        assertEquals(
                ticks * 2L, points.stream().mapToLong(RunSeries.Point::errors).sum());
        assertEquals(T0, points.get(0).startMillis());
        assertEquals(T0 + ticks * 1000L, points.get(points.size() - 1).endMillis(), "no gap, nothing lost at the end");
        assertEquals(3, points.get(points.size() - 1).connected(), "a gauge keeps its latest value");
    }

    @Test
    void merge_twoShards_addsSeriesBySecondErrorsByCodeAndKeepsTheSlowestDevices() throws Exception {
        Path a = shard(
                "a",
                List.of(point(T0, 4, 4, 100, 0), point(T0 + 1000, 4, 0, 120, 1)),
                List.of(new ErrorTable.Entry("uplink STORE_FULL", 1, T0 + 1500, T0 + 1500)),
                List.of(
                        new SlowDevice("doorbell-0001", 50, 12, 900, 0, 1),
                        new SlowDevice("doorbell-0002", 50, 5, 40, 0, 0)));
        Path b = shard(
                "b",
                List.of(point(T0 + 20, 5, 5, 80, 2), point(T0 + 1020, 5, 0, 90, 0)),
                List.of(
                        new ErrorTable.Entry("uplink STORE_FULL", 2, T0 + 1200, T0 + 1900),
                        new ErrorTable.Entry("refused", 1, T0 + 300, T0 + 300)),
                List.of(new SlowDevice("doorbell-0003", 60, 20, 1200, 1, 0)));

        FleetOutcome merged = FleetMerge.merge(
                List.of(a, b),
                dir.resolve("merged"),
                0.5,
                0.01,
                List.of(Threshold.parse("max<1s")),
                List.of("doorbell", "fleet", "merge"));
        Map<String, Object> json = Json.parseObject(Files.readString(dir.resolve("merged/report.json")));

        List<RunSeries.Point> series = RunSeries.fromReport(json);
        assertEquals(2, series.size(), "the shards' seconds, added: " + series);
        assertEquals(9, series.get(0).connected());
        assertEquals(9, series.get(0).connects());
        assertEquals(180, series.get(0).framesPersisted());
        assertEquals(210, series.get(1).framesPersisted());
        assertEquals(2, series.get(0).errors());
        assertEquals(T0, series.get(0).startMillis());

        assertEquals(
                List.of(
                        new ErrorTable.Entry("uplink STORE_FULL", 3, T0 + 1200, T0 + 1900),
                        new ErrorTable.Entry("refused", 1, T0 + 300, T0 + 300)),
                ErrorTable.fromReport(json));
        assertEquals(
                List.of("doorbell-0003", "doorbell-0001", "doorbell-0002"),
                SlowDevice.fromReport(json).stream().map(SlowDevice::deviceId).toList());

        Map<?, ?> meta = (Map<?, ?>) json.get("meta");
        assertEquals("merged", meta.get("shard"));
        assertEquals(List.of("doorbell", "fleet", "merge"), meta.get("commandLine"));
        assertEquals(
                List.of("0/2", "1/2"),
                ((List<?>) meta.get("inputs"))
                        .stream().map(m -> ((Map<?, ?>) m).get("shard")).toList());
        assertTrue(merged.passed(), merged.table());
        String html = Files.readString(dir.resolve("merged/report.html"));
        assertTrue(html.contains("<h3>Merged runs</h3>"), "the inputs are listed");
        assertTrue(html.contains("id=\"chart-connected\" data-points=\"6\""), "three series of two merged points");
    }

    @Test
    void histogram_bucketsHoldEveryFrameOnce() {
        Histogram all = Progress.emptyHistogram();
        for (long v : new long[] {150, 900, 1000, 1001, 4_900, 5_000, 120_000, 120_000}) {
            all.recordValue(v);
        }
        List<ReportData.Bucket> buckets = ReportData.buckets(all);
        assertEquals(
                all.getTotalCount(),
                buckets.stream().mapToLong(ReportData.Bucket::count).sum());
        assertEquals(0.1, buckets.get(0).fromMillis());
        assertEquals(0.2, buckets.get(0).toMillis());
        assertEquals(1, buckets.get(0).count());
        assertEquals(200, buckets.get(buckets.size() - 1).toMillis());
        assertEquals(2, buckets.get(buckets.size() - 1).count());
    }

    private static RunSeries.Point point(long start, long connected, long connects, long frames, long errors) {
        return new RunSeries.Point(
                start, start + 1000, connected, 0, 0, connects, 20, 40, frames, frames * 1000, errors, 0);
    }

    private Path shard(
            String name, List<RunSeries.Point> series, List<ErrorTable.Entry> errors, List<SlowDevice> slowest)
            throws Exception {
        Path run = dir.resolve(name);
        long start = series.get(0).startMillis();
        try (LatencyLog log = LatencyLog.create(run.resolve(LatencyLog.FILE), name, start)) {
            for (RunSeries.Point p : series) {
                Histogram h = Progress.emptyHistogram();
                for (int i = 0; i < p.framesPersisted(); i++) {
                    h.recordValue(1000 + i);
                }
                h.setStartTimeStamp(p.startMillis());
                h.setEndTimeStamp(p.endMillis());
                log.append(h);
            }
        }
        TreeMap<Long, Histogram> secs = LatencyLog.readSeconds(List.of(run.resolve(LatencyLog.FILE)));
        long frames =
                series.stream().mapToLong(RunSeries.Point::framesPersisted).sum();
        FleetTotals totals = new FleetTotals(5, 0, 5, 2, frames, frames, frames * 1000, 0, 3, 0, 2, 0, 0);
        FleetPlan plan = FleetPlan.builder("127.0.0.1", 7443, dir.resolve("fleet"), 10)
                .shard(new Shard(name.equals("a") ? 0 : 1, 2))
                .build();
        RunDetails details = new RunDetails(
                RunMeta.here(
                        plan,
                        List.of("doorbell", "fleet", "--shard", plan.shard().toString()),
                        start,
                        2,
                        List.of()),
                series,
                errors,
                slowest,
                List.of());
        new FleetReport(totals, secs, 0.5, 0.01, null, null, RunRecord.fromLog(secs), details).write(run);
        return run;
    }
}
