package dev.doorbell.fleet;

import org.HdrHistogram.Histogram;

/**
 * Figures of one load run over its measured window.
 *
 * @param devices devices connected
 * @param offeredFramesPerSecond the open-loop target rate, or 0 for saturation
 * @param seconds length of the measured window
 * @param frames frames acknowledged PERSISTED within the window
 * @param sealedBytes sealed bytes of those frames
 * @param framesSent frames sent in the whole run, warmup included
 * @param framesSkipped open-loop frames not sent because their device had too many unpersisted frames
 * @param sendsRefused frames or clips the link refused (buffer full or link closed)
 * @param errors Error messages from the uplink
 * @param latencyMicros PERSISTED latency (ack time minus intended send time) of frames intended in the window
 */
public record LoadResult(
        int devices,
        double offeredFramesPerSecond,
        double seconds,
        long frames,
        long sealedBytes,
        long framesSent,
        long framesSkipped,
        long sendsRefused,
        long errors,
        Histogram latencyMicros) {

    /** Durable sealed payload in MB/s (10^6 bytes). */
    public double megabytesPerSecond() {
        return sealedBytes / seconds / 1e6;
    }

    public double framesPerSecond() {
        return frames / seconds;
    }

    /** A latency percentile (0..100) in milliseconds; 0 when nothing was recorded. */
    public double latencyMillis(double percentile) {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
    }

    public double maxLatencyMillis() {
        return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
    }

    /** True when every offered frame was sent and accepted and the uplink reported no error. */
    public boolean clean() {
        return framesSkipped == 0 && sendsRefused == 0 && errors == 0;
    }

    public String summary() {
        return String.format(
                "%d devices, %.1f s: %d frames, %.1f MB/s durable (%.0f frames/s), PERSISTED latency "
                        + "p50 %.2f ms p99 %.2f ms p99.9 %.2f ms max %.2f ms (%d samples); skipped %d, refused %d, errors %d",
                devices,
                seconds,
                frames,
                megabytesPerSecond(),
                framesPerSecond(),
                latencyMillis(50),
                latencyMillis(99),
                latencyMillis(99.9),
                maxLatencyMillis(),
                latencyMicros.getTotalCount(),
                framesSkipped,
                sendsRefused,
                errors);
    }
}
