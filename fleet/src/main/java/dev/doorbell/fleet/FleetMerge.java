package dev.doorbell.fleet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Adds runs up exactly: totals are summed from each run's report.json and latency histograms are added from each
 * run's latency.hlog, second by second; percentiles are computed only from the sums, never averaged. Rates are over
 * the runs' real timeline, the union of their spans (shards that ran together count their common seconds once, runs
 * one after the other add up). A merge never writes into a run it reads, and never adds a run twice (each report
 * names the runs it holds). A single run's report is made by the same code, from its own hlog.
 */
public final class FleetMerge {
    private FleetMerge() {}

    /**
     * Merges the report directories {@code runs} (each with report.json and latency.hlog) into {@code out}. An
     * IllegalArgumentException when {@code out} is one of them or inside one, or when a run would be added twice.
     */
    public static FleetOutcome merge(List<Path> runs, Path out, double maxErrorRate, double maxConnectFailureRate)
            throws IOException {
        return merge(runs, out, maxErrorRate, maxConnectFailureRate, List.of(), List.of());
    }

    /**
     * As above, with {@code thresholds} the merged run must also meet, and the merge's {@code commandLine} for its
     * report. The merged report's time series adds the inputs' second by second, its errors add up by code, its
     * slowest devices are the slowest of every input's.
     */
    public static FleetOutcome merge(
            List<Path> runs,
            Path out,
            double maxErrorRate,
            double maxConnectFailureRate,
            List<Threshold> thresholds,
            List<String> commandLine)
            throws IOException {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("nothing to merge: name at least one report directory");
        }
        Path target = ReportPaths.canonical(out);
        FleetTotals totals = null;
        List<Path> logs = new ArrayList<>();
        Map<String, Path> seen = new LinkedHashMap<>();
        List<RunRecord.Span> spans = new ArrayList<>();
        Map<String, Long> reasons = new TreeMap<>();
        boolean interrupted = false;
        List<List<RunSeries.Point>> series = new ArrayList<>();
        List<List<ErrorTable.Entry>> errors = new ArrayList<>();
        List<SlowDevice> slow = new ArrayList<>();
        List<RunMeta> metas = new ArrayList<>();
        for (Path run : runs) {
            Path dir = ReportPaths.canonical(run);
            if (target.startsWith(dir)) {
                throw new IllegalArgumentException("--report " + out + (target.equals(dir) ? " is " : " is inside ")
                        + "the report " + run
                        + " being merged: writing there would overwrite or hide that run; choose a "
                        + "directory outside every input");
            }
            Path json = run.resolve("report.json");
            Path hlog = run.resolve(LatencyLog.FILE);
            if (!Files.isRegularFile(json) || !Files.isRegularFile(hlog)) {
                throw new IOException(run + " is not a fleet report: it needs report.json and " + LatencyLog.FILE);
            }
            Map<String, Object> report = Json.parseObject(Files.readString(json));
            if (!(report.get("totals") instanceof Map<?, ?> map)) {
                throw new IOException(json + " has no totals");
            }
            for (String id : runIds(report, hlog)) {
                Path first = seen.putIfAbsent(id, run);
                if (first != null) {
                    throw new IllegalArgumentException("run " + id + " would be added twice: "
                            + (first.equals(run)
                                    ? run + " is named twice"
                                    : "it is in " + first + " and in " + run + " (a merged report holds its "
                                            + "runs)"));
                }
            }
            FleetTotals one = FleetTotals.fromMap(map);
            totals = totals == null ? one : totals.plus(one);
            spans.addAll(spans(report, hlog, one));
            if (report.get("connectFailureReasons") instanceof Map<?, ?> r) {
                r.forEach((k, v) -> reasons.merge(String.valueOf(k), ((Number) v).longValue(), Long::sum));
            }
            interrupted |= Boolean.TRUE.equals(report.get("interrupted"));
            series.add(RunSeries.fromReport(report));
            errors.add(ErrorTable.fromReport(report));
            slow.addAll(SlowDevice.fromReport(report));
            RunMeta meta = RunMeta.fromReport(report);
            if (meta != null) {
                metas.add(meta);
            }
            logs.add(hlog);
        }
        RunRecord record = new RunRecord(
                RunRecord.newRunId(), List.copyOf(seen.keySet()), spans, interrupted, null, null, reasons);
        long start = record.spans().isEmpty() ? 0 : record.spans().get(0).startMillis();
        RunDetails details = new RunDetails(
                RunMeta.here(null, commandLine, start, record.seconds(), metas),
                RunSeries.merge(series),
                ErrorTable.merge(errors),
                SlowDevice.slowest(slow),
                thresholds);
        return report(
                totals.withSeconds(record.seconds()),
                logs,
                out,
                maxErrorRate,
                maxConnectFailureRate,
                null,
                null,
                record,
                details);
    }

    /**
     * The report of {@code totals} and the histograms of {@code logs}, written to {@code out}; {@code scenario} and
     * {@code traffic} are the run's, or null for a merge (each run's report keeps its own).
     */
    static FleetOutcome report(
            FleetTotals totals,
            List<Path> logs,
            Path out,
            double maxErrorRate,
            double maxConnectFailureRate,
            FleetScenario scenario,
            Traffic traffic,
            RunRecord record,
            RunDetails details)
            throws IOException {
        TreeMap<Long, Histogram> seconds = LatencyLog.readSeconds(logs);
        Path outLog = out.resolve(LatencyLog.FILE).toAbsolutePath().normalize();
        boolean ownLog =
                logs.stream().anyMatch(l -> l.toAbsolutePath().normalize().equals(outLog));
        if (!ownLog) {
            long start = seconds.isEmpty() ? System.currentTimeMillis() : seconds.firstKey() * 1000;
            try (LatencyLog merged = LatencyLog.create(outLog, "merged", start)) {
                for (Map.Entry<Long, Histogram> e : seconds.entrySet()) {
                    Histogram h = e.getValue().copy();
                    h.setStartTimeStamp(e.getKey() * 1000);
                    h.setEndTimeStamp(e.getKey() * 1000 + 1000);
                    merged.append(h);
                }
            }
        }
        FleetReport report = new FleetReport(
                totals, seconds, maxErrorRate, maxConnectFailureRate, scenario, traffic, record, details);
        String table = report.write(out);
        return new FleetOutcome(totals, report.latency(), table, report.passed(), out, record.interrupted(), null);
    }

    /**
     * The single runs a report holds: its {@code runs}, else its {@code runId}; a report written before run ids is
     * known by its latency log's digest (no two runs write the same log: the timestamps differ).
     */
    private static List<String> runIds(Map<String, Object> report, Path hlog) throws IOException {
        if (report.get("runs") instanceof List<?> runs && !runs.isEmpty()) {
            return runs.stream().map(String::valueOf).toList();
        }
        if (report.get("runId") instanceof String id) {
            return List.of(id);
        }
        try {
            return List.of("hlog-sha256:"
                    + HexFormat.of()
                            .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(hlog))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /**
     * A report's spans; for a report written before spans, from its latency log's first interval's start to its last
     * one's end (a run's intervals cover it without gaps), or else its seconds alone.
     */
    private static List<RunRecord.Span> spans(Map<String, Object> report, Path hlog, FleetTotals totals) {
        List<RunRecord.Span> spans = new ArrayList<>();
        if (report.get("spans") instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)
                        || !(m.get("start") instanceof Number start)
                        || !(m.get("end") instanceof Number end)) {
                    throw new IllegalArgumentException(
                            hlog.resolveSibling("report.json") + ": a span needs start and end");
                }
                spans.add(new RunRecord.Span(start.longValue(), end.longValue()));
            }
            return spans;
        }
        List<Histogram> intervals = LatencyLog.read(hlog);
        if (intervals.isEmpty()) {
            return List.of(new RunRecord.Span(0, Math.round(totals.seconds() * 1000)));
        }
        return List.of(new RunRecord.Span(
                intervals.stream().mapToLong(Histogram::getStartTimeStamp).min().orElseThrow(),
                intervals.stream().mapToLong(Histogram::getEndTimeStamp).max().orElseThrow()));
    }
}
