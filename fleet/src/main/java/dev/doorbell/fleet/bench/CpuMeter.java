package dev.doorbell.fleet.bench;

/**
 * CPU time used by the uplink process and by this one (the load generator) since the meter was made, as a share of
 * one core over the wall time: says which side a saturated run spends the machine's cores on.
 */
final class CpuMeter {
    private final long uplinkPid;
    private final long startNanos;
    private final long uplinkStart;
    private final long selfStart;

    CpuMeter(long uplinkPid) {
        this.uplinkPid = uplinkPid;
        this.startNanos = System.nanoTime();
        this.uplinkStart = ProcessCpu.nanos(uplinkPid);
        this.selfStart = ProcessCpu.self();
    }

    String line() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        return String.format(
                "CPU over %.1f s (connect, run and drain): uplink %s, load generator %s, of %d cores",
                wall,
                share(ProcessCpu.nanos(uplinkPid), uplinkStart, wall),
                share(ProcessCpu.self(), selfStart, wall),
                Runtime.getRuntime().availableProcessors());
    }

    private static String share(long now, long then, double wall) {
        if (now < 0 || then < 0) {
            return "unknown";
        }
        return String.format("%.0f%% of a core", (now - then) / 1e9 / wall * 100);
    }
}
