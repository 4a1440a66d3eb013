package dev.doorbell.device.link;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Tells a run of many devices that the uplink cannot be used at all, so that it stops within seconds with one line
 * instead of waiting out its connect timeout: no device has been welcomed, every device's latest failed attempt is
 * {@linkplain UplinkFailure.Kind#definitive() definitive} (refused, TLS trust either way, not TLS), and the first
 * failure is at least {@code grace} old (an uplink that is still starting gets that long). One Welcome, and it never
 * says so: from then on failures are the devices' own, which the run counts. Thread-safe.
 */
public final class UplinkCensus {
    private final Duration grace;
    private final LongSupplier nanoTime;
    private final Map<String, UplinkFailure> latest = new ConcurrentHashMap<>();
    private volatile boolean welcomed;
    private volatile long firstFailureNanos;
    private volatile boolean failed;

    public UplinkCensus(Duration grace, LongSupplier nanoTime) {
        this.grace = grace;
        this.nanoTime = nanoTime;
    }

    public void welcomed() {
        welcomed = true;
    }

    public void failed(String deviceId, UplinkFailure failure) {
        if (!failed) {
            synchronized (this) {
                if (!failed) {
                    firstFailureNanos = nanoTime.getAsLong();
                    failed = true;
                }
            }
        }
        latest.put(deviceId, failure);
    }

    /** The latest failure of {@code deviceId}, if it has failed. */
    public Optional<UplinkFailure> latest(String deviceId) {
        return Optional.ofNullable(latest.get(deviceId));
    }

    /** Why no device can use the uplink, as one line with how many tried for how long; empty while that is not so. */
    public Optional<UplinkFailureException> unusable() {
        return unusable(grace);
    }

    /** The same at the end of a run, whose devices had no more time: however young the first failure is. */
    public Optional<UplinkFailureException> unusableAtTheEnd() {
        return unusable(Duration.ZERO);
    }

    private Optional<UplinkFailureException> unusable(Duration minAge) {
        long age = nanoTime.getAsLong() - firstFailureNanos;
        if (welcomed || !failed || age < minAge.toNanos()) {
            return Optional.empty();
        }
        Map<UplinkFailure.Kind, Integer> counts = new EnumMap<>(UplinkFailure.Kind.class);
        Map<UplinkFailure.Kind, UplinkFailure> examples = new EnumMap<>(UplinkFailure.Kind.class);
        for (UplinkFailure f : latest.values()) {
            if (!f.kind().definitive()) {
                return Optional.empty();
            }
            counts.merge(f.kind(), 1, Integer::sum);
            examples.putIfAbsent(f.kind(), f);
        }
        UplinkFailure.Kind most = counts.entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .orElseThrow()
                .getKey();
        UplinkFailure example = examples.get(most);
        int devices = latest.size();
        return Optional.of(new UplinkFailureException(
                String.format(
                        Locale.ROOT,
                        "%s; %d device%s tried for %.1f s, " + "none was welcomed",
                        example.message(),
                        devices,
                        devices == 1 ? "" : "s",
                        age / 1e9),
                example));
    }
}
