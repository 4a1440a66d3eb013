package dev.doorbell.fleet.bench;

import java.util.List;
import java.util.Locale;
import java.util.Properties;

/**
 * The whole-run figures of a capacity run with several fleet processes, printed once, from the totals: every fleet
 * process knows only its own devices, while the uplinks serve all of them at once, so an uplink figure divided by one
 * process's devices is too large by the number of processes. Uplink CPU and RSS are measured before the first process
 * connects and after the last one is done; fleet figures are the processes' own, added up; rates use the slowest
 * process's time, since all of them start together.
 */
final class CapacityTotals {
    private CapacityTotals() {}

    /** An uplink figure across the phase, added over the uplink processes; -1 where it could not be read. */
    record Uplinks(int processes, long cpuNanosBefore, long cpuNanosAfter, long rssBefore, long rssAfter) {
        long cpuNanos() {
            return cpuNanosBefore < 0 || cpuNanosAfter < 0 ? -1 : cpuNanosAfter - cpuNanosBefore;
        }
    }

    /** One fleet process's connect phase: devices welcomed, how long it took, its own CPU and RSS. */
    record Connected(int devices, long connectNanos, long fleetCpuNanos, long fleetRssBefore, long fleetRssAfter) {
        Properties properties() {
            return props(
                    "devices",
                    devices,
                    "connectNanos",
                    connectNanos,
                    "fleetCpuNanos",
                    fleetCpuNanos,
                    "fleetRssBefore",
                    fleetRssBefore,
                    "fleetRssAfter",
                    fleetRssAfter);
        }

        static Connected of(Properties p) {
            return new Connected(
                    (int) get(p, "devices"),
                    get(p, "connectNanos"),
                    get(p, "fleetCpuNanos"),
                    get(p, "fleetRssBefore"),
                    get(p, "fleetRssAfter"));
        }
    }

    /** One fleet process's reconnect phase: devices dropped and back, how long, its own CPU, retried attempts. */
    record Reconnected(int devices, int back, long nanos, long fleetCpuNanos, long retried) {
        Properties properties() {
            return props(
                    "devices",
                    devices,
                    "back",
                    back,
                    "nanos",
                    nanos,
                    "fleetCpuNanos",
                    fleetCpuNanos,
                    "retried",
                    retried);
        }

        static Reconnected of(Properties p) {
            return new Reconnected(
                    (int) get(p, "devices"),
                    (int) get(p, "back"),
                    get(p, "nanos"),
                    get(p, "fleetCpuNanos"),
                    get(p, "retried"));
        }
    }

    /** The connect lines of the whole run. */
    static List<String> connected(List<Connected> processes, Uplinks uplinks) {
        long devices = processes.stream().mapToLong(Connected::devices).sum();
        long slowest =
                processes.stream().mapToLong(Connected::connectNanos).max().orElse(0);
        long fleetCpu = processes.stream().mapToLong(Connected::fleetCpuNanos).sum();
        long fleetRss = processes.stream()
                .mapToLong(c -> c.fleetRssAfter() - c.fleetRssBefore())
                .sum();
        return List.of(
                format(
                        "RESULT whole run: %d devices in %d fleet process(es) connected in %.2f s: %.0f TLS connects/s",
                        devices, processes.size(), slowest / 1e9, slowest > 0 ? devices / (slowest / 1e9) : 0),
                format(
                        "RESULT CPU per connect: fleet %.2f ms, uplink %s",
                        perDevice(fleetCpu, devices) / 1e6,
                        uplinks.cpuNanos() < 0
                                ? "not measured"
                                : format("%.2f ms", perDevice(uplinks.cpuNanos(), devices) / 1e6)),
                format(
                        "RESULT RSS per held device: fleet %s, uplink %s",
                        rssPerDevice(fleetRss, devices),
                        uplinks.rssBefore() < 0 || uplinks.rssAfter() < 0
                                ? "not measured"
                                : format(
                                        "%s (%s -> %s, %d process(es))",
                                        rssPerDevice(uplinks.rssAfter() - uplinks.rssBefore(), devices),
                                        mib(uplinks.rssBefore()),
                                        mib(uplinks.rssAfter()),
                                        uplinks.processes())));
    }

    /**
     * RSS grown per device, or, when the RSS fell while the devices connected (the collector returned more than they
     * took, as it can with a few hundred devices), a statement that the devices' cost is under that noise: a negative
     * figure per device would be no measurement at all.
     */
    static String rssPerDevice(long rssDelta, long devices) {
        if (rssDelta < 0) {
            return format("under the noise (RSS fell by %.1f MiB)", -rssDelta / (1024.0 * 1024));
        }
        return format("%.1f KiB", perDevice(rssDelta, devices) / 1024);
    }

    /** The reconnect lines of the whole run. */
    static List<String> reconnected(List<Reconnected> processes, Uplinks uplinks) {
        long devices = processes.stream().mapToLong(Reconnected::devices).sum();
        long back = processes.stream().mapToLong(Reconnected::back).sum();
        long slowest = processes.stream().mapToLong(Reconnected::nanos).max().orElse(0);
        long fleetCpu = processes.stream().mapToLong(Reconnected::fleetCpuNanos).sum();
        long retried = processes.stream().mapToLong(Reconnected::retried).sum();
        return List.of(
                format(
                        "RESULT whole run: reconnected %d of %d devices in %.2f s: %.0f reconnects/s (all dropped at once, "
                                + "each link on its own backoff)",
                        back, devices, slowest / 1e9, slowest > 0 ? back / (slowest / 1e9) : 0),
                format(
                        "RESULT CPU per reconnect: fleet %.2f ms, uplink %s",
                        perDevice(fleetCpu, back) / 1e6,
                        uplinks.cpuNanos() < 0
                                ? "not measured"
                                : format("%.2f ms", perDevice(uplinks.cpuNanos(), back) / 1e6)),
                format("RESULT reconnect failures: %d retried attempts, %d devices not back", retried, devices - back));
    }

    private static double perDevice(long total, long devices) {
        return devices == 0 ? 0 : (double) total / devices;
    }

    static String mib(long bytes) {
        return bytes < 0 ? "?" : format("%.0f MiB", bytes / 1048576.0);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }

    private static Properties props(Object... keysAndValues) {
        Properties p = new Properties();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            p.setProperty((String) keysAndValues[i], String.valueOf(keysAndValues[i + 1]));
        }
        return p;
    }

    private static long get(Properties p, String key) {
        String value = p.getProperty(key);
        if (value == null) {
            throw new IllegalStateException("capacity run: a process's figures lack '" + key + "'");
        }
        return Long.parseLong(value);
    }
}
