package dev.doorbell.fleet.bench;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.fleet.FleetPlan;
import dev.doorbell.fleet.FleetRunner;
import dev.doorbell.fleet.FleetScenario;
import dev.doorbell.fleet.LoadResult;
import dev.doorbell.fleet.RunHook;
import dev.doorbell.fleet.Traffic;
import dev.doorbell.fleet.faults.UplinkProcess;
import dev.doorbell.pki.FleetLayout;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The durable-ingest benchmark (scripts/bench-store): in one run, the disk's own figures, then the fleet load tester
 * ({@link FleetRunner}, as `doorbell fleet --traffic saturation` and `--traffic constant` run it) against the uplink
 * in its own JVM at saturation (durable MB/s) and at half that load on an open-loop schedule (PERSISTED latency from
 * intended send times), printed as a table with the ratios to the goals.
 */
@Command(
        name = "bench-store",
        mixinStandardHelpOptions = true,
        description = "Measure the disk, then the uplink's durable ingest and PERSISTED latency over TLS on loopback.")
public final class StoreBench implements Callable<Integer> {
    static final double INGEST_GOAL = 0.70;
    static final double P99_GOAL_MS = 20.0;
    /** Sealed frames of 16-64 KiB, random (they do not compress, like video), in clips of 30 (3 s at 240p's 10 fps). */
    private static final FleetPlan.FrameBytes FRAME_BYTES = new FleetPlan.FrameBytes(16 * 1024, 64 * 1024);

    private static final Duration CLIP = Duration.ofSeconds(3);
    /** Handshakes in progress while connecting: each welcome lets the next device start. */
    private static final int CONNECT_WINDOW = 50;
    /** The open loop's bound on unpersisted frames per device before it skips (and counts) a frame. */
    private static final int OPEN_LOOP_INFLIGHT = 64;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);

    @Option(
            names = "--dir",
            required = true,
            paramLabel = "DIR",
            description = "Work directory on the disk to measure (fleet, store, logs).")
    private Path dir;

    @Option(names = "--uplink-jar", required = true, paramLabel = "JAR", description = "The uplink's runnable jar.")
    private Path uplinkJar;

    @Option(
            names = "--uplink-jvm-opt",
            paramLabel = "OPTION",
            description = "JVM option for the uplink process (repeatable).")
    private List<String> uplinkJvmOptions = new ArrayList<>(List.of("-Xmx2g"));

    @Option(names = "--devices", paramLabel = "N", description = "Devices (default: ${DEFAULT-VALUE}).")
    private int devices = 1000;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Measured time per run, whole seconds (default: ${DEFAULT-VALUE}).")
    private Duration measured;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Unmeasured time before each run (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(
            names = "--inflight",
            paramLabel = "N",
            description = "Unpersisted frames per device at saturation (default: ${DEFAULT-VALUE}).")
    private int inflight = 4;

    @Option(
            names = "--senders",
            paramLabel = "N",
            description = "Sealing and sending threads (default: ${DEFAULT-VALUE}).")
    private int senders = 2;

    @Option(
            names = "--io-threads",
            paramLabel = "N",
            description = "Event-loop threads of the links (default: ${DEFAULT-VALUE}).")
    private int ioThreads = 2;

    @Option(
            names = "--load-fraction",
            paramLabel = "F",
            description = "Open-loop load as a fraction of saturation (default: ${DEFAULT-VALUE}).")
    private double loadFraction = 0.5;

    @Option(
            names = "--store-alone-threads",
            paramLabel = "N",
            description = "Submitting threads of the store-alone run; 0 skips it (default: ${DEFAULT-VALUE}).")
    private int storeAloneThreads = 4;

    @Option(names = "--quick", description = "Smoke test: 20 devices, small disk probe, 3 s runs.")
    private boolean quick;

    @Option(names = "--keep-store", description = "Keep the store written by the runs (it is deleted by default).")
    private boolean keepStore;

    private final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);

    public static void main(String[] args) {
        System.exit(Cli.configure(new CommandLine(new StoreBench())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (quick) {
            devices = Math.min(devices, 20);
            measured = Duration.ofSeconds(3);
            warmup = Duration.ofSeconds(1);
        }
        long seconds = Math.max(1, measured.toSeconds());
        Files.createDirectories(dir);
        String loadBefore = MachineInfo.loadAverage();
        out.println("machine: " + MachineInfo.describe());
        out.println("load average before: " + loadBefore);

        long diskBytes = quick ? 128L << 20 : 1L << 30;
        out.printf(
                "disk: writing %d MiB in 1 MiB chunks + one fdatasync, then 64 KiB writes with fdatasync each%n",
                diskBytes >> 20);
        DiskProbe.Figures disk = new DiskProbe(dir).measure(diskBytes, 1 << 20, 64 << 10, quick ? 1000 : 3000);

        String storeAlone = "store-alone skipped";
        if (storeAloneThreads > 0) {
            Path aloneDir = dir.resolve("store-alone-" + System.currentTimeMillis());
            out.printf(
                    "store alone (no TLS, no sockets): %d threads, %d devices, %d frames in flight each, %d s%n",
                    storeAloneThreads, devices, inflight, seconds);
            try {
                storeAlone = UplinkProcess.storeAlone(
                        uplinkJar,
                        uplinkJvmOptions,
                        aloneDir,
                        seconds,
                        storeAloneThreads,
                        devices,
                        devices * inflight / storeAloneThreads);
            } finally {
                deleteTree(aloneDir);
            }
            out.println("  " + storeAlone);
        }

        Path fleetDir = dir.resolve("fleet-" + devices);
        Path store = dir.resolve("store-" + System.currentTimeMillis());
        LoadResult saturation;
        LoadResult half;
        try (UplinkProcess uplink =
                UplinkProcess.fromJar(uplinkJar, uplinkJvmOptions, store, new FleetLayout(fleetDir).uplinkDir(), dir)) {
            FleetPlan.Builder plans = FleetPlan.builder("127.0.0.1", uplink.port(), fleetDir, devices)
                    .ramp(Double.POSITIVE_INFINITY, CONNECT_WINDOW)
                    .connectFirst(true)
                    .sending(warmup, Duration.ofSeconds(seconds))
                    .clips(CLIP, CLIP)
                    .frameBytes(FRAME_BYTES)
                    .threads(ioThreads, senders)
                    .timeouts(CONNECT_TIMEOUT, DRAIN_TIMEOUT);
            provision(plans.build());
            uplink.start();
            out.printf(
                    "uplink pid %d on 127.0.0.1:%d, store %s, log %s%n",
                    uplink.pid(), uplink.port(), store, uplink.logFile());
            out.printf(
                    "saturation: %d devices, %d frames in flight each, %s warmup + %d s%n",
                    devices, inflight, DurationConverter.format(warmup), seconds);
            CpuMeter cpu = new CpuMeter(uplink.pid());
            saturation = run(plans.traffic(new Traffic.Saturation(inflight))
                    .report(dir.resolve("report-saturation"), "p0")
                    .build());
            out.println("  " + saturation.summary());
            out.println("  " + cpu.line());
            double rate = saturation.framesPerSecond() * loadFraction;
            out.printf("open loop at %.0f%% of saturation: %.0f frames/s%n", loadFraction * 100, rate);
            cpu = new CpuMeter(uplink.pid());
            half = run(plans.traffic(new Traffic.ConstantRate(rate, OPEN_LOOP_INFLIGHT))
                    .report(dir.resolve("report-open-loop"), "p0")
                    .build());
            out.println("  " + half.summary());
            out.println("  " + cpu.line());
        } finally {
            if (!keepStore) {
                deleteTree(store);
            }
        }
        new BenchReport(disk, storeAlone, saturation, half, loadFraction).print(out);
        out.println("load average after: " + MachineInfo.loadAverage() + " (before: " + loadBefore + ")");
        return 0;
    }

    /** The plan's fleet, provisioned once (reused by later runs): the devices' keys and the uplink's TLS files. */
    private void provision(FleetPlan plan) throws IOException {
        FleetLayout layout = new FleetLayout(plan.fleetDir());
        if (!Files.isRegularFile(layout.fleetList())) {
            out.printf("provisioning %d devices in %s ...%n", plan.devices(), plan.fleetDir());
            deleteTree(plan.fleetDir());
            FleetRunner.provisionOnce(plan);
        } else {
            out.printf("reusing the fleet in %s%n", plan.fleetDir());
        }
    }

    /** One run of the load tester: the code `doorbell fleet` runs; its progress lines go to its report directory. */
    private static LoadResult run(FleetPlan plan) throws IOException, InterruptedException {
        Files.createDirectories(plan.report());
        try (PrintWriter progress =
                new PrintWriter(Files.newBufferedWriter(plan.report().resolve("progress.txt")))) {
            return FleetRunner.system()
                    .run(plan, FleetScenario.steady(), RunHook.NONE, progress, new CompletableFuture<>())
                    .measured();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
