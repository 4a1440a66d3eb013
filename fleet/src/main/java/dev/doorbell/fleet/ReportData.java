package dev.doorbell.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * Figures of a report computed from the latency logs: PERSISTED latency bands over time and the whole run's
 * histogram. From the added histograms, so a merge's are exact; never from percentiles averaged.
 */
final class ReportData {
    /** The most points a band chart gets: seconds are added into wider intervals past this. */
    static final int MAX_BANDS = 600;

    private static final double[] EDGES_PER_DECADE = {1, 2, 5};

    private ReportData() {}

    /**
     * PERSISTED latency of one interval of the run.
     *
     * @param second the interval's start, in seconds from the first interval's
     * @param seconds its length
     */
    record Band(long second, long seconds, long frames, double p50, double p90, double p99, double max) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("second", second);
            m.put("seconds", seconds);
            m.put("frames", frames);
            m.put("p50", p50);
            m.put("p90", p90);
            m.put("p99", p99);
            m.put("max", max);
            return m;
        }
    }

    /** Frames whose PERSISTED latency was above {@code fromMillis} and at most {@code toMillis}. */
    record Bucket(double fromMillis, double toMillis, long count) {
        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("fromMillis", fromMillis);
            m.put("toMillis", toMillis);
            m.put("count", count);
            return m;
        }
    }

    /** The bands of {@code seconds} (keyed by epoch second), a second each, or wider ones for a long run. */
    static List<Band> bands(TreeMap<Long, Histogram> seconds) {
        List<Band> out = new ArrayList<>();
        if (seconds.isEmpty()) {
            return out;
        }
        long first = seconds.firstKey();
        long span = seconds.lastKey() - first + 1;
        long width = (span + MAX_BANDS - 1) / MAX_BANDS;
        TreeMap<Long, Histogram> wide = new TreeMap<>();
        seconds.forEach((second, h) -> wide.computeIfAbsent((second - first) / width, k -> Progress.emptyHistogram())
                .add(h));
        wide.forEach((k, h) -> out.add(new Band(
                k * width,
                width,
                h.getTotalCount(),
                millis(h, 50),
                millis(h, 90),
                millis(h, 99),
                h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0)));
        return out;
    }

    /**
     * The histogram of {@code all} in buckets of 1-2-5 steps (0.1, 0.2, 0.5, 1, 2, 5 ms ...), from the first bucket
     * with a frame to the last; each frame in exactly one.
     */
    static List<Bucket> buckets(Histogram all) {
        List<Bucket> out = new ArrayList<>();
        if (all.getTotalCount() == 0) {
            return out;
        }
        List<Double> edges = new ArrayList<>();
        edges.add(0.0);
        double maxMillis = all.getMaxValue() / 1000.0;
        for (double decade = 0.1; edges.get(edges.size() - 1) < maxMillis; decade *= 10) {
            for (double step : EDGES_PER_DECADE) {
                edges.add(step * decade);
            }
        }
        long[] counts = new long[edges.size() - 1];
        for (HistogramIterationValue v : all.recordedValues()) {
            double ms = all.highestEquivalentValue(v.getValueIteratedTo()) / 1000.0;
            int i = 0;
            while (i < counts.length - 1 && ms > edges.get(i + 1)) {
                i++;
            }
            counts[i] += v.getCountAtValueIteratedTo();
        }
        int from = 0;
        while (counts[from] == 0) {
            from++;
        }
        int to = counts.length - 1;
        while (counts[to] == 0) {
            to--;
        }
        for (int i = from; i <= to; i++) {
            out.add(new Bucket(round(edges.get(i)), round(edges.get(i + 1)), counts[i]));
        }
        return out;
    }

    private static double round(double edge) {
        return Math.round(edge * 1e6) / 1e6;
    }

    private static double millis(Histogram h, double percentile) {
        return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
    }
}
