package dev.doorbell.fleet.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Resident set size of a process, from {@code /proc/PID/status} (Linux); what a capacity run divides by devices. */
final class ProcessRss {
    private ProcessRss() {}

    /** VmRSS in bytes, or -1 where /proc has no such process or no VmRSS line. */
    static long bytes(long pid) {
        try {
            for (String line :
                    Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.substring(6).replace("kB", "").trim()) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** The RSS of every pid added up; -1 if any is unreadable. */
    static long sum(Iterable<Long> pids) {
        long total = 0;
        for (long pid : pids) {
            long rss = bytes(pid);
            if (rss < 0) {
                return -1;
            }
            total += rss;
        }
        return total;
    }

    static long self() {
        return bytes(ProcessHandle.current().pid());
    }
}
