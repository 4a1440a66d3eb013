package dev.doorbell.device.bench;

import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.load.LiveLoad;
import dev.doorbell.device.load.LoadHook;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The capacity run's reconnect phase (issue 4 §5): with every device held and idle, drops every connection at once
 * from the fleet side, as an uplink restart or a load balancer would, and lets each link reconnect on its own
 * backoff (no connect window: a link's first attempt comes 0 to backoffInitial after the drop, so nearly every
 * handshake is in flight at once). Full TLS handshakes again, on warm JVMs; the uplink's cache of verified device
 * certificates spares the signature check. Prints devices welcomed again per second from the drop to the last
 * welcome, CPU per reconnect on each side, and failures: handshakes that failed and were retried, devices not back.
 */
final class ReconnectPhase implements LoadHook {
  private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private final List<Long> uplinkPids;
  private final PrintWriter out;
  private volatile boolean allBack;

  ReconnectPhase(List<Long> uplinkPids, PrintWriter out) {
    this.uplinkPids = List.copyOf(uplinkPids);
    this.out = out;
  }

  /** Whether the last phase got every device welcomed again before its deadline. */
  boolean allBack() {
    return allBack;
  }

  @Override
  public void during(LiveLoad live) throws InterruptedException {
    List<LinkClient> links = live.links();
    int n = links.size();
    long attemptsBefore = attempts(links);
    long welcomesBefore = live.welcomes();
    long fleetCpu = ProcessCpu.self();
    long uplinkCpu = ProcessCpu.sum(uplinkPids);
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
    uplinkCpu = uplinkCpu < 0 ? -1 : ProcessCpu.sum(uplinkPids) - uplinkCpu;
    long back = Math.min(n, seen - welcomesBefore);
    allBack = back == n;
    // Each dropped link makes one attempt; any beyond that is a handshake or connect that failed and was retried.
    long retried = Math.max(0, attempts(links) - attemptsBefore - n);
    double seconds = (lastWelcome - dropNanos) / 1e9;
    out.printf("RESULT reconnected %d of %d devices in %.2f s: %.0f reconnects/s (no window: up to %d handshakes "
        + "in flight, each link on its own backoff; load average %s)%n", back, n, seconds,
        seconds > 0 ? back / seconds : 0, n, MachineInfo.loadAverage());
    out.printf("RESULT CPU per reconnect: fleet %.2f ms, uplink %s%n", fleetCpu / 1e6 / Math.max(1, back),
        uplinkCpu < 0 || uplinkPids.isEmpty() ? "not measured"
            : String.format("%.2f ms", uplinkCpu / 1e6 / Math.max(1, back)));
    out.printf("RESULT reconnect failures: %d retried attempts, %d devices not back, %d connected now%n", retried,
        n - back, live.connected());
  }

  private static long attempts(List<LinkClient> links) {
    long total = 0;
    for (LinkClient link : links) {
      total += link.stats().reconnects();
    }
    return total;
  }
}
