package dev.doorbell.fleet;

import dev.doorbell.device.link.LinkClient;
import java.util.List;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * A {@link RunHook}'s view of a running fleet: the devices' links, how many are connected, and PERSISTED latency
 * (from each frame's intended send time, as the run's report measures it) in intervals the hook chooses.
 */
public final class LiveFleet {
    private final List<LinkClient> links;
    private final FleetMetrics metrics;
    private final LongSupplier nanoTime;
    private final long startNanos;
    private final long endNanos;

    LiveFleet(List<LinkClient> links, FleetMetrics metrics, LongSupplier nanoTime, long startNanos, long endNanos) {
        this.links = List.copyOf(links);
        this.metrics = metrics;
        this.nanoTime = nanoTime;
        this.startNanos = startNanos;
        this.endNanos = endNanos;
    }

    /** One link per device, in fleet order. */
    public List<LinkClient> links() {
        return links;
    }

    public int devices() {
        return links.size();
    }

    /** Devices welcomed and not disconnected since. */
    public long connected() {
        return metrics.connected.sum();
    }

    /** Welcomes since the run began, reconnections included. */
    public long welcomes() {
        return metrics.connects.sum();
    }

    /** Frames acknowledged PERSISTED since the run began. */
    public long framesAcknowledged() {
        return metrics.framesPersisted.sum();
    }

    /**
     * PERSISTED latency in microseconds of the frames acknowledged since the previous call (or the start of the
     * run), warmup included. Only one caller should take intervals: each frame is in exactly one of them.
     */
    public Histogram takeLatency() {
        return metrics.takeScenarioInterval();
    }

    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** When this phase starts and ends (the sending time, or the idle time), on {@link #nanoTime()}'s clock. */
    public long startNanos() {
        return startNanos;
    }

    public long endNanos() {
        return endNanos;
    }
}
