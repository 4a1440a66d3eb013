package dev.doorbell.fleet;

import dev.doorbell.device.link.UplinkFailure;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A fleet run's counters as Prometheus metrics (docs/OPERATIONS.md), for {@code fleet --metrics}: read from
 * {@link FleetMetrics} at each scrape, plus a histogram of PERSISTED latency from each frame's intended send time
 * (the same figure as the report's, coarser buckets). As on the uplink, no label names a device or a clip: the only
 * label is the reason of a connect failure, from the fixed set of {@code UplinkFailure.Kind}s and the run's own.
 */
final class FleetExporter {
    /** 1 ms .. 60 s: a loaded fleet's PERSISTED latency includes queueing before the send. */
    private static final double[] LATENCY_BOUNDS = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
    };

    private final Histogram latency;

    private FleetExporter(Histogram latency) {
        this.latency = latency;
    }

    /** Registers {@code metrics}' counters in {@code registry}; {@code devices} is this process's part of the fleet. */
    static FleetExporter register(PrometheusRegistry registry, FleetMetrics metrics, int devices) {
        GaugeWithCallback.builder()
                .name("doorbell_fleet_devices")
                .help("Devices this fleet process runs")
                .callback(cb -> cb.call(devices))
                .register(registry);
        gauge(registry, "doorbell_fleet_devices_connected", "Devices connected (welcomed) now", metrics.connected);
        gauge(
                registry,
                "doorbell_fleet_devices_connecting",
                "Devices not yet welcomed for the first time nor given up",
                metrics.connecting);
        gauge(registry, "doorbell_fleet_open_clips", "Clips being sent now", metrics.openClips);
        counter(
                registry,
                "doorbell_fleet_connects",
                "Welcomes received (first connections and reconnections)",
                metrics.connects);
        counter(registry, "doorbell_fleet_reconnects", "Welcomes after a device's first", metrics.reconnects);
        counter(registry, "doorbell_fleet_clips", "Clips started", metrics.clips);
        counter(registry, "doorbell_fleet_frames_sent", "Frames sent", metrics.framesSent);
        counter(registry, "doorbell_fleet_sent_bytes", "Sealed bytes sent", metrics.bytesSent);
        counter(registry, "doorbell_fleet_frames_persisted", "Frames acknowledged PERSISTED", metrics.framesPersisted);
        counter(
                registry,
                "doorbell_fleet_persisted_bytes",
                "Sealed bytes of the frames acknowledged PERSISTED",
                metrics.bytesPersisted);
        counter(
                registry,
                "doorbell_fleet_frames_skipped",
                "Frames of a constant rate not sent: their device had too many unpersisted",
                metrics.framesSkipped);
        counter(registry, "doorbell_fleet_errors", "Errors received from the uplink", metrics.errors);
        counter(registry, "doorbell_fleet_refused_clips", "Clips cut short by a refusal", metrics.refused);
        counter(
                registry,
                "doorbell_fleet_lost_acked_frames",
                "Frames acknowledged PERSISTED that the uplink no longer had at a reconnection (must stay 0)",
                metrics.lostAcked);
        CounterWithCallback.builder()
                .name("doorbell_fleet_connect_failures")
                .help("Devices given up before their first Welcome, by reason")
                .labelNames("reason")
                .callback(cb -> {
                    // Every kind from the start, at 0, so that a rate sees the first failure; the run's own reasons
                    // (a device it gave up on) join when they happen.
                    Map<String, Long> reasons = new TreeMap<>();
                    for (UplinkFailure.Kind kind : UplinkFailure.Kind.values()) {
                        reasons.put(kind.label(), 0L);
                    }
                    reasons.putAll(metrics.connectFailureReasons());
                    reasons.forEach((reason, count) -> cb.call(count.doubleValue(), reason));
                })
                .register(registry);
        Histogram latency = Histogram.builder()
                .name("doorbell_fleet_persisted_latency_seconds")
                .help("From each frame's intended send time to its PERSISTED ack (no coordinated omission)")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .withoutExemplars()
                .register(registry);
        return new FleetExporter(latency);
    }

    void persisted(long micros) {
        latency.observe(micros / (double) TimeUnit.SECONDS.toMicros(1));
    }

    private static void gauge(PrometheusRegistry registry, String name, String help, LongAdder value) {
        GaugeWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call((double) value.sum()))
                .register(registry);
    }

    private static void counter(PrometheusRegistry registry, String name, String help, LongAdder value) {
        CounterWithCallback.builder()
                .name(name)
                .help(help)
                .callback(cb -> cb.call((double) value.sum()))
                .register(registry);
    }
}
