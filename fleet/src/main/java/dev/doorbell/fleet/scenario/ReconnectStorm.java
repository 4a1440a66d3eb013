package dev.doorbell.fleet.scenario;

import dev.doorbell.device.link.LinkClient;
import dev.doorbell.fleet.LiveFleet;
import dev.doorbell.fleet.RunHook;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reconnect storm, a {@link RunHook} of the sending time: {@code after} its start, every device of the run (or a
 * seeded fraction of them) drops its connection at once (as when an uplink or a load balancer restarts), reconnects
 * with its own backoff and resumes its clips. Measures the time until every device is welcomed again and PERSISTED
 * latency before and during the storm (from the drop until all are back plus {@code settle}), so the spike is the
 * difference of the two. Use one instance per run; {@link #result()} after the run.
 */
public final class ReconnectStorm implements RunHook {
    private static final Logger log = LoggerFactory.getLogger(ReconnectStorm.class);

    private final Duration after;
    private final Duration settle;
    private final double fraction;
    private final long seed;
    private volatile StormResult result;

    /**
     * @param after time from the start of sending to the drop
     * @param settle latency after the last device is back that still counts as the storm's
     */
    public ReconnectStorm(Duration after, Duration settle) {
        this(after, settle, 1.0, 0);
    }

    /**
     * @param fraction of the devices that drop, in (0, 1]: the first of a seeded shuffle, at least one
     * @param seed picks the devices, so that a run replays with the same ones
     */
    public ReconnectStorm(Duration after, Duration settle, double fraction, long seed) {
        this.after = Objects.requireNonNull(after, "after");
        this.settle = Objects.requireNonNull(settle, "settle");
        if (after.isNegative() || settle.isNegative()) {
            throw new IllegalArgumentException(
                    "after and settle must not be negative, got " + after + " and " + settle);
        }
        if (!(fraction > 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the fraction of devices to drop must be in (0, 1], got " + fraction);
        }
        this.fraction = fraction;
        this.seed = seed;
    }

    /** When the storm comes, from the start of sending. */
    public Duration after() {
        return after;
    }

    @Override
    public void sending(LiveFleet live) throws InterruptedException {
        long dropAt = live.startNanos() + after.toNanos();
        if (!Waits.until(live, () -> live.nanoTime() >= dropAt, dropAt)) {
            return;
        }
        List<LinkClient> victims = new ArrayList<>(live.links());
        Collections.shuffle(victims, new Random(seed));
        victims = victims.subList(0, Math.max(1, (int) Math.round(fraction * victims.size())));
        Histogram before = live.takeLatency();
        long welcomesBefore = live.welcomes();
        long dropNanos = live.nanoTime();
        for (LinkClient link : victims) {
            link.dropConnection();
        }
        int dropped = victims.size();
        log.info("reconnect storm: dropped {} of {} connections", dropped, live.devices());
        long target = welcomesBefore + dropped;
        boolean allBack = Waits.until(live, () -> live.welcomes() >= target, live.endNanos());
        long backNanos = live.nanoTime();
        long settleEnd = Math.min(live.endNanos(), backNanos + settle.toNanos());
        Waits.until(live, () -> live.nanoTime() >= settleEnd, settleEnd);
        Histogram during = live.takeLatency();
        long reconnected = Math.min(dropped, live.welcomes() - welcomesBefore);
        result = new StormResult(
                dropped, reconnected, allBack ? Duration.ofNanos(backNanos - dropNanos) : null, before, during);
        log.info("reconnect storm: {}", result.summary());
    }

    /** The storm's figures, or null when the run ended before the drop. */
    public StormResult result() {
        return result;
    }

    @Override
    public String toString() {
        return "ReconnectStorm{after=" + after + ", settle=" + settle + ", fraction=" + fraction + ", seed=" + seed
                + "}";
    }
}
