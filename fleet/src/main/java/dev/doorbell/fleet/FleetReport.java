package dev.doorbell.fleet;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The end of a run (or of a merge): summary.txt, report.json and report.html in the report directory, all made from
 * the totals and the per-second histograms read back from the hlogs, so the report and the logs cannot disagree.
 */
final class FleetReport {
    static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99};
    private static final double[] CURVE = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999};

    private final FleetTotals totals;
    private final TreeMap<Long, Histogram> seconds;
    private final Histogram all;
    private final double maxErrorRate;
    private final double maxConnectFailureRate;
    private final FleetScenario scenario;
    private final Traffic traffic;
    private final RunRecord record;
    private final RunDetails details;

    /** A report of {@code totals} and {@code seconds} alone: its run is known by its latency log only. */
    FleetReport(
            FleetTotals totals, TreeMap<Long, Histogram> seconds, double maxErrorRate, double maxConnectFailureRate) {
        this(totals, seconds, maxErrorRate, maxConnectFailureRate, null, null, RunRecord.fromLog(seconds));
    }

    /** {@code scenario} and {@code traffic} are the run's, or null for a merge. */
    FleetReport(
            FleetTotals totals,
            TreeMap<Long, Histogram> seconds,
            double maxErrorRate,
            double maxConnectFailureRate,
            FleetScenario scenario,
            Traffic traffic,
            RunRecord record) {
        this(totals, seconds, maxErrorRate, maxConnectFailureRate, scenario, traffic, record, RunDetails.none());
    }

    /** As above, with what the report shows besides the counts and logs. */
    FleetReport(
            FleetTotals totals,
            TreeMap<Long, Histogram> seconds,
            double maxErrorRate,
            double maxConnectFailureRate,
            FleetScenario scenario,
            Traffic traffic,
            RunRecord record,
            RunDetails details) {
        this.details = details;
        this.totals = totals;
        this.seconds = seconds;
        this.all = LatencyLog.total(seconds);
        this.maxErrorRate = maxErrorRate;
        this.maxConnectFailureRate = maxConnectFailureRate;
        this.scenario = scenario;
        this.traffic = traffic;
        this.record = record;
    }

    /**
     * Why the run did not pass, the gravest first; empty when it did. A run passes only when it measured something:
     * the uplink usable at all, not one acknowledged frame lost (an uplink that forgets a PERSISTED ack fails), within
     * both limits, and something persisted.
     */
    List<String> failures() {
        List<String> why = new ArrayList<>();
        if (record.abort() != null) {
            why.add(record.abort());
        }
        if (totals.lostAcked() > 0) {
            why.add("the uplink lost " + totals.lostAcked() + " acknowledged frames");
        }
        if (totals.connectFailureRate() > maxConnectFailureRate) {
            why.add(String.format(
                    Locale.ROOT,
                    "connect failures %d of %d devices (rate %.5f) over the limit %.5f",
                    totals.connectFailures(),
                    totals.devices(),
                    totals.connectFailureRate(),
                    maxConnectFailureRate));
        }
        if (totals.errorRate() > maxErrorRate) {
            why.add(String.format(
                    Locale.ROOT,
                    "errors %d in %d frames sent (rate %.5f) over the limit %.5f",
                    totals.errors(),
                    totals.framesSent(),
                    totals.errorRate(),
                    maxErrorRate));
        }
        if (totals.framesPersisted() == 0) {
            why.add("nothing was persisted"
                    + (totals.connects() == 0
                            ? " (no device was welcomed)"
                            : totals.framesSent() == 0
                                    ? " (no clip was started: raise --clips-per-hour or --duration)"
                                    : ""));
        }
        for (Threshold.Result r : userThresholds()) {
            if (!r.passed()) {
                why.add(r.failure());
            }
        }
        return why;
    }

    /** The built-in verdict rules as thresholds, for the report's table: they decide as {@link #failures()} does. */
    List<Threshold.Result> builtInThresholds() {
        List<Threshold> rules = List.of(
                new Threshold(
                        "errors<=" + percent(maxErrorRate) + " (--max-error-rate)", "errors", "<=", maxErrorRate, true),
                new Threshold(
                        "connect-failures<=" + percent(maxConnectFailureRate) + " (--max-connect-failure-rate)",
                        "connect-failures",
                        "<=",
                        maxConnectFailureRate,
                        true),
                new Threshold("lost-acked=0", "lost-acked", "=", 0, false),
                new Threshold("persisted>0", "persisted", ">", 0, false));
        return rules.stream().map(t -> t.evaluate(this)).toList();
    }

    /** The run's {@code --threshold}s against its figures. */
    List<Threshold.Result> userThresholds() {
        return details.thresholds().stream().map(t -> t.evaluate(this)).toList();
    }

    private static String percent(double ratio) {
        return String.format(
                Locale.ROOT,
                "%s%%",
                new BigDecimal(Double.toString(ratio * 100))
                        .stripTrailingZeros()
                        .toPlainString());
    }

    FleetTotals totals() {
        return totals;
    }

    double maxMillis() {
        return all.getTotalCount() == 0 ? 0 : all.getMaxValue() / 1000.0;
    }

    RunDetails details() {
        return details;
    }

    TreeMap<Long, Histogram> seconds() {
        return seconds;
    }

    FleetScenario scenario() {
        return scenario;
    }

    double maxErrorRate() {
        return maxErrorRate;
    }

    boolean passed() {
        return failures().isEmpty();
    }

    RunRecord record() {
        return record;
    }

    Histogram latency() {
        return all;
    }

    double millis(double percentile) {
        return all.getTotalCount() == 0 ? 0 : all.getValueAtPercentile(percentile) / 1000.0;
    }

    /** Writes the three files into {@code dir} and returns the table of summary.txt. */
    String write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String table = table();
        Files.writeString(dir.resolve("summary.txt"), table, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.json"), Json.write(json()) + "\n", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("report.html"), html(table), StandardCharsets.UTF_8);
        return table;
    }

    String table() {
        StringBuilder t = new StringBuilder();
        if (record.interrupted()) {
            t.append(
                    record.endedBy() == null
                            ? "interrupted: a run ended early on a signal\n"
                            : String.format(
                                    Locale.ROOT,
                                    "interrupted by %s after %.1f s: sending stopped early, open clips got their "
                                            + "final frame and their acks were awaited%n",
                                    record.endedBy(),
                                    totals.seconds()));
        }
        t.append(String.format(
                Locale.ROOT,
                "devices %d, connects %d, connect failures %d, clips %d, %.1f s%n",
                totals.devices(),
                totals.connects(),
                totals.connectFailures(),
                totals.clips(),
                totals.seconds()));
        if (!record.connectFailureReasons().isEmpty()) {
            t.append("connect failures by reason: ").append(reasons()).append('\n');
        }
        t.append(String.format(
                Locale.ROOT,
                "frames sent %d, persisted %d, %.2f MB persisted (%.2f MB/s)%s%n",
                totals.framesSent(),
                totals.framesPersisted(),
                totals.bytesPersisted() / 1e6,
                totals.seconds() == 0 ? 0 : totals.bytesPersisted() / 1e6 / totals.seconds(),
                totals.skipped() == 0 ? "" : ", skipped " + totals.skipped()));
        t.append(String.format(
                Locale.ROOT,
                "errors %d (uplink %d, refused %d, unpersisted %d): rate %.5f, limit %.5f" + "%n",
                totals.errors(),
                totals.uplinkErrors(),
                totals.refused(),
                totals.unpersisted(),
                totals.errorRate(),
                maxErrorRate));
        t.append(String.format(
                Locale.ROOT, "reconnects %d, acknowledged frames lost %d%n", totals.reconnects(), totals.lostAcked()));
        if (traffic != null && !(traffic instanceof Traffic.PoissonClips)) {
            t.append("traffic ").append(traffic.describe()).append('\n');
        }
        if (scenario != null) {
            t.append("scenario ")
                    .append(scenario.name())
                    .append(": ")
                    .append(scenario.summary())
                    .append('\n');
        }
        t.append(String.format(
                Locale.ROOT, "PERSISTED latency, ms (%d samples, from intended send times)%n", all.getTotalCount()));
        t.append(String.format(
                Locale.ROOT, "%10s %10s %10s %10s %10s %10s%n", "p50", "p90", "p99", "p99.9", "p99.99", "max"));
        for (double p : PERCENTILES) {
            t.append(String.format(Locale.ROOT, "%10.2f ", millis(p)));
        }
        t.append(String.format(Locale.ROOT, "%10.2f%n", all.getTotalCount() == 0 ? 0 : all.getMaxValue() / 1000.0));
        List<Threshold.Result> thresholds = userThresholds();
        if (!thresholds.isEmpty()) {
            List<String> parts = new ArrayList<>();
            thresholds.forEach(r -> parts.add(r.threshold().expression() + " " + (r.passed() ? "pass" : "FAIL") + " ("
                    + r.actual().shown() + ")"));
            t.append("thresholds: ").append(String.join(", ", parts)).append('\n');
        }
        List<String> failures = failures();
        t.append(failures.isEmpty() ? "PASS" : "FAIL: " + String.join("; ", failures))
                .append(record.interrupted() ? " (interrupted: a shorter run than planned)\n" : "\n");
        return t.toString();
    }

    /** "connection refused 3, not started before the end of the run 1", most first. */
    private String reasons() {
        List<String> parts = new ArrayList<>();
        record.connectFailureReasons().entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> parts.add(e.getKey() + " " + e.getValue()));
        return String.join(", ", parts);
    }

    Map<String, Object> json() {
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("count", all.getTotalCount());
        for (double p : PERCENTILES) {
            latency.put("p" + label(p), millis(p));
        }
        latency.put("max", all.getTotalCount() == 0 ? 0.0 : all.getMaxValue() / 1000.0);
        List<Object> intervals = new ArrayList<>();
        long first = seconds.isEmpty() ? 0 : seconds.firstKey();
        seconds.forEach((second, h) -> {
            Map<String, Object> i = new LinkedHashMap<>();
            i.put("second", second - first);
            i.put("frames", h.getTotalCount());
            i.put("p99", h.getTotalCount() == 0 ? 0.0 : h.getValueAtPercentile(99) / 1000.0);
            intervals.add(i);
        });
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("runId", record.runId());
        m.put("runs", record.runs());
        List<Object> spans = new ArrayList<>();
        for (RunRecord.Span span : record.spans()) {
            Map<String, Object> sp = new LinkedHashMap<>();
            sp.put("start", span.startMillis());
            sp.put("end", span.endMillis());
            spans.add(sp);
        }
        m.put("spans", spans);
        m.put("totals", totals.toMap());
        m.put("latencyMillis", latency);
        m.put("errorRate", totals.errorRate());
        m.put("maxErrorRate", maxErrorRate);
        m.put("connectFailureRate", totals.connectFailureRate());
        m.put("maxConnectFailureRate", maxConnectFailureRate);
        m.put("passed", passed());
        m.put("failures", failures());
        m.put("interrupted", record.interrupted());
        if (record.endedBy() != null) {
            m.put("endedBy", record.endedBy());
        }
        if (record.abort() != null) {
            m.put("abort", record.abort());
        }
        m.put("connectFailureReasons", new TreeMap<>(record.connectFailureReasons()));
        if (traffic != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("model", traffic.name());
            t.put("parameters", traffic.parameters());
            m.put("traffic", t);
        }
        if (scenario != null) {
            m.put("scenario", scenario.toMap());
        }
        m.put("intervals", intervals);
        if (details.meta() != null) {
            m.put("meta", details.meta().toMap());
        }
        List<Object> thresholds = new ArrayList<>();
        builtInThresholds().forEach(r -> thresholds.add(r.toMap("built-in")));
        userThresholds().forEach(r -> thresholds.add(r.toMap("--threshold")));
        m.put("thresholds", thresholds);
        m.put("series", RunSeries.toList(details.series()));
        List<Object> bands = new ArrayList<>();
        for (ReportData.Band b : ReportData.bands(seconds)) {
            bands.add(b.toMap());
        }
        m.put("latencySeries", bands);
        List<Object> histogram = new ArrayList<>();
        for (ReportData.Bucket b : ReportData.buckets(all)) {
            histogram.add(b.toMap());
        }
        m.put("latencyHistogram", histogram);
        m.put("slowestDevices", SlowDevice.toList(details.slowest()));
        m.put("errorTable", ErrorTable.toList(details.errors()));
        return m;
    }

    String html(String table) {
        return ReportHtml.render(this, table);
    }

    static String label(double p) {
        return p == Math.rint(p) ? String.valueOf((long) p) : String.valueOf(p);
    }
}
