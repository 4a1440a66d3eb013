package dev.doorbell.fleet;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A pass-or-fail condition on a figure of the whole run, as k6 names them: {@code p99<500ms}, {@code errors<1%},
 * {@code connect-failures=0}. A run that misses one fails (exit 1), as it does beyond the built-in limits.
 *
 * @param expression as written, for the report
 * @param metric which figure: a latency percentile or {@code max}, {@code errors}, {@code connect-failures},
 *     {@code lost-acked}, {@code persisted}, {@code reconnects}, {@code mbps}
 * @param op one of {@code <}, {@code <=}, {@code >}, {@code >=}, {@code =}
 * @param limit in the metric's unit: ms for latency, a count, a ratio (from a {@code %}) or MB/s
 * @param ratio the limit is a share ({@code errors<1%}: of frames sent; {@code connect-failures<1%}: of devices)
 */
public record Threshold(String expression, String metric, String op, double limit, boolean ratio) {
    static final List<String> METRICS = List.of(
            "p50",
            "p90",
            "p95",
            "p99",
            "p99.9",
            "p99.99",
            "max",
            "errors",
            "connect-failures",
            "lost-acked",
            "persisted",
            "reconnects",
            "mbps");

    private static final Pattern FORM = Pattern.compile(
            "\\s*([a-z][a-z0-9.\\-]*)\\s*(<=|>=|<|>|==|=)\\s*([0-9]+(?:\\.[0-9]+)?)\\s*(ms|s|us|%)?\\s*");

    /** A figure of a run, and how it is shown: {@code 612.30 ms}, {@code 0.25%}, {@code 3}. */
    record Figure(double value, String shown) {}

    /** Whether the run's figure passes, and the figure shown. */
    record Result(Threshold threshold, Figure actual, boolean passed) {
        Map<String, Object> toMap(String source) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("threshold", threshold.expression());
            m.put("source", source);
            m.put("metric", threshold.metric());
            m.put("op", threshold.op());
            m.put("limit", threshold.limit());
            m.put("ratio", threshold.ratio());
            m.put("actual", actual.value());
            m.put("actualShown", actual.shown());
            m.put("passed", passed);
            return m;
        }

        /** The line `failures` and summary.txt give a missed threshold. */
        String failure() {
            return "threshold " + threshold.expression() + " not met: " + threshold.metric() + " was " + actual.shown();
        }
    }

    /** Parses {@code text}; an IllegalArgumentException that names it and the accepted forms when it is not one. */
    public static Threshold parse(String text) {
        Matcher m = FORM.matcher(text.toLowerCase(Locale.ROOT));
        if (!m.matches() || !METRICS.contains(m.group(1))) {
            throw new IllegalArgumentException("--threshold '" + text + "' is not METRIC OP VALUE with METRIC one of "
                    + METRICS + " and OP one of < <= > >= =, e.g. p99<500ms, errors<1%, connect-failures=0");
        }
        String metric = m.group(1);
        String op = m.group(2).equals("==") ? "=" : m.group(2);
        double value = Double.parseDouble(m.group(3));
        String unit = m.group(4);
        boolean latency = metric.startsWith("p") && !metric.equals("persisted") || metric.equals("max");
        boolean ratio = "%".equals(unit);
        if (latency) {
            if (ratio) {
                throw new IllegalArgumentException("--threshold '" + text + "': a latency takes ms, s or us, not %");
            }
            value = switch (unit == null ? "ms" : unit) {
                case "s" -> value * 1000;
                case "us" -> value / 1000;
                default -> value;
            };
        } else if (unit != null && !ratio) {
            throw new IllegalArgumentException("--threshold '" + text + "': " + metric + " takes no time unit");
        } else if (ratio && !(metric.equals("errors") || metric.equals("connect-failures"))) {
            throw new IllegalArgumentException(
                    "--threshold '" + text + "': only errors and connect-failures take a %, not " + metric);
        }
        return new Threshold(text.trim(), metric, op, ratio ? value / 100 : value, ratio);
    }

    /** Whether {@code actual} passes this threshold. */
    boolean passes(double actual) {
        return switch (op) {
            case "<" -> actual < limit;
            case "<=" -> actual <= limit;
            case ">" -> actual > limit;
            case ">=" -> actual >= limit;
            default -> actual == limit;
        };
    }

    /** This threshold against the report's figures. */
    Result evaluate(FleetReport report) {
        FleetTotals t = report.totals();
        Figure actual = switch (metric) {
            case "max" -> millis(report.maxMillis());
            case "errors" -> ratio ? share(t.errorRate()) : count(t.errors());
            case "connect-failures" -> ratio ? share(t.connectFailureRate()) : count(t.connectFailures());
            case "lost-acked" -> count(t.lostAcked());
            case "persisted" -> count(t.framesPersisted());
            case "reconnects" -> count(t.reconnects());
            case "mbps" ->
                new Figure(
                        t.seconds() == 0 ? 0 : t.bytesPersisted() / 1e6 / t.seconds(),
                        String.format(
                                Locale.ROOT,
                                "%.2f MB/s",
                                t.seconds() == 0 ? 0 : t.bytesPersisted() / 1e6 / t.seconds()));
            default -> millis(report.millis(Double.parseDouble(metric.substring(1))));
        };
        return new Result(this, actual, passes(actual.value()));
    }

    private static Figure millis(double ms) {
        return new Figure(ms, String.format(Locale.ROOT, "%.2f ms", ms));
    }

    private static Figure share(double r) {
        return new Figure(r, String.format(Locale.ROOT, "%.3f%%", r * 100));
    }

    private static Figure count(long n) {
        return new Figure(n, String.valueOf(n));
    }
}
