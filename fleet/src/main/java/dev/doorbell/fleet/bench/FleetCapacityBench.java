package dev.doorbell.fleet.bench;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.fleet.FleetOutcome;
import dev.doorbell.fleet.FleetPlan;
import dev.doorbell.fleet.FleetRunner;
import dev.doorbell.fleet.FleetScenario;
import dev.doorbell.fleet.LiveFleet;
import dev.doorbell.fleet.LoadResult;
import dev.doorbell.fleet.RunHook;
import dev.doorbell.fleet.Traffic;
import dev.doorbell.wire.Transports;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Capacity of one fleet process against uplink processes that run in their own JVMs (scripts/bench-fleet-capacity):
 * connects a slice of a provisioned fleet over TLS, from several loopback source addresses, and prints the connect
 * rate and the RSS per held device on each side (RSS after connecting minus RSS before, over the devices); then
 * holds, drops every connection at once and measures the reconnect rate ({@link ReconnectPhase}), and sends at a
 * modest open-loop rate for PERSISTED frames/s, MB/s and p99 latency. Several such processes of one run
 * ({@code --processes}) meet at each phase ({@link RunBarrier}); each prints its own fleet side, and process 0 the
 * whole run's figures once ({@link CapacityTotals}): the uplinks serve every process's devices at once.
 */
@Command(
        name = "bench-fleet-capacity",
        mixinStandardHelpOptions = true,
        description = "Connect N TLS devices, hold them, measure connects/s and RSS per device on both sides.")
public final class FleetCapacityBench implements Callable<Integer> {
    /** Sending after the hold: the first 2 s are not measured. */
    private static final Duration WARMUP = Duration.ofSeconds(2);
    /** Clips of 30 frames (3 s at 240p's 10 fps). */
    private static final Duration CLIP = Duration.ofSeconds(3);
    /** Unpersisted frames a device may have before its next frame of the open loop is skipped (and counted). */
    private static final int INFLIGHT = 64;

    @Option(names = "--fleet-dir", required = true, paramLabel = "DIR", description = "A provisioned fleet directory.")
    private Path fleetDir;

    @Option(names = "--port", required = true, paramLabel = "PORT", description = "Uplink port on 127.0.0.1.")
    private int port;

    @Option(names = "--devices", paramLabel = "N", description = "Devices in this process (default: ${DEFAULT-VALUE}).")
    private int devices = 10_000;

    @Option(
            names = "--first",
            paramLabel = "I",
            description = "Index in the fleet list of this process's first device (default: 0).")
    private int first;

    @Option(
            names = "--sources",
            paramLabel = "N",
            description = "Loopback source addresses 127.0.0.S.. (default: ${DEFAULT-VALUE}).")
    private int sources = 1;

    @Option(
            names = "--first-source",
            paramLabel = "S",
            description = "Last octet of the first source address (default: ${DEFAULT-VALUE}).")
    private int firstSource = 1;

    @Option(
            names = "--uplink-pid",
            paramLabel = "PID",
            description = "Uplink process whose RSS to measure (repeatable).")
    private List<Long> uplinkPids = new ArrayList<>();

    @Option(
            names = "--run-dir",
            paramLabel = "DIR",
            description = "Where the fleet processes of one run meet at each phase (with --processes).")
    private Path runDir;

    @Option(names = "--processes", paramLabel = "P", description = "Fleet processes in the run (default: 1).")
    private int processes = 1;

    @Option(
            names = "--index",
            paramLabel = "I",
            description = "This process's number in the run, from 0; process 0 prints the whole run (default: 0).")
    private int index;

    @Option(
            names = "--wave",
            paramLabel = "N",
            description = "TLS handshakes in flight while connecting (default: ${DEFAULT-VALUE}).")
    private int wave = 200;

    @Option(names = "--io-threads", paramLabel = "N", description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
    private int ioThreads = 2;

    @Option(
            names = "--hold",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Hold every connection this long, idle (default: ${DEFAULT-VALUE}).")
    private Duration hold;

    @Option(names = "--skip-reconnect", description = "Skip the reconnect phase after the hold.")
    private boolean skipReconnect;

    @Option(
            names = "--rate",
            paramLabel = "F",
            description = "Frames/s over all devices after the hold (default: " + "${DEFAULT-VALUE}).")
    private double rate = 2000;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Measured time of sending (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            defaultValue = "600s",
            converter = DurationConverter.class,
            description = "Bound on connecting them all (default: ${DEFAULT-VALUE}).")
    private Duration connectTimeout;

    @Option(
            names = "--frame-bytes",
            paramLabel = "BYTES",
            description = "Plaintext frame size (default: ${DEFAULT-VALUE}).")
    private int frameBytes = 16 * 1024;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            defaultValue = "fleet-capacity-report",
            description = "This process's fleet report and progress lines (default: ${DEFAULT-VALUE}).")
    private Path report;

    private final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);

    public static void main(String[] args) {
        System.exit(Cli.configure(new CommandLine(new FleetCapacityBench())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        RunBarrier barrier = processes == 1
                ? RunBarrier.alone()
                : new RunBarrier(
                        requireRunDir(),
                        processes,
                        index,
                        connectTimeout.plus(hold).plusSeconds(60));
        String process = "process " + index + "/" + processes;
        out.println("machine: " + MachineInfo.describe() + "; load average " + MachineInfo.loadAverage());
        out.println("fleet side: " + Transports.describe() + "; JVM " + Runtime.version() + " "
                + String.join(
                        " ",
                        java.lang.management.ManagementFactory.getRuntimeMXBean()
                                .getInputArguments()));
        List<InetAddress> addresses = new ArrayList<>();
        for (int i = 0; i < sources; i++) {
            addresses.add(InetAddress.getByName("127.0.0." + (firstSource + i)));
        }
        // The offered rate is this process's, over its own devices, as before: each process sends --rate.
        FleetPlan plan = FleetPlan.builder("127.0.0.1", port, fleetDir, first + devices)
                .slice(first, devices)
                .ramp(Double.POSITIVE_INFINITY, wave)
                .connectFirst(true)
                .sourceAddresses(addresses)
                .sending(WARMUP, duration)
                .traffic(new Traffic.ConstantRate(rate, INFLIGHT))
                .clips(CLIP, CLIP)
                .frameBytes(new FleetPlan.FrameBytes(frameBytes, frameBytes))
                .threads(ioThreads, 2)
                .timeouts(connectTimeout, Duration.ofSeconds(30))
                .report(report, "p" + index)
                .build();
        ReconnectPhase reconnect = new ReconnectPhase(uplinkPids, barrier, process, out);
        Phases phases = new Phases(barrier, process, skipReconnect ? RunHook.NONE : reconnect);
        FleetOutcome outcome;
        Files.createDirectories(report);
        try (PrintWriter progress = new PrintWriter(Files.newBufferedWriter(report.resolve("progress.txt")))) {
            outcome =
                    FleetRunner.system().run(plan, FleetScenario.steady(), phases, progress, new CompletableFuture<>());
        }
        LoadResult result = outcome.measured();
        out.printf(Locale.ROOT, "%s: sending at %s frames/s: %s%n", process, rate, result.summary());
        out.printf(
                Locale.ROOT,
                "%s: persisted %.0f frames/s, %.2f MB/s, p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max "
                        + "%.2f ms, errors %d%n",
                process,
                result.framesPerSecond(),
                result.megabytesPerSecond(),
                result.latencyMillis(50),
                result.latencyMillis(99),
                result.latencyMillis(99.9),
                result.maxLatencyMillis(),
                result.errors());
        Properties sent = new Properties();
        sent.setProperty("framesPerSecond", String.valueOf(result.framesPerSecond()));
        sent.setProperty("megabytesPerSecond", String.valueOf(result.megabytesPerSecond()));
        sent.setProperty("errors", String.valueOf(result.errors()));
        List<Properties> all = barrier.await("sent", sent);
        if (barrier.leader()) {
            out.printf(
                    Locale.ROOT,
                    "RESULT whole run: persisted %.0f frames/s, %.2f MB/s, errors %d (latency per process "
                            + "above)%n",
                    all.stream()
                            .mapToDouble(p -> Double.parseDouble(p.getProperty("framesPerSecond")))
                            .sum(),
                    all.stream()
                            .mapToDouble(p -> Double.parseDouble(p.getProperty("megabytesPerSecond")))
                            .sum(),
                    all.stream()
                            .mapToLong(p -> Long.parseLong(p.getProperty("errors")))
                            .sum());
        }
        boolean allConnected = outcome.totals().connectFailures() == 0;
        return allConnected && result.clean() && (skipReconnect || reconnect.allBack()) ? 0 : 1;
    }

    /**
     * The run's phases as the capacity run measures them: the fleet's RSS before its devices are loaded, the CPU of
     * each side from just before the first connect, the figures once every device is connected, the hold, then the
     * reconnect phase while every device is idle.
     */
    private final class Phases implements RunHook {
        private final RunBarrier barrier;
        private final String process;
        private final RunHook whileIdle;
        private final long fleetBefore = ProcessRss.self();
        private final long loadStart = System.nanoTime();
        private long fleetCpuBefore;
        private long uplinkCpuBefore = -1;
        private long uplinkRssBefore = -1;

        Phases(RunBarrier barrier, String process, RunHook whileIdle) {
            this.barrier = barrier;
            this.process = process;
            this.whileIdle = whileIdle;
        }

        @Override
        public void loaded(int n) throws InterruptedException {
            out.printf(
                    "loaded %d device directories in %.1f s; fleet RSS before: %s%n",
                    n, (System.nanoTime() - loadStart) / 1e9, CapacityTotals.mib(fleetBefore));
            // Process 0 reads the uplinks before any process may connect: the others wait for its file.
            if (barrier.leader()) {
                uplinkCpuBefore = ProcessCpu.sum(uplinkPids);
                uplinkRssBefore = ProcessRss.sum(uplinkPids);
            }
            barrier.await("ready", new Properties());
            fleetCpuBefore = ProcessCpu.self();
        }

        /**
         * This process's own connect figures, then, once every process is connected, the whole run's (process 0: the
         * uplinks' CPU and RSS since before the first connect, over every process's devices); then the hold.
         */
        @Override
        public void connected(int n, long connectNanos) throws InterruptedException {
            CapacityTotals.Connected mine = new CapacityTotals.Connected(
                    n, connectNanos, ProcessCpu.self() - fleetCpuBefore, fleetBefore, ProcessRss.self());
            out.printf(
                    Locale.ROOT,
                    "%s: connected %d devices in %.2f s: %.0f TLS connects/s (%d in flight, %d source "
                            + "addresses; load average %s); fleet CPU per connect %.2f ms; fleet RSS per held device %.1f KiB (%s -> "
                            + "%s)%n",
                    process,
                    n,
                    connectNanos / 1e9,
                    n / (connectNanos / 1e9),
                    wave,
                    sources,
                    MachineInfo.loadAverage(),
                    mine.fleetCpuNanos() / 1e6 / n,
                    (mine.fleetRssAfter() - fleetBefore) / 1024.0 / n,
                    CapacityTotals.mib(fleetBefore),
                    CapacityTotals.mib(mine.fleetRssAfter()));
            List<Properties> all = barrier.await("connected", mine.properties());
            if (barrier.leader()) {
                boolean measured = !uplinkPids.isEmpty() && uplinkCpuBefore >= 0;
                CapacityTotals.Uplinks uplinks = new CapacityTotals.Uplinks(
                        uplinkPids.size(),
                        measured ? uplinkCpuBefore : -1,
                        measured ? ProcessCpu.sum(uplinkPids) : -1,
                        measured ? uplinkRssBefore : -1,
                        measured ? ProcessRss.sum(uplinkPids) : -1);
                CapacityTotals.connected(
                                all.stream().map(CapacityTotals.Connected::of).toList(), uplinks)
                        .forEach(out::println);
            }
            // Held idle on purpose: RSS after the hold shows whether the held connections grow.
            Thread.sleep(hold.toMillis());
            out.printf(
                    "%s: after holding %s: fleet RSS %s%s%n",
                    process,
                    DurationConverter.format(hold),
                    CapacityTotals.mib(ProcessRss.self()),
                    barrier.leader() && !uplinkPids.isEmpty()
                            ? ", uplink RSS " + CapacityTotals.mib(ProcessRss.sum(uplinkPids))
                            : "");
        }

        @Override
        public void idle(LiveFleet live) throws InterruptedException {
            whileIdle.idle(live);
        }
    }

    private Path requireRunDir() {
        if (runDir == null) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this),
                    "--processes " + processes + " needs --run-dir DIR, where the processes meet");
        }
        return runDir;
    }
}
