package dev.doorbell.uplink.metrics;

import dev.doorbell.proto.v1.DeviceMessage;
import dev.doorbell.proto.v1.ErrorCode;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.IndexUse;
import dev.doorbell.uplink.store.RetentionCounts;
import dev.doorbell.uplink.store.StoreStats;
import dev.doorbell.uplink.store.StoreUsage;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * The uplink's metrics (docs/OPERATIONS.md lists each). The label rule: a label's values come from a fixed set that
 * the code names (an error code, a message type, a reason), never from a device: no device id, clip id, address,
 * header field or key is ever a label value, so that the number of series stays bounded whatever devices send, and a
 * scrape says nothing about any one device. Per-device questions are answered by the logs (which name the device).
 *
 * <p>The counters are incremented on the event loops and the store's syncer thread; each is a striped adder, cheap
 * enough for every frame. The gauges are read when scraped.
 */
public final class UplinkMetrics {
    /** PERSISTED latency, receipt of the frame to its durability, in seconds: 0.25 ms .. 10 s. */
    private static final double[] LATENCY_BOUNDS = {
        0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };
    /** fdatasync time in seconds: 50 µs (a cache flush on NVMe) .. 5 s (a saturated disk). */
    private static final double[] FSYNC_BOUNDS = {
        0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5
    };
    /** Records made durable by one group commit: 1 (no grouping) .. 1024 (a full batch) and beyond. */
    private static final double[] COMMIT_BOUNDS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter connections;
    private final Counter handshakes;
    private final Counter handshakeFailures;
    private final Counter messages;
    private final Counter receivedBytes;
    private final Counter framesReceived;
    private final Counter framesResent;
    private final Counter readBacks;
    private final Counter framesPersisted;
    private final Counter sealedBytesPersisted;
    private final Counter clipsOpened;
    private final Counter clipsClosed;
    private final Counter errors;
    private final Counter revocations;
    private final Counter misuse;
    private final Histogram persistedLatency;
    private final Histogram commitRecords;
    private final Histogram fsyncSeconds;
    private final Map<DeviceMessage.BodyCase, CounterDataPoint> messagesByType =
            new EnumMap<>(DeviceMessage.BodyCase.class);
    private final Map<ErrorCode, CounterDataPoint> errorsByCode = new EnumMap<>(ErrorCode.class);

    /** The counters, in a registry of their own; a server adds its gauges with {@link #bind}. */
    public UplinkMetrics() {
        connections = Counter.builder()
                .name("doorbell_uplink_connections")
                .help("TCP connections accepted on the devices' port")
                .register(registry);
        handshakes = Counter.builder()
                .name("doorbell_uplink_handshakes")
                .help("Sessions established: TLS done, certificate accepted, Hello answered with Welcome")
                .register(registry);
        handshakeFailures = Counter.builder()
                .name("doorbell_uplink_handshake_failures")
                .help("Connections that ended before a session: tls (handshake failed), tls_timeout, or the Error "
                        + "code that refused the peer")
                .labelNames("reason")
                .register(registry);
        messages = Counter.builder()
                .name("doorbell_uplink_messages_received")
                .help("Messages received from devices, by type")
                .labelNames("type")
                .register(registry);
        receivedBytes = Counter.builder()
                .name("doorbell_uplink_received_bytes")
                .help("Bytes of the messages received from devices (protobuf encoded, without the length prefix)")
                .register(registry);
        framesReceived = Counter.builder()
                .name("doorbell_uplink_frames_received")
                .help("Frames acknowledged RECEIVED (new frames and identical resends)")
                .register(registry);
        framesResent = Counter.builder()
                .name("doorbell_uplink_frames_resent")
                .help("Frames received again with identical bytes (a resend after a reconnect)")
                .register(registry);
        readBacks = Counter.builder()
                .name("doorbell_uplink_store_read_backs")
                .help("Headers and frames sent again for closed clips in compact form, answered by reading the store's"
                        + " segments back; each counts against the device's error limit")
                .register(registry);
        framesPersisted = Counter.builder()
                .name("doorbell_uplink_frames_persisted")
                .help("New frames made durable and acknowledged PERSISTED")
                .register(registry);
        sealedBytesPersisted = Counter.builder()
                .name("doorbell_uplink_sealed_bytes_persisted")
                .help("Sealed bytes of the frames counted by doorbell_uplink_frames_persisted_total")
                .register(registry);
        clipsOpened = Counter.builder()
                .name("doorbell_uplink_clips_opened")
                .help("ClipOpen accepted (new clips and resumed ones)")
                .register(registry);
        clipsClosed = Counter.builder()
                .name("doorbell_uplink_clips_closed")
                .help("ClipClose accepted")
                .register(registry);
        errors = Counter.builder()
                .name("doorbell_uplink_errors")
                .help("Errors sent to devices, by code (docs/PROTOCOL.md)")
                .labelNames("code")
                .register(registry);
        revocations = Counter.builder()
                .name("doorbell_uplink_revocations")
                .help("Connections refused or closed because the certificate is revoked: at the handshake, or in a "
                        + "session when a new revocation list came into force")
                .labelNames("when")
                .register(registry);
        misuse = Counter.builder()
                .name("doorbell_uplink_misuse_flags")
                .help("Misuse of the format seen without any key, by reason (docs/OPERATIONS.md)")
                .labelNames("reason")
                .register(registry);
        persistedLatency = Histogram.builder()
                .name("doorbell_uplink_persisted_latency_seconds")
                .help("From a frame's arrival to its PERSISTED ack: the store's queue, group commit and fdatasync")
                .classicOnly()
                .classicUpperBounds(LATENCY_BOUNDS)
                .withoutExemplars()
                .register(registry);
        commitRecords = Histogram.builder()
                .name("doorbell_uplink_store_commit_records")
                .help("Records made durable by one group commit (one fdatasync and checkpoint)")
                .classicOnly()
                .classicUpperBounds(COMMIT_BOUNDS)
                .withoutExemplars()
                .register(registry);
        fsyncSeconds = Histogram.builder()
                .name("doorbell_uplink_store_fsync_seconds")
                .help("Time of each group commit's fdatasync")
                .classicOnly()
                .classicUpperBounds(FSYNC_BOUNDS)
                .withoutExemplars()
                .register(registry);
        // Every series of a fixed label set exists from the start, at 0, so that rates and alerts see its first
        // increase; the maps are filled here only and read by every thread after.
        for (DeviceMessage.BodyCase type : DeviceMessage.BodyCase.values()) {
            messagesByType.put(type, messages.labelValues(label(type.name())));
        }
        for (ErrorCode code : ErrorCode.values()) {
            if (code != ErrorCode.UNRECOGNIZED && code != ErrorCode.ERROR_CODE_UNSPECIFIED) {
                errorsByCode.put(code, errors.labelValues(label(code.name())));
            }
        }
        for (MisuseFlag flag : MisuseFlag.values()) {
            misuse.labelValues(flag.label());
        }
        for (String reason : List.of(
                "tls",
                "tls_timeout",
                label(ErrorCode.HANDSHAKE_TIMEOUT.name()),
                label(ErrorCode.NO_IDENTITY.name()),
                label(ErrorCode.CERTIFICATE_REVOKED.name()),
                label(ErrorCode.IDENTITY_MISMATCH.name()),
                label(ErrorCode.UNSUPPORTED_VERSION.name()),
                label(ErrorCode.TOO_MANY_ERRORS.name()))) {
            handshakeFailures.labelValues(reason);
        }
        revocations.labelValues("handshake");
        revocations.labelValues("session");
    }

    /**
     * Adds what a running server is read for at each scrape: {@code connected} devices with an active session,
     * {@code open} connections (some still in TLS or Hello), its readiness, and the store's state; and records the
     * store's group commits from now on. Once per server.
     */
    public void bind(ClipStore store, IntSupplier connected, IntSupplier open, BooleanSupplier ready) {
        GaugeWithCallback.builder()
                .name("doorbell_uplink_devices_connected")
                .help("Devices with an active session")
                .callback(cb -> cb.call(connected.getAsInt()))
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_devices_connecting")
                .help("Connections open without a session yet (in TLS or before Hello)")
                .callback(cb -> cb.call(Math.max(0, open.getAsInt() - connected.getAsInt())))
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_ready")
                .help("1 when /readyz answers 200: listening, the store open and taking records")
                .callback(cb -> cb.call(ready.getAsBoolean() ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_store_available")
                .help("1 while the store takes records; 0 after a failed write or fdatasync (fail-stop) or when closed")
                .callback(cb -> cb.call(store.unavailableReason() == null ? 1 : 0))
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_store_bytes")
                .help("Bytes of the store's segment files on disk")
                .callback(cb -> {
                    StoreUsage usage = store.usage();
                    if (usage != null) {
                        cb.call((double) usage.bytes());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_store_segments")
                .help("Segment files of the store")
                .callback(cb -> {
                    StoreUsage usage = store.usage();
                    if (usage != null) {
                        cb.call((double) usage.segments());
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_index_clips")
                .help("Clips the store's index holds in memory, by form: full (open, recently closed, damaged; header"
                        + " bytes and frame locations) or compact (older closed clips, a fixed-size row each)")
                .labelNames("form")
                .callback(cb -> {
                    IndexUse use = store.indexUse();
                    if (use != null) {
                        cb.call(use.fullClips(), "full");
                        cb.call(use.compactClips(), "compact");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("doorbell_uplink_index_bytes")
                .help("Heap bytes the store's index holds, by form: full estimated, compact counted from its arrays")
                .labelNames("form")
                .callback(cb -> {
                    IndexUse use = store.indexUse();
                    if (use != null) {
                        cb.call((double) use.fullBytes(), "full");
                        cb.call((double) use.compactBytes(), "compact");
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("doorbell_uplink_retention_deleted_clips")
                .help("Clips deleted by retention since the store was opened, by reason: policy (serve --retain) or "
                        + "request (an owner's request in DIR/retention/inbox/)")
                .labelNames("reason")
                .callback(cb -> {
                    RetentionCounts counts = store.retentionCounts();
                    if (counts != null) {
                        cb.call((double) counts.clipsByPolicy(), "policy");
                        cb.call((double) counts.clipsByRequest(), "request");
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("doorbell_uplink_retention_reclaimed_bytes")
                .help("Bytes of segment files that retention removed or compacted away since the store was opened")
                .callback(cb -> {
                    RetentionCounts counts = store.retentionCounts();
                    if (counts != null) {
                        cb.call((double) counts.reclaimedBytes());
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("doorbell_uplink_retention_refused_requests")
                .help("Request files in DIR/retention/inbox/ refused as malformed (renamed .refused)")
                .callback(cb -> {
                    RetentionCounts counts = store.retentionCounts();
                    if (counts != null) {
                        cb.call((double) counts.badRequests());
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("doorbell_uplink_store_records")
                .help("Records made durable since the store was opened")
                .callback(cb -> cb.call((double) store.stats().records()))
                .register(registry);
        CounterWithCallback.builder()
                .name("doorbell_uplink_store_written_bytes")
                .help("Framed bytes the store wrote since it was opened")
                .callback(cb -> cb.call((double) store.stats().bytes()))
                .register(registry);
        CounterWithCallback.builder()
                .name("doorbell_uplink_store_fsyncs")
                .help("fdatasyncs of segment data since the store was opened (each covers a group of records)")
                .callback(cb -> {
                    StoreStats stats = store.stats();
                    cb.call((double) stats.fsyncs());
                })
                .register(registry);
        String version = UplinkMetrics.class.getPackage().getImplementationVersion();
        Info.builder()
                .name("doorbell_uplink_build_info")
                .help("The uplink's version")
                .labelNames("version")
                .register(registry)
                .setLabelValues(version == null ? "development" : version);
        store.observeCommits((records, fsyncNanos) -> {
            commitRecords.observe(records);
            fsyncSeconds.observe(fsyncNanos / 1e9);
        });
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public void connectionAccepted() {
        connections.inc();
    }

    public void handshakeDone() {
        handshakes.inc();
    }

    /** {@code reason}: "tls", "tls_timeout", or an ErrorCode's name (never anything a peer sent). */
    public void handshakeFailed(String reason) {
        handshakeFailures.labelValues(reason).inc();
    }

    public void handshakeRefused(ErrorCode code) {
        handshakeFailed(label(code.name()));
    }

    public void received(DeviceMessage message) {
        messagesByType.get(message.getBodyCase()).inc();
        receivedBytes.inc((long) message.getSerializedSize());
    }

    public void frameReceived(boolean resent) {
        framesReceived.inc();
        if (resent) {
            framesResent.inc();
        }
    }

    /** A resent header or frame answered by reading the store's segments back. */
    public void readBack() {
        readBacks.inc();
    }

    public void framePersisted(int sealedBytes, long receivedNanos) {
        framesPersisted.inc();
        sealedBytesPersisted.inc(sealedBytes);
        persistedLatency.observe((System.nanoTime() - receivedNanos) / 1e9);
    }

    public void clipOpened() {
        clipsOpened.inc();
    }

    public void clipClosed() {
        clipsClosed.inc();
    }

    /** One Error sent to a device; the two conflicts are also keyless misuse flags. */
    public void errorSent(ErrorCode code, boolean inSession) {
        CounterDataPoint counted = errorsByCode.get(code);
        if (counted != null) {
            counted.inc();
        }
        if (code == ErrorCode.CLIP_CONFLICT) {
            misuseFlagged(MisuseFlag.CLIP_ID_REUSED);
        } else if (code == ErrorCode.FRAME_CONFLICT) {
            misuseFlagged(MisuseFlag.FRAME_REWRITTEN);
        } else if (code == ErrorCode.CERTIFICATE_REVOKED) {
            revocations.labelValues(inSession ? "session" : "handshake").inc();
        }
    }

    public void misuseFlagged(MisuseFlag flag) {
        misuse.labelValues(flag.label()).inc();
    }

    private static String label(String enumName) {
        return enumName.toLowerCase(Locale.ROOT);
    }
}
