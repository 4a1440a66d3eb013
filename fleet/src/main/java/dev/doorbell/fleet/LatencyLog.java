package dev.doorbell.fleet;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.EncodableHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogReader;
import org.HdrHistogram.HistogramLogWriter;

/**
 * latency.hlog: one interval histogram of PERSISTED latency (microseconds) per second, with absolute timestamps
 * and a tag naming the process, so that logs of several processes or machines merge exactly by adding histograms.
 */
final class LatencyLog implements AutoCloseable {
    static final String FILE = "latency.hlog";
    private static final double MICROS_PER_MILLI = 1000.0;

    private final PrintStream out;
    private final HistogramLogWriter writer;
    private final String tag;

    private LatencyLog(PrintStream out, String tag, long startMillis) {
        this.out = out;
        this.writer = new HistogramLogWriter(out);
        this.tag = tag;
        writer.outputComment("doorbell fleet PERSISTED latency in microseconds, from each frame's intended send time");
        writer.outputLogFormatVersion();
        writer.outputStartTime(startMillis);
        writer.outputLegend();
    }

    static LatencyLog create(Path file, String tag, long startMillis) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        try {
            return new LatencyLog(new PrintStream(file.toFile(), "UTF-8"), tag, startMillis);
        } catch (FileNotFoundException e) {
            throw new IOException("cannot write " + file, e);
        }
    }

    /**
     * Appends one interval; the histogram's start and end timestamps (epoch ms) place it in time. Interval_Max is
     * written in milliseconds, as every other figure of the report (HdrHistogram's default would divide microseconds by
     * a million and print seconds).
     */
    synchronized void append(Histogram interval) {
        interval.setTag(tag);
        writer.outputIntervalHistogram(
                interval.getStartTimeStamp() / 1000.0, interval.getEndTimeStamp() / 1000.0, interval, MICROS_PER_MILLI);
        out.flush();
    }

    @Override
    public synchronized void close() {
        out.close();
    }

    /** Every interval histogram in the logs, keyed by the epoch second it starts in, each second's added up. */
    static TreeMap<Long, Histogram> readSeconds(List<Path> logs) {
        TreeMap<Long, Histogram> seconds = new TreeMap<>();
        for (Path log : logs) {
            for (Histogram h : read(log)) {
                seconds.computeIfAbsent(h.getStartTimeStamp() / 1000, k -> Progress.emptyHistogram())
                        .add(h);
            }
        }
        return seconds;
    }

    /** The sum of every interval of every log. */
    static Histogram total(Map<Long, Histogram> seconds) {
        Histogram sum = Progress.emptyHistogram();
        seconds.values().forEach(sum::add);
        return sum;
    }

    static List<Histogram> read(Path log) {
        List<Histogram> out = new ArrayList<>();
        try {
            HistogramLogReader reader = new HistogramLogReader(log.toFile());
            try {
                EncodableHistogram h;
                while ((h = reader.nextIntervalHistogram()) != null) {
                    if (!(h instanceof Histogram histogram)) {
                        throw new IllegalArgumentException(
                                log + " holds a " + h.getClass().getSimpleName() + ", not integer latency histograms");
                    }
                    out.add(histogram);
                }
            } finally {
                reader.close();
            }
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
        return out;
    }
}
