package dev.doorbell.fleet.bench;

import java.time.Duration;

/**
 * CPU time (user + system) a process has used so far. On a machine shared with other work a rate (connects per
 * second) follows the CPU that is left over; CPU per connect does not, so the capacity run prints both.
 */
final class ProcessCpu {
    private ProcessCpu() {}

    /** Nanoseconds of CPU used by {@code pid}, or -1 where the platform does not say. */
    static long nanos(long pid) {
        return ProcessHandle.of(pid)
                .flatMap(h -> h.info().totalCpuDuration())
                .map(Duration::toNanos)
                .orElse(-1L);
    }

    /** The CPU of every pid added up; -1 if any is unknown. */
    static long sum(Iterable<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            long cpu = nanos(pid);
            if (cpu < 0) {
                return -1;
            }
            total += cpu;
        }
        return total;
    }

    static long self() {
        return nanos(ProcessHandle.current().pid());
    }
}
