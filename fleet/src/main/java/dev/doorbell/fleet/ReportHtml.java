package dev.doorbell.fleet;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import org.HdrHistogram.Histogram;

/**
 * report.html: one page that opens offline, as a load tester's report does (k6, Gatling): the verdict, where and how
 * the run ran, each threshold with pass or fail, time series (devices connected, connects and time to Welcome, frames
 * and MB/s persisted, errors and reconnects, PERSISTED latency bands), the latency histogram and percentile curve,
 * the slowest devices and the errors by code. Inline CSS and SVG only, no script; a Content-Security-Policy forbids
 * the page any request.
 */
final class ReportHtml {
    static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";
    private static final double[] CURVE = {0, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.995, 99.999};
    private static final String STYLE = "body{font-family:system-ui,sans-serif;margin:2em auto;max-width:800px;"
            + "color:#1f2328;padding:0 1em}h1{margin-bottom:.2em}h2{border-bottom:1px solid #d0d7de;"
            + "padding-bottom:.2em;margin-top:1.6em}h3{font-size:1em;margin:1.2em 0 .3em}"
            + "pre{background:#f6f8fa;padding:1em;overflow-x:auto}"
            + "table{border-collapse:collapse;margin:.5em 0;font-size:.92em}"
            + "td,th{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}"
            + "th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}"
            + ".verdict{display:inline-block;font-weight:bold;padding:.2em .8em;border-radius:4px;color:#fff}"
            + ".verdict.pass,tr.pass td.result{background:#1a7f37;color:#fff}"
            + ".verdict.fail,tr.fail td.result{background:#cf222e;color:#fff}"
            + "code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:13px}svg{max-width:100%;height:auto}.none{color:#656d76}";

    private ReportHtml() {}

    static String render(FleetReport report, String table) {
        RunDetails details = report.details();
        TimeAxis axis = TimeAxis.of(report);
        List<SvgCharts.Marker> markers =
                report.scenario() == null ? List.of() : report.scenario().markers();
        boolean passed = report.passed();
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"")
                .append(CSP)
                .append("\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append("<title>doorbell fleet report: ")
                .append(passed ? "PASS" : "FAIL")
                .append("</title>\n<style>")
                .append(STYLE)
                .append("</style></head><body>\n<h1>doorbell fleet report</h1>\n");
        verdict(h, report, passed);
        run(h, report, details.meta());
        thresholds(h, report);
        h.append("<section id=\"summary\"><h2>Summary</h2>\n<pre>")
                .append(SvgCharts.escape(table))
                .append("</pre></section>\n");
        connections(h, details.series(), axis);
        throughput(h, report, details.series(), axis, markers);
        latency(h, report, markers);
        slowest(h, details.slowest());
        errors(h, details, axis);
        return h.append("</body></html>\n").toString();
    }

    private static void verdict(StringBuilder h, FleetReport report, boolean passed) {
        h.append("<section id=\"verdict\"><p><span class=\"verdict ")
                .append(passed ? "pass\">PASS" : "fail\">FAIL")
                .append("</span>");
        if (report.record().interrupted()) {
            h.append(" interrupted: a shorter run than planned");
        }
        h.append("</p>\n");
        List<String> failures = report.failures();
        if (!failures.isEmpty()) {
            h.append("<ul class=\"failures\">");
            failures.forEach(f -> h.append("<li>").append(SvgCharts.escape(f)).append("</li>"));
            h.append("</ul>\n");
        }
        h.append("</section>\n");
    }

    private static void run(StringBuilder h, FleetReport report, RunMeta meta) {
        h.append("<section id=\"run\"><h2>Run</h2>\n<table class=\"meta\">\n");
        if (meta == null) {
            h.append("<tr><td class=\"none\">not recorded (a report written before run metadata)</td></tr>");
        } else {
            row(h, "command", meta.commandLine().isEmpty() ? "(from code)" : String.join(" ", meta.commandLine()));
            if (meta.seed() != null) {
                row(h, "seed", String.valueOf(meta.seed()));
            }
            if (meta.uplink() != null) {
                row(h, "uplink", meta.uplink());
            }
            row(h, "shard", meta.shard());
            row(h, "started", Instant.ofEpochMilli(meta.startMillis()).truncatedTo(ChronoUnit.MILLIS) + " (UTC)");
            row(h, "duration", String.format(Locale.ROOT, "%.1f s", meta.seconds()));
            row(h, "run id", report.record().runId());
            machine(h, meta);
        }
        h.append("</table>\n");
        if (meta != null && !meta.inputs().isEmpty()) {
            h.append("<h3>Merged runs</h3>\n<table class=\"inputs\"><tr><th>shard</th><th>host</th>"
                    + "<th>started (UTC)</th><th>s</th><th>command</th></tr>\n");
            for (RunMeta in : meta.inputs()) {
                h.append("<tr><td>")
                        .append(SvgCharts.escape(String.valueOf(in.shard())))
                        .append("</td><td>")
                        .append(SvgCharts.escape(String.valueOf(in.host())))
                        .append("</td><td>")
                        .append(Instant.ofEpochMilli(in.startMillis()))
                        .append("</td><td class=\"num\">")
                        .append(String.format(Locale.ROOT, "%.1f", in.seconds()))
                        .append("</td><td><code>")
                        .append(SvgCharts.escape(String.join(" ", in.commandLine())))
                        .append("</code></td></tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</section>\n");
    }

    private static void machine(StringBuilder h, RunMeta meta) {
        row(h, "doorbell", meta.version());
        row(h, "JVM", meta.java() + String.format(Locale.ROOT, ", max heap %.0f MiB", meta.maxHeapBytes() / 1048576.0));
        row(
                h,
                "machine",
                meta.host() + ": " + meta.cpu() + ", " + meta.cores() + " cores, "
                        + (meta.memoryBytes() == 0
                                ? "memory unknown"
                                : String.format(Locale.ROOT, "%.1f GiB RAM", meta.memoryBytes() / 1073741824.0))
                        + ", " + meta.os());
    }

    private static void row(StringBuilder h, String key, String value) {
        h.append("<tr><th>")
                .append(SvgCharts.escape(key))
                .append("</th><td>")
                .append(SvgCharts.escape(String.valueOf(value)))
                .append("</td></tr>\n");
    }

    private static void thresholds(StringBuilder h, FleetReport report) {
        h.append("<section id=\"thresholds\"><h2>Thresholds</h2>\n<table class=\"thresholds\">"
                + "<tr><th>threshold</th><th>from</th><th>actual</th><th>result</th></tr>\n");
        for (Threshold.Result r : report.builtInThresholds()) {
            threshold(h, r, "built-in");
        }
        for (Threshold.Result r : report.userThresholds()) {
            threshold(h, r, "--threshold");
        }
        if (report.record().abort() != null) {
            h.append("<tr class=\"threshold fail\" data-passed=\"false\"><td>uplink usable</td><td>built-in</td><td>")
                    .append(SvgCharts.escape(report.record().abort()))
                    .append("</td><td class=\"result\">fail</td></tr>\n");
        }
        h.append("</table></section>\n");
    }

    private static void threshold(StringBuilder h, Threshold.Result r, String source) {
        h.append("<tr class=\"threshold ")
                .append(r.passed() ? "pass" : "fail")
                .append("\" data-passed=\"")
                .append(r.passed())
                .append("\"><td><code>")
                .append(SvgCharts.escape(r.threshold().expression()))
                .append("</code></td><td>")
                .append(source)
                .append("</td><td class=\"num\">")
                .append(SvgCharts.escape(r.actual().shown()))
                .append("</td><td class=\"result\">")
                .append(r.passed() ? "pass" : "fail")
                .append("</td></tr>\n");
    }

    private static void connections(StringBuilder h, List<RunSeries.Point> series, TimeAxis axis) {
        h.append("<section id=\"connections\"><h2>Devices and connects</h2>\n");
        if (series.isEmpty()) {
            h.append("<p class=\"none\">no time series (a report written before them)</p></section>\n");
            return;
        }
        h.append("<h3>Devices connected, connecting and failed</h3>\n");
        h.append(SvgCharts.lines(
                "chart-connected",
                "devices connected",
                "seconds",
                "devices",
                List.of(
                        axis.series("connected", "#1f6feb", series, RunSeries.Point::connected),
                        axis.series("connecting", "#9a6700", series, RunSeries.Point::connecting),
                        axis.series("connect failures", "#cf222e", series, RunSeries.Point::connectFailures)),
                List.of()));
        h.append("<h3>Connects per second (Welcomes, reconnects included)</h3>\n");
        h.append(SvgCharts.lines(
                "chart-connects",
                "connects per second",
                "seconds",
                "Welcomes/s",
                List.of(axis.series("connects/s", "#1f6feb", series, p -> p.connects() / p.seconds())),
                List.of()));
        h.append("<h3>Time to Welcome: mean and max</h3>\n");
        h.append(SvgCharts.lines(
                "chart-welcome",
                "time to Welcome",
                "seconds",
                "ms",
                List.of(
                        axis.series("mean", "#1f6feb", series, RunSeries.Point::welcomeMeanMillis),
                        axis.series("max", "#cf222e", series, RunSeries.Point::welcomeMaxMillis)),
                List.of()));
        h.append("</section>\n");
    }

    private static void throughput(
            StringBuilder h,
            FleetReport report,
            List<RunSeries.Point> series,
            TimeAxis axis,
            List<SvgCharts.Marker> markers) {
        h.append("<section id=\"throughput\"><h2>Frames and MB/s persisted</h2>\n");
        List<SvgCharts.Point> frames = new ArrayList<>();
        long first = report.seconds().isEmpty() ? 0 : report.seconds().firstKey();
        report.seconds()
                .forEach((second, hist) -> frames.add(new SvgCharts.Point(second - first, hist.getTotalCount())));
        h.append("<h3>Frames persisted per second</h3>\n");
        h.append(SvgCharts.lines(
                "chart-frames",
                "frames persisted per second",
                "seconds",
                "frames/s",
                List.of(new SvgCharts.Series("frames/s", "#1f6feb", frames)),
                markers));
        if (!series.isEmpty()) {
            h.append("<h3>MB/s persisted (sealed bytes)</h3>\n");
            h.append(SvgCharts.lines(
                    "chart-mbps",
                    "MB/s persisted",
                    "seconds",
                    "MB/s",
                    List.of(axis.series("MB/s", "#1a7f37", series, p -> p.bytesPersisted() / 1e6 / p.seconds())),
                    markers));
        }
        h.append("</section>\n");
    }

    private static void latency(StringBuilder h, FleetReport report, List<SvgCharts.Marker> markers) {
        h.append("<section id=\"latency\"><h2>PERSISTED latency</h2>\n");
        List<ReportData.Band> bands = ReportData.bands(report.seconds());
        h.append("<h3>p50, p90, p99 and max over time</h3>\n");
        h.append(SvgCharts.lines(
                "chart-latency-bands",
                "PERSISTED latency over time",
                "seconds",
                "ms",
                List.of(
                        band("max", "#cf222e", bands, ReportData.Band::max),
                        band("p99", "#bc4c00", bands, ReportData.Band::p99),
                        band("p90", "#9a6700", bands, ReportData.Band::p90),
                        band("p50", "#1f6feb", bands, ReportData.Band::p50)),
                markers));
        h.append("<h3>Histogram (whole run)</h3>\n");
        List<SvgCharts.Bar> bars = new ArrayList<>();
        for (ReportData.Bucket b : ReportData.buckets(report.latency())) {
            bars.add(new SvgCharts.Bar(
                    trim(b.toMillis()), "(" + trim(b.fromMillis()) + ", " + trim(b.toMillis()) + "] ms", b.count()));
        }
        h.append(SvgCharts.bars(
                "chart-latency-histogram", "PERSISTED latency histogram", "ms (at most)", "frames", bars));
        h.append("<h3>By percentile (whole run)</h3>\n");
        Histogram all = report.latency();
        List<SvgCharts.Point> curve = new ArrayList<>();
        if (all.getTotalCount() > 0) {
            for (double p : CURVE) {
                curve.add(new SvgCharts.Point(SvgCharts.logAxis(p), all.getValueAtPercentile(p) / 1000.0));
            }
        }
        h.append(SvgCharts.percentiles("chart-latency-percentiles", "latency by percentile", curve));
        h.append("</section>\n");
    }

    private static SvgCharts.Series band(
            String name, String color, List<ReportData.Band> bands, ToDoubleFunction<ReportData.Band> y) {
        List<SvgCharts.Point> points = new ArrayList<>();
        bands.forEach(b -> points.add(new SvgCharts.Point(b.second(), y.applyAsDouble(b))));
        return new SvgCharts.Series(name, color, points);
    }

    private static void slowest(StringBuilder h, List<SlowDevice> slowest) {
        h.append("<section id=\"slowest\"><h2>Slowest devices</h2>\n");
        if (slowest.isEmpty()) {
            h.append("<p class=\"none\">none recorded</p></section>\n");
            return;
        }
        h.append("<table class=\"slowest\"><tr><th>device</th><th>frames</th><th>mean ms</th><th>max ms</th>"
                + "<th>reconnects</th><th>errors</th></tr>\n");
        for (SlowDevice d : slowest) {
            h.append(String.format(
                    Locale.ROOT,
                    "<tr class=\"device\"><td><code>%s</code></td><td class=\"num\">%d</td><td class=\"num\">%.2f</td>"
                            + "<td class=\"num\">%.2f</td><td class=\"num\">%d</td><td class=\"num\">%d</td></tr>%n",
                    SvgCharts.escape(d.deviceId()),
                    d.frames(),
                    d.meanMillis(),
                    d.maxMillis(),
                    d.reconnects(),
                    d.errors()));
        }
        h.append("</table></section>\n");
    }

    private static void errors(StringBuilder h, RunDetails details, TimeAxis axis) {
        h.append("<section id=\"errors\"><h2>Errors and reconnects</h2>\n");
        if (!details.series().isEmpty()) {
            h.append("<h3>Errors and reconnects per second</h3>\n");
            h.append(SvgCharts.lines(
                    "chart-errors",
                    "errors and reconnects per second",
                    "seconds",
                    "per second",
                    List.of(
                            axis.series("errors/s", "#cf222e", details.series(), p -> p.errors() / p.seconds()),
                            axis.series(
                                    "reconnects/s", "#9a6700", details.series(), p -> p.reconnects() / p.seconds())),
                    List.of()));
        }
        if (details.errors().isEmpty()) {
            h.append("<p class=\"none\">no errors</p></section>\n");
            return;
        }
        h.append("<table class=\"errors\"><tr><th>code</th><th>count</th><th>first seen (UTC)</th>"
                + "<th>last seen (UTC)</th></tr>\n");
        for (ErrorTable.Entry e : details.errors()) {
            h.append("<tr class=\"error\"><td><code>")
                    .append(SvgCharts.escape(e.code()))
                    .append("</code></td><td class=\"num\">")
                    .append(e.count())
                    .append("</td><td>")
                    .append(Instant.ofEpochMilli(e.firstMillis()))
                    .append("</td><td>")
                    .append(Instant.ofEpochMilli(e.lastMillis()))
                    .append("</td></tr>\n");
        }
        h.append("</table></section>\n");
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }

    /** Seconds from the run's first latency interval (as the latency charts and markers count), for the series. */
    private record TimeAxis(long originMillis) {
        static TimeAxis of(FleetReport report) {
            if (!report.seconds().isEmpty()) {
                return new TimeAxis(report.seconds().firstKey() * 1000);
            }
            List<RunSeries.Point> series = report.details().series();
            return new TimeAxis(series.isEmpty() ? 0 : series.get(0).startMillis());
        }

        SvgCharts.Series series(
                String name, String color, List<RunSeries.Point> points, ToDoubleFunction<RunSeries.Point> y) {
            List<SvgCharts.Point> out = new ArrayList<>();
            for (RunSeries.Point p : points) {
                out.add(new SvgCharts.Point((p.endMillis() - originMillis) / 1000.0, y.applyAsDouble(p)));
            }
            return new SvgCharts.Series(name, color, out);
        }
    }
}
