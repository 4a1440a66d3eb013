package dev.doorbell.fleet.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The JVM and machine a benchmark ran on, and how busy the machine was, for the report. */
public final class MachineInfo {
    private MachineInfo() {}

    static String describe() {
        return "Java " + System.getProperty("java.vm.version") + " (" + System.getProperty("java.vm.name") + ", "
                + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + cpuModel() + ", " + memory();
    }

    /** The 1, 5 and 15 minute load averages from /proc/loadavg: other work on a shared machine shows here. */
    static String loadAverage() {
        String line = firstLine(Path.of("/proc/loadavg"), "");
        String[] parts = line.split(" ");
        return parts.length >= 3 ? parts[0] + " " + parts[1] + " " + parts[2] : "unknown";
    }

    /** The CPU's model name from /proc/cpuinfo. */
    public static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
                    .filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String memory() {
        String line = firstLine(Path.of("/proc/meminfo"), "");
        String[] parts = line.trim().split("\\s+");
        if (parts.length >= 2) {
            return String.format("%.1f GiB RAM", Long.parseLong(parts[1]) / 1024.0 / 1024.0);
        }
        return "unknown RAM";
    }

    /** The first line of {@code file} (a /proc file), or {@code fallback} when it cannot be read. */
    public static String firstLine(Path file, String fallback) {
        try {
            return Files.readAllLines(file).stream().findFirst().orElse(fallback);
        } catch (IOException e) {
            return fallback;
        }
    }
}
