package dev.doorbell.fleet.bench.jmh;

import dev.doorbell.fleet.bench.MachineInfo;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link SealBenchmark} (seal and raw AES-256-GCM, 16 and 64 KiB) through the JMH API and prints MB/s for
 * each and the ratio seal/raw per size against the 85% goal; then {@link ClipCostBenchmark}, the per-clip cost of
 * format v2 (sealing a clip's header for 1, 4 and 16 recipients of X25519 and of X-Wing, opening one), with the
 * header bytes and the ratio X-Wing / X25519 per recipient count, which has no goal. The two benchmarks run in alternating rounds (raw then
 * seal, then seal then raw, ...), one fork each, so that load from other processes on a shared machine falls on
 * both sides alike. Exit status 1 when a size misses the goal.
 * Usage: {@code SealBenchRunner [--quick] [--rounds N]}; {@code scripts/bench-seal} builds the classpath and runs it.
 */
public final class SealBenchRunner {
    static final String SEAL = "seal";
    static final String RAW = "rawJca";

    private SealBenchRunner() {}

    public static void main(String[] args) throws RunnerException {
        List<String> list = List.of(args);
        boolean quick = list.contains("--quick");
        int at = list.indexOf("--rounds");
        int rounds = at >= 0 && at + 1 < args.length ? Integer.parseInt(args[at + 1]) : quick ? 1 : 3;
        System.out.println("JVM: " + jvm());
        System.out.println("machine: " + machine());
        List<SealBenchResult> results = run(rounds, method -> options(method, quick, 1));
        System.out.println();
        System.out.println("machine after: load average " + MachineInfo.firstLine(Path.of("/proc/loadavg"), "unknown"));
        System.out.println(rounds + " round(s) of each benchmark; MB/s = 10^6 plaintext bytes per second");
        System.out.println(SealBenchResult.heading());
        results.forEach(r -> System.out.println(r.row()));
        boolean ok = !results.isEmpty() && results.stream().allMatch(SealBenchResult::meetsGoal);
        System.out.println(ok ? "seal/raw >= 85% for every size" : "seal/raw is below 85% for some size");
        System.out.println();
        List<ClipCostResult> clipCosts = runClipCost(rounds, method -> clipCostOptions(method, quick, 1));
        System.out.println("per clip, format v2 (no frames; the frames cost what the table above says):");
        System.out.println(ClipCostResult.heading());
        clipCosts.forEach(r -> System.out.println(r.row()));
        System.out.println("X-Wing (hybrid post-quantum) against X25519, measured in this run:");
        kemRatios(clipCosts).forEach(System.out::println);
        System.exit(ok ? 0 : 1);
    }

    /**
     * One line per recipient count: the header bytes of each kem and the per-clip cost (start + open, best of the
     * rounds) of each, with the ratio X-Wing / X25519 of both.
     */
    static List<String> kemRatios(List<ClipCostResult> results) {
        Map<String, ClipCostResult> byKey = new HashMap<>();
        Set<Integer> counts = new TreeSet<>();
        for (ClipCostResult r : results) {
            byKey.put(r.method() + " " + r.kem() + " " + r.recipients(), r);
            counts.add(r.recipients());
        }
        List<String> lines = new ArrayList<>();
        for (int n : counts) {
            ClipCostResult classicStart = byKey.get(ClipCostResult.START + " x25519 " + n);
            ClipCostResult classicOpen = byKey.get(ClipCostResult.OPEN + " x25519 " + n);
            ClipCostResult pqStart = byKey.get(ClipCostResult.START + " x-wing " + n);
            ClipCostResult pqOpen = byKey.get(ClipCostResult.OPEN + " x-wing " + n);
            if (classicStart == null || classicOpen == null || pqStart == null || pqOpen == null) {
                continue;
            }
            double classic = classicStart.bestMicros() + classicOpen.bestMicros();
            double pq = pqStart.bestMicros() + pqOpen.bestMicros();
            lines.add(String.format(
                    "%2d recipients: header %,d B (x25519) vs %,d B (x-wing), %.1fx; start + open %.1f us vs %.1f us,"
                            + " x-wing/x25519 = %.2f",
                    n,
                    classicStart.headerBytes(),
                    pqStart.headerBytes(),
                    (double) pqStart.headerBytes() / classicStart.headerBytes(),
                    classic,
                    pq,
                    pq / classic));
        }
        return lines;
    }

    /** {@link ClipCostBenchmark}'s options: the same warmup as the seal path, which its JIT needs as much. */
    static ChainedOptionsBuilder clipCostOptions(String method, boolean quick, int forks) {
        return options(ClipCostBenchmark.class, method, quick, forks);
    }

    /**
     * {@code rounds} rounds of {@link ClipCostBenchmark}'s start and open, for 1, 4 and 16 recipients of each kem;
     * rows in the order start then open, x25519 then x-wing, then by recipients.
     */
    static List<ClipCostResult> runClipCost(int rounds, Function<String, ChainedOptionsBuilder> options)
            throws RunnerException {
        Map<String, Map<String, Map<Integer, List<Double>>>> scores = new TreeMap<>(Comparator.reverseOrder());
        for (int round = 0; round < rounds; round++) {
            for (String method : List.of(ClipCostResult.START, ClipCostResult.OPEN)) {
                for (RunResult run : new Runner(options.apply(method).build()).run()) {
                    int recipients = Integer.parseInt(run.getParams().getParam("recipients"));
                    String kem = run.getParams().getParam("kem");
                    scores.computeIfAbsent(method, k -> new TreeMap<>(Comparator.reverseOrder()))
                            .computeIfAbsent(kem, k -> new TreeMap<>())
                            .computeIfAbsent(recipients, k -> new ArrayList<>())
                            .add(run.getPrimaryResult().getScore());
                }
            }
        }
        List<ClipCostResult> results = new ArrayList<>();
        scores.forEach((method, byKem) -> byKem.forEach((kem, byRecipients) ->
                byRecipients.forEach((recipients, micros) -> results.add(ClipCostResult.fromMicros(
                        method, kem, recipients, ClipCostBenchmark.headerBytes(kem, recipients), toArray(micros))))));
        return results;
    }

    /**
     * One benchmark method, both sizes. Quick (a smoke run, not a measurement to quote): 3 × 1 s warmup, 1 × 1 s
     * measured; full: 8 × 1 s and 3 × 1 s.
     *
     * <p>{@code -Xbatch} makes the benchmark thread wait for each JIT compilation instead of running on in the
     * interpreter: on a 2-core machine shared with other builds the compiler thread is starved, and the 64 KiB path
     * (a few thousand calls per second) then stayed near 600 ops/s for 3 s of warmup before it jumped to 40,000 and
     * more, hence the long warmup. Steady-state code is the same either way; only the warmup gets shorter.
     */
    static ChainedOptionsBuilder options(String method, boolean quick, int forks) {
        return options(SealBenchmark.class, method, quick, forks);
    }

    private static ChainedOptionsBuilder options(Class<?> benchmark, String method, boolean quick, int forks) {
        return new OptionsBuilder()
                .include(benchmark.getName() + "\\." + method + "$")
                .forks(forks)
                .threads(1)
                .warmupIterations(quick ? 3 : 8)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 1 : 3)
                .measurementTime(TimeValue.seconds(1))
                .jvmArgsAppend("-Xms512m", "-Xmx512m", "-Xbatch");
    }

    /** Runs {@code rounds} alternating rounds of raw and seal and pairs their scores by frame size. */
    static List<SealBenchResult> run(int rounds, Function<String, ChainedOptionsBuilder> options)
            throws RunnerException {
        Map<String, Map<Integer, List<Double>>> scores = new HashMap<>();
        for (int round = 0; round < rounds; round++) {
            List<String> order = round % 2 == 0 ? List.of(RAW, SEAL) : List.of(SEAL, RAW);
            for (String method : order) {
                for (RunResult run : new Runner(options.apply(method).build()).run()) {
                    int size = Integer.parseInt(run.getParams().getParam("frameBytes"));
                    scores.computeIfAbsent(method, k -> new TreeMap<>())
                            .computeIfAbsent(size, k -> new ArrayList<>())
                            .add(run.getPrimaryResult().getScore());
                }
            }
        }
        List<SealBenchResult> results = new ArrayList<>();
        Map<Integer, List<Double>> raw = scores.getOrDefault(RAW, Map.of());
        scores.getOrDefault(SEAL, Map.of())
                .forEach((size, seal) -> results.add(
                        SealBenchResult.fromOps(size, toArray(seal), toArray(raw.getOrDefault(size, List.of())))));
        return results;
    }

    private static double[] toArray(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static String jvm() {
        return System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version") + " ("
                + System.getProperty("java.vendor") + "), " + System.getProperty("java.home");
    }

    private static String machine() {
        return System.getProperty("os.name") + " " + System.getProperty("os.arch") + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, " + MachineInfo.cpuModel() + ", load average "
                + MachineInfo.firstLine(Path.of("/proc/loadavg"), "unknown");
    }
}
