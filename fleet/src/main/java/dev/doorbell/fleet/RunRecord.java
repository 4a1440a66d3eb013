package dev.doorbell.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * What a report says about its run, or about the runs a merge added, besides the counts: which runs, when they ran,
 * and how they ended.
 *
 * @param runId this report's own id (a merge gets a new one)
 * @param runs the ids of the single runs this report adds up: its own id for a run; a merge refuses a run twice
 * @param spans when the runs ran (epoch ms), disjoint and in order; rates are over their total length
 * @param interrupted whether a run ended early on a signal
 * @param endedBy for a run: {@code duration}, the signal ({@code SIGINT}, {@code SIGTERM}, {@code parent}) or
 *     {@code aborted}; null for a merge
 * @param abort why no device could use the uplink (one line), or null
 * @param connectFailureReasons devices counted as connect failures, by reason
 */
record RunRecord(
        String runId,
        List<String> runs,
        List<Span> spans,
        boolean interrupted,
        String endedBy,
        String abort,
        Map<String, Long> connectFailureReasons) {

    /** From {@code startMillis} to {@code endMillis}, epoch milliseconds. */
    record Span(long startMillis, long endMillis) {
        Span {
            if (endMillis < startMillis) {
                throw new IllegalArgumentException("a span ends before it starts: " + startMillis + ".." + endMillis);
            }
        }
    }

    RunRecord {
        runs = List.copyOf(runs);
        spans = union(spans);
        connectFailureReasons = Map.copyOf(connectFailureReasons);
    }

    static String newRunId() {
        return UUID.randomUUID().toString();
    }

    /**
     * A run known only by its latency log (tests, and reports written before run ids): spans from its first interval's
     * start to its last interval's end.
     */
    static RunRecord fromLog(TreeMap<Long, Histogram> seconds) {
        String id = newRunId();
        List<Span> spans = seconds.isEmpty()
                ? List.of()
                : List.of(new Span(seconds.firstKey() * 1000, (seconds.lastKey() + 1) * 1000));
        return new RunRecord(id, List.of(id), spans, false, "duration", null, Map.of());
    }

    /** Seconds covered by the spans: the length of the runs' real timeline, overlaps counted once. */
    double seconds() {
        return spans.stream().mapToLong(s -> s.endMillis() - s.startMillis()).sum() / 1000.0;
    }

    /** The union of {@code spans}: overlapping or touching spans joined, in order of their starts. */
    static List<Span> union(List<Span> spans) {
        List<Span> sorted = new ArrayList<>(spans);
        sorted.sort(Comparator.comparingLong(Span::startMillis));
        List<Span> out = new ArrayList<>();
        for (Span s : sorted) {
            Span last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && s.startMillis() <= last.endMillis()) {
                out.set(out.size() - 1, new Span(last.startMillis(), Math.max(last.endMillis(), s.endMillis())));
            } else {
                out.add(s);
            }
        }
        return List.copyOf(out);
    }
}
