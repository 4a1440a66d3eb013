package dev.doorbell.fleet;

import dev.doorbell.device.link.UplinkCensus;
import dev.doorbell.device.link.UplinkFailure;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The counters of one fleet process, shared by every device and thread. PERSISTED latency (ack time minus the
 * frame's intended send time, in microseconds) goes to a {@link Recorder} whose interval histograms are taken once
 * a second for the progress line and the histogram log, to a second one for a scenario's own intervals, and, for the
 * frames intended in the measured window (after the warmup), to a third for the run's {@link LoadResult}.
 */
final class FleetMetrics {
    /** Longer latencies are recorded as this; a run that reaches it has failed anyway. */
    static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

    final LongAdder connecting = new LongAdder();
    final LongAdder connected = new LongAdder();
    final LongAdder connects = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder openClips = new LongAdder();
    final LongAdder clips = new LongAdder();
    final LongAdder framesSent = new LongAdder();
    final LongAdder bytesSent = new LongAdder();
    final LongAdder framesPersisted = new LongAdder();
    final LongAdder bytesPersisted = new LongAdder();
    /** Frames of a constant rate not sent because their device had too many unpersisted already. */
    final LongAdder framesSkipped = new LongAdder();

    final LongAdder refused = new LongAdder();
    final LongAdder errors = new LongAdder();
    /** Welcomes after a device's first: every reconnection, whatever caused it. */
    final LongAdder reconnects = new LongAdder();
    /** Frames acknowledged PERSISTED that the uplink no longer counted when the device reconnected. */
    final LongAdder lostAcked = new LongAdder();
    /** Frames and sealed bytes acknowledged within the measured window. */
    final LongAdder measuredFrames = new LongAdder();

    final LongAdder measuredBytes = new LongAdder();
    /** When the latest first Welcome came (nanoTime): the end of connecting. */
    final AtomicLong lastFirstWelcomeNanos = new AtomicLong();
    /** Every device's latest failed attempt before Welcome: tells a run that the uplink cannot be used at all. */
    final UplinkCensus census;
    /** Devices counted as connect failures, by reason (an {@link UplinkFailure.Kind} label or the run's own). */
    private final Map<String, LongAdder> failureReasons = new ConcurrentHashMap<>();

    private final Set<String> loggedReasons = ConcurrentHashMap.newKeySet();
    private final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
    /** The same latencies again, in the intervals a scenario takes (the storm, the churn), not once a second. */
    private final Recorder scenarioLatency = new Recorder(MAX_LATENCY_MICROS, 3);
    /** Latencies of the frames intended within the measured window. */
    private final Recorder measuredLatency = new Recorder(MAX_LATENCY_MICROS, 3);

    /** Times to Welcome (microseconds) since the last progress tick. */
    private final Recorder welcomes = new Recorder(MAX_LATENCY_MICROS, 2);
    /** What went wrong, by code, with when it was first and last seen. */
    final ErrorTable errorTable;

    /** Where PERSISTED latencies also go while {@code fleet --metrics} serves them; null otherwise. */
    private volatile FleetExporter exporter;

    private volatile long measureStartNanos = Long.MAX_VALUE;
    private volatile long measureEndNanos = Long.MAX_VALUE;

    FleetMetrics(UplinkCensus census, LongSupplier wallMillis) {
        this.census = census;
        this.errorTable = new ErrorTable(wallMillis);
    }

    /** The measured window: frames intended in it count for latency, acks arriving in it for throughput. */
    void window(long startNanos, long endNanos) {
        measureStartNanos = startNanos;
        measureEndNanos = endNanos;
    }

    void export(FleetExporter to) {
        exporter = to;
    }

    /** True the first time a connect failure {@code reason} is logged in this run: it is logged once. */
    boolean firstOfItsKind(String reason) {
        return loggedReasons.add(reason);
    }

    void connectFailed(String reason) {
        failureReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
        errorTable.add("connect: " + reason, 1);
    }

    /** A Welcome {@code nanos} after the device began connecting (or lost its connection, for a reconnect). */
    void welcomedAfter(long nanos) {
        welcomes.recordValue(Math.min(Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos)), MAX_LATENCY_MICROS));
    }

    /** The times to Welcome recorded since the last call. */
    Histogram takeWelcomes() {
        return welcomes.getIntervalHistogram();
    }

    /** Connect failures by reason. */
    Map<String, Long> connectFailureReasons() {
        Map<String, Long> counts = new TreeMap<>();
        failureReasons.forEach((reason, count) -> counts.put(reason, count.sum()));
        return counts;
    }

    /** Counts a frame acknowledged PERSISTED; returns its latency in microseconds. */
    long persisted(long intendedNanos, long ackNanos, int sealedBytes) {
        framesPersisted.increment();
        bytesPersisted.add(sealedBytes);
        long micros =
                Math.min(Math.max(0, TimeUnit.NANOSECONDS.toMicros(ackNanos - intendedNanos)), MAX_LATENCY_MICROS);
        latency.recordValue(micros);
        scenarioLatency.recordValue(micros);
        FleetExporter to = exporter;
        if (to != null) {
            to.persisted(micros);
        }
        if (ackNanos >= measureStartNanos && ackNanos < measureEndNanos) {
            measuredFrames.increment();
            measuredBytes.add(sealedBytes);
        }
        if (intendedNanos >= measureStartNanos && intendedNanos < measureEndNanos) {
            measuredLatency.recordValue(micros);
        }
        return micros;
    }

    /** The latencies recorded since the scenario last asked. */
    Histogram takeScenarioInterval() {
        return scenarioLatency.getIntervalHistogram();
    }

    /** The latencies recorded since the last call; {@code into} is recycled when not null. */
    Histogram takeInterval(Histogram into) {
        return latency.getIntervalHistogram(into);
    }

    /** The latencies of the frames intended in the measured window, recorded since the last call. */
    Histogram takeMeasured() {
        return measuredLatency.getIntervalHistogram();
    }
}
