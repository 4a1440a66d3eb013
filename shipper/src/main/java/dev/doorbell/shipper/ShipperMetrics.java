package dev.doorbell.shipper;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.ops.MetricsEndpoint.Readiness;
import dev.doorbell.tier.ShippedStore;
import dev.doorbell.uplink.store.ClosedSegments;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/**
 * The shipper's metrics and readiness (docs/OPERATIONS.md, "The shipper's metrics"). The uplink's label rule holds:
 * a label's values are a fixed set the code names (an object kind, a result, a failure reason), never a device, a
 * clip, a key of the bucket or the store's instance id. What waits to be shipped is read from the store at each
 * scrape, so the lag grows on the dashboard even while a pass hangs.
 */
final class ShipperMetrics implements ShipEvents {
    /** Pass duration in seconds: a pass with nothing to put (10 ms) .. a backlog of segments (30 min). */
    private static final double[] PASS_BOUNDS = {0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800
    };

    /** The kinds of object a shipper puts, by where their keys end (docs/FORMAT.md §6, "Shipped to S3"). */
    enum ObjectKind {
        SEGMENT,
        CHECKPOINT,
        MARKER,
        LEDGER,
        REQUEST;

        static ObjectKind of(String key) {
            if (key.endsWith("/" + ShippedStore.CHECKPOINT)) {
                return CHECKPOINT;
            }
            if (key.endsWith("/" + ShippedStore.MARKER)) {
                return MARKER;
            }
            if (key.endsWith("/" + ShippedStore.RETENTION + "/" + ShippedStore.LEDGER)) {
                return LEDGER;
            }
            if (key.contains("/" + ShippedStore.RETENTION + "/" + ShippedStore.REQUESTS + "/")) {
                return REQUEST;
            }
            return SEGMENT;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why a pass failed: each is retried at the next interval. */
    enum FailureReason {
        /** No answer from the object store: connection refused or reset, timeout, DNS. */
        UNREACHABLE,
        /** No credentials found by the SDK's chain. */
        CREDENTIALS,
        /** 403: the credentials are refused, or the identity lacks a permission. */
        DENIED,
        /** 404: the bucket does not exist. */
        NOT_FOUND,
        /** 5xx: the object store failed or asks to slow down. */
        SERVER_ERROR,
        /** Any other refusal by the object store (4xx). */
        REFUSED,
        /** Reading the store failed. */
        STORE,
        /** The bucket holds other bytes under one of the store's keys (nothing is overwritten). */
        CONFLICT;

        static FailureReason of(Exception e) {
            if (e instanceof ShipConflictException) {
                return CONFLICT;
            }
            if (e instanceof AwsServiceException service) {
                int status = service.statusCode();
                return status == 403 ? DENIED : status == 404 ? NOT_FOUND : status >= 500 ? SERVER_ERROR : REFUSED;
            }
            if (e instanceof SdkClientException) {
                return String.valueOf(e.getMessage()).startsWith("Unable to load credentials")
                        ? CREDENTIALS
                        : UNREACHABLE;
            }
            return STORE;
        }

        String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What waits in the store: closed segments past the state, their bytes, the oldest one's last write. */
    record Waiting(int segments, long bytes, double oldestAgeSeconds) {}

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Path store;
    private final ShipState state;
    private final Duration notReadyAfter;
    private final Counter shippedSegments;
    private final Counter shippedBytes;
    private final Counter alreadyThere;
    private final Counter retentionSegments;
    private final Counter passes;
    private final Counter failedPasses;
    private final Histogram passSeconds;
    private final Map<ObjectKind, CounterDataPoint> putsOk = new EnumMap<>(ObjectKind.class);
    private final Map<ObjectKind, CounterDataPoint> putsFailed = new EnumMap<>(ObjectKind.class);
    private final long startedNanos = System.nanoTime();
    private volatile long progressNanos = startedNanos;
    private volatile double lastSuccessEpochSeconds;
    private volatile boolean lastPassOk;
    private volatile String lastFailure;
    private volatile String conflict;

    /**
     * @param notReadyAfter how long passes may fail (or none finish) before {@code /readyz} says 503; a conflict says
     *     it at once
     */
    ShipperMetrics(Path store, ShipState state, Duration notReadyAfter) {
        this.store = store;
        this.state = state;
        this.notReadyAfter = notReadyAfter;
        shippedSegments = Counter.builder()
                .name("doorbell_shipper_shipped_segments")
                .help("Segment objects put: closed segments shipped, and shipped ones replaced by their compacted "
                        + "bytes")
                .register(registry);
        shippedBytes = Counter.builder()
                .name("doorbell_shipper_shipped_bytes")
                .help("Bytes of the segment objects counted by doorbell_shipper_shipped_segments_total")
                .register(registry);
        alreadyThere = Counter.builder()
                .name("doorbell_shipper_segments_already_there")
                .help("Closed segments found in the bucket already (same size and CRC32C: put by a shipper killed "
                        + "before it saved its state) and not put again")
                .register(registry);
        Counter puts = Counter.builder()
                .name("doorbell_shipper_puts")
                .help("PUT requests by object (segment, checkpoint, marker, ledger, request) and result (ok, failed)")
                .labelNames("object", "result")
                .register(registry);
        retentionSegments = Counter.builder()
                .name("doorbell_shipper_retention_segments")
                .help("Shipped segments changed as the store's retention ledger says: replaced (compacted) or deleted "
                        + "(removed)")
                .labelNames("action")
                .register(registry);
        passes = Counter.builder()
                .name("doorbell_shipper_passes")
                .help("Passes over the store, by result (ok, failed); a failed pass is retried at the next interval")
                .labelNames("result")
                .register(registry);
        failedPasses = Counter.builder()
                .name("doorbell_shipper_failed_passes")
                .help("Failed passes by reason: unreachable, credentials, denied, not_found, server_error, refused, "
                        + "store, conflict")
                .labelNames("reason")
                .register(registry);
        passSeconds = Histogram.builder()
                .name("doorbell_shipper_pass_duration_seconds")
                .help("Time of each pass, finished or failed: the bucket asked, the retention files and the newly "
                        + "closed segments put")
                .classicOnly()
                .classicUpperBounds(PASS_BOUNDS)
                .withoutExemplars()
                .register(registry);
        // Every series of a fixed label set exists from the start, at 0, so that rates and alerts see its first event.
        for (ObjectKind kind : ObjectKind.values()) {
            putsOk.put(kind, puts.labelValues(kind.label(), "ok"));
            putsFailed.put(kind, puts.labelValues(kind.label(), "failed"));
        }
        for (FailureReason reason : FailureReason.values()) {
            failedPasses.labelValues(reason.label());
        }
        retentionSegments.labelValues("replaced");
        retentionSegments.labelValues("deleted");
        passes.labelValues("ok");
        passes.labelValues("failed");
        GaugeWithCallback.builder()
                .name("doorbell_shipper_waiting_segments")
                .help("Closed segments of the store not shipped yet")
                .callback(cb -> {
                    Waiting waiting = waiting();
                    if (waiting != null) {
                        cb.call(waiting.segments());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_shipper_waiting_bytes")
                .help("Bytes of the closed segments not shipped yet")
                .callback(cb -> {
                    Waiting waiting = waiting();
                    if (waiting != null) {
                        cb.call((double) waiting.bytes());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_shipper_oldest_waiting_segment_age_seconds")
                .help("Seconds since the oldest closed segment not shipped yet was last written (it closed then or "
                        + "soon after); 0 when none waits. The shipping lag to alert on")
                .callback(cb -> {
                    Waiting waiting = waiting();
                    if (waiting != null) {
                        cb.call(waiting.oldestAgeSeconds());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_shipper_last_success_timestamp_seconds")
                .help("When the last pass that finished without an error ended (Unix time); 0 before the first")
                .callback(cb -> cb.call(lastSuccessEpochSeconds))
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_shipper_conflict")
                .help("1 while the last pass ended on a conflict (the bucket holds other bytes under a key of the "
                        + "store): nothing is overwritten, and /readyz says 503")
                .callback(cb -> cb.call(conflict == null ? 0 : 1))
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_shipper_ready")
                .help("1 when /readyz answers 200")
                .callback(cb -> cb.call(readiness().ready() ? 1 : 0))
                .register(registry);
        String version = ShipperMetrics.class.getPackage().getImplementationVersion();
        Info.builder()
                .name("doorbell_shipper_build_info")
                .help("The shipper's version")
                .labelNames("version")
                .register(registry)
                .setLabelValues(version == null ? "development" : version);
    }

    PrometheusRegistry registry() {
        return registry;
    }

    @Override
    public void put(String key, long bytes) {
        ObjectKind kind = ObjectKind.of(key);
        putsOk.get(kind).inc();
        if (kind == ObjectKind.SEGMENT) {
            shippedSegments.inc();
            shippedBytes.inc(bytes);
        }
        progressNanos = System.nanoTime();
    }

    @Override
    public void putFailed(String key) {
        putsFailed.get(ObjectKind.of(key)).inc();
    }

    @Override
    public void alreadyThere() {
        alreadyThere.inc();
    }

    void passSucceeded(long nanos, Shipper.Pass pass) {
        passSeconds.observe(nanos / 1e9);
        passes.labelValues("ok").inc();
        retentionSegments.labelValues("replaced").inc(pass.compacted());
        retentionSegments.labelValues("deleted").inc(pass.removed());
        lastSuccessEpochSeconds = System.currentTimeMillis() / 1e3;
        progressNanos = System.nanoTime();
        lastFailure = null;
        conflict = null;
        lastPassOk = true;
    }

    void passFailed(long nanos, FailureReason reason, String message) {
        passSeconds.observe(nanos / 1e9);
        passes.labelValues("failed").inc();
        failedPasses.labelValues(reason.label()).inc();
        lastFailure = message;
        conflict = reason == FailureReason.CONFLICT ? message : null;
        lastPassOk = false;
    }

    /**
     * Ready while the last pass finished without an error, or, after failed passes (or before the first pass ends),
     * while the last progress (a finished pass, an object put, the start) is at most {@code notReadyAfter} old. Not
     * ready at once when the last pass found a conflict.
     */
    Readiness readiness() {
        String conflicting = conflict;
        if (conflicting != null) {
            return Readiness.notReady("conflict: " + conflicting);
        }
        if (lastPassOk) {
            return Readiness.ok();
        }
        Duration since = Duration.ofNanos(System.nanoTime() - progressNanos);
        if (since.compareTo(notReadyAfter) <= 0) {
            return Readiness.ok();
        }
        String failure = lastFailure;
        String lasted = DurationConverter.format(since.withNanos(0));
        return Readiness.notReady(
                failure == null
                        ? "no pass has finished in the " + lasted + " since the start"
                        : "passes have failed for " + lasted + ": " + failure);
    }

    /**
     * Reads the store's segment folder (every segment but the newest is closed, docs/FORMAT.md §6) and the state;
     * null when the store cannot be read, so that a scrape leaves these gauges out instead of failing.
     */
    Waiting waiting() {
        TreeMap<Long, Path> segments = new TreeMap<>();
        long shipped;
        try {
            shipped = state.shipped();
            try (DirectoryStream<Path> files = Files.newDirectoryStream(store.resolve(ClosedSegments.SEGMENTS_DIR))) {
                for (Path file : files) {
                    String name = file.getFileName().toString();
                    if (ShippedStore.isSegmentName(name)) {
                        segments.put(ShippedStore.segmentNumber(name), file);
                    }
                }
            }
        } catch (NoSuchFileException e) {
            return new Waiting(0, 0, 0);
        } catch (IOException e) {
            return null;
        }
        segments.pollLastEntry();
        long bytes = 0;
        long oldestMillis = Long.MAX_VALUE;
        int count = 0;
        for (Path file : segments.tailMap(shipped, false).values()) {
            try {
                BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                bytes += attributes.size();
                oldestMillis =
                        Math.min(oldestMillis, attributes.lastModifiedTime().toMillis());
                count++;
            } catch (IOException e) {
                // Removed by retention since the listing: it no longer waits.
            }
        }
        double age = count == 0 ? 0 : Math.max(0, (System.currentTimeMillis() - oldestMillis) / 1e3);
        return new Waiting(count, bytes, age);
    }
}
