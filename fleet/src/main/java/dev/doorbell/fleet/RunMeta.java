package dev.doorbell.fleet;

import dev.doorbell.cli.VersionProvider;
import dev.doorbell.fleet.bench.MachineInfo;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where and how a run ran, as a report shows it first: the command line, seed, uplink, doorbell version, JVM,
 * machine, shard, start and length. A merge has its own (its command line, this machine) and each input's.
 *
 * @param commandLine the command as typed, program name first; empty when not known (a run from code)
 * @param seed the run's seed, or null for a merge
 * @param uplink HOST:PORT, or null for a merge
 * @param shard {@code i/n}, or {@code merged} for a merge
 * @param version doorbell's version (from the jar's manifest, or {@code development build})
 * @param java the JVM: version, name and vendor
 * @param os the operating system and architecture
 * @param host this machine's name
 * @param cpu the CPU model (from /proc/cpuinfo)
 * @param cores processors available to the JVM
 * @param memoryBytes the machine's memory (from /proc/meminfo), 0 when unknown
 * @param maxHeapBytes the JVM's largest heap
 * @param startMillis epoch ms when the run (or the first merged one) started
 * @param seconds how long it ran (a merge: the union of its runs' spans)
 * @param inputs a merge's inputs' own, in the order named; empty for a run
 */
record RunMeta(
        List<String> commandLine,
        Long seed,
        String uplink,
        String shard,
        String version,
        String java,
        String os,
        String host,
        String cpu,
        long cores,
        long memoryBytes,
        long maxHeapBytes,
        long startMillis,
        double seconds,
        List<RunMeta> inputs) {

    RunMeta {
        commandLine = List.copyOf(commandLine);
        inputs = List.copyOf(inputs);
    }

    /** This machine and JVM, for a run of {@code plan} (or a merge, with null plan) started at {@code startMillis}. */
    static RunMeta here(
            FleetPlan plan, List<String> commandLine, long startMillis, double seconds, List<RunMeta> inputs) {
        String v = VersionProvider.class.getPackage().getImplementationVersion();
        return new RunMeta(
                commandLine,
                plan == null ? null : plan.seed(),
                plan == null ? null : plan.host() + ":" + plan.port(),
                plan == null ? "merged" : plan.shard().toString(),
                v == null ? "development build" : v,
                System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ", "
                        + System.getProperty("java.vendor") + ")",
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                        + System.getProperty("os.arch"),
                hostName(),
                MachineInfo.cpuModel(),
                Runtime.getRuntime().availableProcessors(),
                machineMemoryBytes(),
                Runtime.getRuntime().maxMemory(),
                startMillis,
                seconds,
                inputs);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    private static long machineMemoryBytes() {
        String[] parts =
                MachineInfo.firstLine(Path.of("/proc/meminfo"), "").trim().split("\\s+");
        try {
            return parts.length >= 2 ? Long.parseLong(parts[1]) * 1024 : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("commandLine", commandLine);
        m.put("seed", seed);
        m.put("uplink", uplink);
        m.put("shard", shard);
        m.put("version", version);
        m.put("java", java);
        m.put("os", os);
        m.put("host", host);
        m.put("cpu", cpu);
        m.put("cores", cores);
        m.put("memoryBytes", memoryBytes);
        m.put("maxHeapBytes", maxHeapBytes);
        m.put("start", startMillis);
        m.put("seconds", seconds);
        if (!inputs.isEmpty()) {
            List<Object> in = new ArrayList<>();
            inputs.forEach(i -> in.add(i.toMap()));
            m.put("inputs", in);
        }
        return m;
    }

    /** The {@code meta} of a report.json, or null for a report written before it. */
    static RunMeta fromReport(Map<String, Object> report) {
        return report.get("meta") instanceof Map<?, ?> m ? fromMap(m) : null;
    }

    private static RunMeta fromMap(Map<?, ?> m) {
        List<String> command = new ArrayList<>();
        if (m.get("commandLine") instanceof List<?> l) {
            l.forEach(a -> command.add(String.valueOf(a)));
        }
        List<RunMeta> inputs = new ArrayList<>();
        if (m.get("inputs") instanceof List<?> l) {
            l.forEach(i -> {
                if (i instanceof Map<?, ?> im) {
                    inputs.add(fromMap(im));
                }
            });
        }
        return new RunMeta(
                command,
                m.get("seed") instanceof Number s ? s.longValue() : null,
                text(m, "uplink"),
                text(m, "shard"),
                text(m, "version"),
                text(m, "java"),
                text(m, "os"),
                text(m, "host"),
                text(m, "cpu"),
                number(m, "cores"),
                number(m, "memoryBytes"),
                number(m, "maxHeapBytes"),
                number(m, "start"),
                m.get("seconds") instanceof Number s ? s.doubleValue() : 0,
                inputs);
    }

    private static String text(Map<?, ?> m, String key) {
        return m.get(key) == null ? null : String.valueOf(m.get(key));
    }

    private static long number(Map<?, ?> m, String key) {
        return m.get(key) instanceof Number n ? n.longValue() : 0;
    }
}
