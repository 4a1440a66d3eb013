package dev.doorbell.fleet;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * Once a second: takes the second's latency histogram, appends it to latency.hlog and prints one progress line (text
 * for people, ending with the scenario and its reconnect and lost-ack counts; or a JSON line with the histogram for
 * a parent process).
 */
final class ProgressTicker {
    private final FleetMetrics metrics;
    private final List<FleetDevice> devices;
    private final LatencyLog hlog;
    private final PrintWriter out;
    private final boolean json;
    private final LongSupplier nanoTime;
    private final Supplier<String> scenario;
    private final LongSupplier wallMillis;
    private final RunSeries series = new RunSeries();
    private long second;
    private long lastTickMillis;
    private long lastConnects;
    private long lastErrors;
    private long lastReconnects;
    private long lastSent;
    private long lastPersisted;
    private long lastBytes;

    ProgressTicker(
            FleetMetrics metrics,
            List<FleetDevice> devices,
            LatencyLog hlog,
            PrintWriter out,
            boolean json,
            LongSupplier nanoTime,
            Supplier<String> scenario,
            LongSupplier wallMillis) {
        this.metrics = metrics;
        this.devices = devices;
        this.hlog = hlog;
        this.out = out;
        this.json = json;
        this.nanoTime = nanoTime;
        this.scenario = scenario;
        this.wallMillis = wallMillis;
        this.lastTickMillis = wallMillis.getAsLong();
    }

    /** The run's time series so far: a point per tick. */
    RunSeries series() {
        return series;
    }

    /** Ticks at start + 1 s, + 2 s, ... and at the end, which is read as it goes (a run may be stopped early). */
    void runUntil(long start, LongSupplier endNanos) {
        for (long k = 1; ; k++) {
            long tickAt = start + k * 1_000_000_000L;
            waitUntil(() -> Math.min(tickAt, endNanos.getAsLong()), null);
            tick(k);
            if (endNanos.getAsLong() <= tickAt) {
                return;
            }
        }
    }

    /** Ticks once a second through the drain, and once more when it ends, so each hlog interval is a second or less. */
    void runWhile(CompletableFuture<?> drained, long deadlineNanos) {
        do {
            long at = Math.min(deadlineNanos, nanoTime.getAsLong() + 1_000_000_000L);
            waitUntil(() -> at, drained);
            tick(second + 1);
        } while (!drained.isDone() && nanoTime.getAsLong() < deadlineNanos);
    }

    private void waitUntil(LongSupplier at, CompletableFuture<?> orDone) {
        long wait;
        while ((wait = at.getAsLong() - nanoTime.getAsLong()) > 0 && (orDone == null || !orDone.isDone())) {
            LockSupport.parkNanos(Math.min(wait, 50_000_000L));
        }
    }

    void tick(long tickSecond) {
        second = tickSecond;
        Histogram interval = metrics.takeInterval(null);
        hlog.append(interval);
        long sent = metrics.framesSent.sum();
        long persisted = metrics.framesPersisted.sum();
        long bytes = metrics.bytesPersisted.sum();
        long buffered = 0;
        for (FleetDevice d : devices) {
            buffered += d.link().stats().bufferedBytes();
        }
        Progress p = new Progress(
                second,
                metrics.connected.sum(),
                metrics.connecting.sum(),
                metrics.failed.sum(),
                metrics.openClips.sum(),
                sent - lastSent,
                persisted - lastPersisted,
                bytes - lastBytes,
                buffered,
                interval);
        long now = wallMillis.getAsLong();
        long connects = metrics.connects.sum();
        long errors = metrics.errors.sum() + metrics.refused.sum();
        long reconnects = metrics.reconnects.sum();
        Histogram welcomes = metrics.takeWelcomes();
        series.add(new RunSeries.Point(
                lastTickMillis,
                now,
                p.connected(),
                p.connecting(),
                p.failed(),
                connects - lastConnects,
                welcomes.getTotalCount() == 0 ? 0 : welcomes.getMean() / 1000.0,
                welcomes.getTotalCount() == 0 ? 0 : welcomes.getMaxValue() / 1000.0,
                persisted - lastPersisted,
                bytes - lastBytes,
                errors - lastErrors,
                reconnects - lastReconnects));
        lastTickMillis = now;
        lastConnects = connects;
        lastErrors = errors;
        lastReconnects = reconnects;
        lastSent = sent;
        lastPersisted = persisted;
        lastBytes = bytes;
        out.println(json ? p.json() : p.text() + " | " + scenario.get());
        out.flush();
    }
}
