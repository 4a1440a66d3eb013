package dev.doorbell.fleet.scenario;

import org.HdrHistogram.Histogram;

/** Milliseconds from histograms of microseconds, 0 when empty, for scenario summaries. */
final class Latency {
    private Latency() {}

    static double p(Histogram micros, double percentile) {
        return micros.getTotalCount() == 0 ? 0 : micros.getValueAtPercentile(percentile) / 1000.0;
    }

    static double max(Histogram micros) {
        return micros.getTotalCount() == 0 ? 0 : micros.getMaxValue() / 1000.0;
    }
}
