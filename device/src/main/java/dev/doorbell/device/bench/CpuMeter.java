package dev.doorbell.device.bench;

import java.time.Duration;

/**
 * CPU time used by the uplink process and by this one (the load generator) since the meter was made, as a share of
 * one core over the wall time: says which side a saturated run spends the machine's cores on.
 */
final class CpuMeter {
  private final ProcessHandle uplink;
  private final long startNanos;
  private final Duration uplinkStart;
  private final Duration selfStart;

  CpuMeter(long uplinkPid) {
    this.uplink = ProcessHandle.of(uplinkPid).orElse(null);
    this.startNanos = System.nanoTime();
    this.uplinkStart = cpu(uplink);
    this.selfStart = cpu(ProcessHandle.current());
  }

  String line() {
    double wall = (System.nanoTime() - startNanos) / 1e9;
    return String.format("CPU over %.1f s (connect, run and drain): uplink %s, load generator %s, of %d cores", wall,
        share(cpu(uplink), uplinkStart, wall), share(cpu(ProcessHandle.current()), selfStart, wall),
        Runtime.getRuntime().availableProcessors());
  }

  private static String share(Duration now, Duration then, double wall) {
    if (now == null || then == null) {
      return "unknown";
    }
    return String.format("%.0f%% of a core", now.minus(then).toNanos() / 1e9 / wall * 100);
  }

  private static Duration cpu(ProcessHandle process) {
    return process == null ? null : process.info().totalCpuDuration().orElse(null);
  }
}
