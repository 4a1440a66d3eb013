package dev.doorbell.fleet.bench;

import dev.doorbell.device.link.LinkClient;
import dev.doorbell.fleet.LiveFleet;
import dev.doorbell.fleet.RunHook;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The capacity run's reconnect phase (issue 4 §5), its {@link RunHook#idle}: with every device held and idle, drops
 * every connection at once from the fleet side, as an uplink restart or a load balancer would, and lets each link
 * reconnect on its own backoff (no connect window: a link's first attempt comes 0 to backoffInitial after the drop,
 * so nearly every handshake is in flight at once). Full TLS handshakes again, on warm JVMs; the uplink's cache of
 * verified device certificates spares the signature check. Prints devices welcomed again per second from the drop
 * to the last welcome, CPU per reconnect on each side, and failures: handshakes that failed and were retried,
 * devices not back; with several fleet processes, each prints its own fleet side and process 0 the whole run's
 * ({@link CapacityTotals}).
 */
final class ReconnectPhase implements RunHook {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final List<Long> uplinkPids;
    private final RunBarrier barrier;
    private final String process;
    private final PrintWriter out;
    private volatile boolean allBack;

    /** One fleet process alone against the uplinks {@code uplinkPids}. */
    ReconnectPhase(List<Long> uplinkPids, PrintWriter out) {
        this(uplinkPids, RunBarrier.alone(), "process 0/1", out);
    }

    /**
     * One of the {@code barrier}'s fleet processes: they all drop at the same moment; process 0 measures the uplinks
     * ({@code uplinkPids}) around the whole phase and prints the whole run's figures.
     */
    ReconnectPhase(List<Long> uplinkPids, RunBarrier barrier, String process, PrintWriter out) {
        this.uplinkPids = List.copyOf(uplinkPids);
        this.barrier = barrier;
        this.process = process;
        this.out = out;
    }

    /** Whether the last phase got every device of this process welcomed again before its deadline. */
    boolean allBack() {
        return allBack;
    }

    @Override
    public void idle(LiveFleet live) throws InterruptedException {
        List<LinkClient> links = live.links();
        int n = links.size();
        long uplinkCpu = barrier.leader() ? ProcessCpu.sum(uplinkPids) : -1;
        barrier.await("drop", new Properties());
        long attemptsBefore = attempts(links);
        long welcomesBefore = live.welcomes();
        long fleetCpu = ProcessCpu.self();
        long dropNanos = live.nanoTime();
        for (LinkClient link : links) {
            link.dropConnection();
        }
        long target = welcomesBefore + n;
        long lastWelcome = dropNanos;
        long seen = welcomesBefore;
        while (seen < target && live.nanoTime() < live.endNanos()) {
            LockSupport.parkNanos(POLL_NANOS);
            if (Thread.interrupted()) {
                throw new InterruptedException("reconnect phase interrupted");
            }
            long now = live.welcomes();
            if (now > seen) {
                seen = now;
                lastWelcome = live.nanoTime();
            }
        }
        fleetCpu = ProcessCpu.self() - fleetCpu;
        int back = (int) Math.min(n, seen - welcomesBefore);
        allBack = back == n;
        // Each dropped link makes one attempt; any beyond that is a handshake or connect that failed and was retried.
        long retried = Math.max(0, attempts(links) - attemptsBefore - n);
        long nanos = lastWelcome - dropNanos;
        out.printf(
                Locale.ROOT,
                "%s: reconnected %d of %d devices in %.2f s: %.0f reconnects/s; fleet CPU per reconnect "
                        + "%.2f ms; %d retried attempts; %d connected now (load average %s)%n",
                process,
                back,
                n,
                nanos / 1e9,
                nanos > 0 ? back / (nanos / 1e9) : 0,
                fleetCpu / 1e6 / Math.max(1, back),
                retried,
                live.connected(),
                MachineInfo.loadAverage());
        List<Properties> all =
                barrier.await("back", new CapacityTotals.Reconnected(n, back, nanos, fleetCpu, retried).properties());
        if (barrier.leader()) {
            long uplinkCpuAfter = uplinkCpu < 0 ? -1 : ProcessCpu.sum(uplinkPids);
            CapacityTotals.Uplinks uplinks = new CapacityTotals.Uplinks(
                    uplinkPids.size(), uplinkPids.isEmpty() ? -1 : uplinkCpu, uplinkCpuAfter, -1, -1);
            CapacityTotals.reconnected(
                            all.stream().map(CapacityTotals.Reconnected::of).toList(), uplinks)
                    .forEach(out::println);
        }
        out.flush();
    }

    private static long attempts(List<LinkClient> links) {
        long total = 0;
        for (LinkClient link : links) {
            total += link.stats().reconnects();
        }
        return total;
    }
}
