package dev.doorbell.fleet.scenario;

import dev.doorbell.fleet.LiveFleet;
import dev.doorbell.fleet.RunHook;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Churn, a {@link RunHook} of the sending time: from its start to its end, devices leave at {@code leavesPerSecond}
 * (exponential gaps, a Poisson process, from a seeded random: a seed replays the same devices at the same offsets)
 * by dropping their connection, and rejoin through their own backoff and resume, as phones on flaky Wi-Fi would.
 * Measures leaves, rejoins (welcomes after the first) and PERSISTED latency over the churn. {@link #result()} after
 * the run.
 */
public final class Churn implements RunHook {
    private static final Logger log = LoggerFactory.getLogger(Churn.class);

    private final double leavesPerSecond;
    private final long seed;
    private volatile ChurnResult result;

    public Churn(double leavesPerSecond, long seed) {
        if (!(leavesPerSecond > 0) || Double.isInfinite(leavesPerSecond)) {
            throw new IllegalArgumentException("leavesPerSecond must be positive and finite, got " + leavesPerSecond);
        }
        this.leavesPerSecond = leavesPerSecond;
        this.seed = seed;
    }

    @Override
    public void sending(LiveFleet live) throws InterruptedException {
        Random random = new Random(seed);
        long welcomesAtStart = live.welcomes();
        live.takeLatency();
        long leaves = 0;
        long next = live.startNanos();
        while (true) {
            next += (long) (-Math.log(1 - random.nextDouble()) / leavesPerSecond * 1e9);
            long at = next;
            if (at >= live.endNanos() || !Waits.until(live, () -> live.nanoTime() >= at, at)) {
                break;
            }
            live.links().get(random.nextInt(live.devices())).dropConnection();
            leaves++;
        }
        Waits.until(live, () -> live.nanoTime() >= live.endNanos(), live.endNanos());
        result = new ChurnResult(
                live.devices(),
                leavesPerSecond,
                leaves,
                live.welcomes() - welcomesAtStart,
                live.connected(),
                live.takeLatency());
        log.info("churn: {}", result.summary());
    }

    /** The churn's figures, or null before the run ends. */
    public ChurnResult result() {
        return result;
    }

    @Override
    public String toString() {
        return "Churn{leavesPerSecond=" + leavesPerSecond + ", seed=" + seed + "}";
    }
}
