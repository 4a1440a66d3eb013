package dev.doorbell.fleet.bench;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPlan;
import dev.doorbell.fleet.FleetRunner;
import dev.doorbell.fleet.FleetScenario;
import dev.doorbell.fleet.LoadResult;
import dev.doorbell.fleet.RunHook;
import dev.doorbell.fleet.Traffic;
import dev.doorbell.fleet.faults.UplinkProcess;
import dev.doorbell.owner.StoreDirectoryReader;
import dev.doorbell.owner.StoreSnapshot;
import dev.doorbell.owner.StoredClip;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.seal.v2.Padding;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What frame padding (format v3, {@code --pad}) hides and what it costs, in one run (scripts/bench-padding): a quiet
 * porch and a busy one, each simulated twice from one seed (the same pictures), unpadded and padded, streamed over TLS
 * to the uplink in its own JVM; then the spread of the sealed frame sizes as the store holds them (what the uplink's
 * operator sees), the bytes stored against the image bytes, and the durable ingest of the fleet load tester at
 * saturation with the profile's porch frames, unpadded and padded, with the ratio of the two.
 */
@Command(
        name = "bench-padding",
        mixinStandardHelpOptions = true,
        description = "Measure what frame padding hides (spread of stored sizes) and costs (bytes, durable MB/s).")
public final class PaddingBench implements Callable<Integer> {
    /** A quiet porch: a passer-by every few minutes; a busy one: people and cars all the time. */
    private record Scene(String name, double crossingsPerMinute) {}

    private static final List<Scene> SCENES = List.of(new Scene("quiet", 0.5), new Scene("busy", 20));
    private static final Duration CLIP_MIN = Duration.ofSeconds(3);
    private static final Duration CLIP_MAX = Duration.ofSeconds(3);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
    private static final int ROUNDS = 2;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Work directory (fleet, store, logs).")
    private Path dir;

    @Option(names = "--uplink-jar", required = true, paramLabel = "JAR", description = "The uplink's runnable jar.")
    private Path uplinkJar;

    @Option(
            names = "--uplink-jvm-opt",
            paramLabel = "OPTION",
            description = "JVM option for the uplink process (repeatable).")
    private List<String> uplinkJvmOptions = new ArrayList<>(List.of("-Xmx1g"));

    @Option(
            names = "--pad",
            paramLabel = "BYTES",
            description = "The bucket of the padded runs (default: ${DEFAULT-VALUE}).")
    private int pad = Padding.RECOMMENDED;

    @Option(
            names = "--profile",
            paramLabel = "PROFILE",
            description = "240p, 480p or 720p (default: ${DEFAULT-VALUE}).")
    private String profile = "240p";

    @Option(
            names = "--scene-duration",
            paramLabel = "DURATION",
            defaultValue = "90s",
            converter = DurationConverter.class,
            description = "Simulated porch time per scene, on a virtual clock (default: ${DEFAULT-VALUE}).")
    private Duration sceneDuration;

    @Option(
            names = "--devices",
            paramLabel = "N",
            description = "Devices of the ingest runs (default: ${DEFAULT-VALUE}).")
    private int devices = 20;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "5s",
            converter = DurationConverter.class,
            description = "Measured time of each ingest run (default: ${DEFAULT-VALUE}).")
    private Duration measured;

    @Option(
            names = "--warmup",
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "Unmeasured time before each ingest run (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(
            names = "--inflight",
            paramLabel = "N",
            description = "Unpersisted frames per device at saturation (default: ${DEFAULT-VALUE}).")
    private int inflight = 8;

    @Option(names = "--seed", paramLabel = "N", description = "Scene seed (default: ${DEFAULT-VALUE}).")
    private long seed = 7;

    @Option(names = "--quick", description = "Smoke test: 30 s scenes, 8 devices, 2 s ingest runs.")
    private boolean quick;

    private final PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);

    public static void main(String[] args) {
        System.exit(Cli.configure(new CommandLine(new PaddingBench())).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Padding.check(pad);
        if (pad == 0) {
            throw new CommandLine.ParameterException(
                    new CommandLine(this), "--pad 0 compares nothing: give a bucket, such as 4096");
        }
        if (quick) {
            sceneDuration = Duration.ofSeconds(30);
            devices = Math.min(devices, 8);
            measured = Duration.ofSeconds(2);
            warmup = Duration.ofSeconds(1);
        }
        Profile frames = Profile.parse(profile);
        Files.createDirectories(dir);
        String loadBefore = MachineInfo.loadAverage();
        out.println("machine: " + MachineInfo.describe());
        out.println("load average before: " + loadBefore);

        // Device 0 streams the scenes (one camera seed, so a scene's pictures are the same padded and not); the
        // ingest runs use the others.
        int fleetSize = devices + 1;
        Path fleetDir = dir.resolve("fleet-" + fleetSize);
        Path store = dir.resolve("store-" + System.currentTimeMillis());
        FleetPlan.Builder plans = FleetPlan.builder("127.0.0.1", 1, fleetDir, fleetSize)
                .ramp(Double.POSITIVE_INFINITY, 50)
                .connectFirst(true)
                .sending(warmup, Duration.ofSeconds(Math.max(1, measured.toSeconds())))
                .clips(CLIP_MIN, CLIP_MAX)
                .profile(frames)
                .seed(seed)
                .timeouts(CONNECT_TIMEOUT, DRAIN_TIMEOUT);
        FleetLayout layout = new FleetLayout(fleetDir);
        if (!Files.isRegularFile(layout.fleetList())) {
            out.printf("provisioning %d devices in %s ...%n", plans.build().devices(), fleetDir);
            FleetRunner.provisionOnce(plans.build());
        }
        List<String> ids = Files.readAllLines(layout.fleetList());

        List<SceneRun> scenes = new ArrayList<>();
        List<StoredSizes> stored;
        List<LoadResult> unpaddedRounds = new ArrayList<>();
        List<LoadResult> paddedRounds = new ArrayList<>();
        try (UplinkProcess uplink =
                UplinkProcess.fromJar(uplinkJar, uplinkJvmOptions, store, layout.uplinkDir(), dir)) {
            uplink.start();
            out.printf("uplink pid %d on 127.0.0.1:%d, store %s%n", uplink.pid(), uplink.port(), store);
            DeviceDirectory sceneDevice = DeviceDirectory.load(layout.device(ids.get(0)));
            for (Scene scene : SCENES) {
                for (int bucket : new int[] {0, pad}) {
                    scenes.add(simulate(scene, bucket, frames, sceneDevice, uplink.port()));
                }
            }
            // Read now, while the store holds only the scenes (every frame of theirs is PERSISTED, so it is before
            // the checkpoint): the ingest runs add far more frames than are worth holding in memory.
            StoreSnapshot snapshot = StoreDirectoryReader.read(store);
            stored = scenes.stream().map(run -> new StoredSizes(run, snapshot)).toList();
            plans = FleetPlan.builder("127.0.0.1", uplink.port(), fleetDir, fleetSize)
                    .slice(1, devices)
                    .ramp(Double.POSITIVE_INFINITY, 50)
                    .connectFirst(true)
                    .sending(warmup, Duration.ofSeconds(Math.max(1, measured.toSeconds())))
                    .clips(CLIP_MIN, CLIP_MAX)
                    .profile(frames)
                    .seed(seed)
                    .threads(2, 2)
                    .timeouts(CONNECT_TIMEOUT, DRAIN_TIMEOUT)
                    .traffic(new Traffic.Saturation(inflight));
            out.printf(
                    "ingest at saturation: %d devices, %s frames (the profile's porch pictures), %d in flight each, %s"
                            + " warmup + %d s; unpadded and padded to %d, alternating, %d rounds (the best of each"
                            + " counts: the machine is shared)%n",
                    devices, profile, inflight, DurationConverter.format(warmup), measured.toSeconds(), pad, ROUNDS);
            // Unmeasured, so that neither setting gets the JIT's warm-up; then each round swaps the order.
            ingest(plans.pad(0).report(dir.resolve("report-warmup"), "p0").build());
            for (int round = 1; round <= ROUNDS; round++) {
                for (int bucket : round % 2 == 1 ? new int[] {0, pad} : new int[] {pad, 0}) {
                    LoadResult result = ingest(plans.pad(bucket)
                            .report(dir.resolve("report-pad-" + bucket + "-" + round), "p0")
                            .build());
                    out.printf("  round %d, pad %d: %s%n", round, bucket, result.summary());
                    (bucket == 0 ? unpaddedRounds : paddedRounds).add(result);
                }
            }
        }
        LoadResult unpadded = best(unpaddedRounds);
        LoadResult padded = best(paddedRounds);

        out.println();
        out.printf(
                "stored sealed frame sizes, bytes (the store as the uplink holds it; %s of simulated porch per row, seed"
                        + " %d, %s):%n",
                DurationConverter.format(sceneDuration), seed, profile);
        out.printf(
                "  %-6s %6s %6s %7s %7s %7s %7s %7s %7s %8s %9s %11s %11s %9s%n",
                "scene",
                "pad",
                "clips",
                "frames",
                "min",
                "p10",
                "p50",
                "p90",
                "max",
                "stddev",
                "distinct",
                "image MB",
                "stored MB",
                "overhead");
        stored.forEach(sizes -> sizes.print(out));
        StoredSizes quietPlain = stored.get(0);
        StoredSizes quietPadded = stored.get(1);
        StoredSizes busyPlain = stored.get(2);
        StoredSizes busyPadded = stored.get(3);
        out.printf(
                "what the sizes tell: median quiet vs busy %d vs %d bytes unpadded, %d vs %d padded; distinct sizes %d"
                        + " and %d unpadded, %d and %d padded%n",
                quietPlain.percentile(50),
                busyPlain.percentile(50),
                quietPadded.percentile(50),
                busyPadded.percentile(50),
                quietPlain.distinct(),
                busyPlain.distinct(),
                quietPadded.distinct(),
                busyPadded.distinct());
        double bytesRatio =
                (double) padded.sealedBytes() / padded.frames() / ((double) unpadded.sealedBytes() / unpadded.frames());
        out.printf(
                "ratio padded/unpadded (pad %d, %s porch frames, same run): frames/s %.0f%%, durable MB/s %.0f%%, stored"
                        + " bytes per frame %.0f%%%n",
                pad,
                profile,
                100 * padded.framesPerSecond() / unpadded.framesPerSecond(),
                100 * padded.megabytesPerSecond() / unpadded.megabytesPerSecond(),
                100 * bytesRatio);
        out.println("load average after: " + MachineInfo.loadAverage() + " (before: " + loadBefore + ")");
        deleteTree(store);
        boolean clean =
                Stream.concat(unpaddedRounds.stream(), paddedRounds.stream()).allMatch(LoadResult::clean);
        return clean ? 0 : 1;
    }

    private static LoadResult best(List<LoadResult> rounds) {
        return rounds.stream()
                .max(Comparator.comparingDouble(LoadResult::framesPerSecond))
                .orElseThrow();
    }

    /** One scene, padded or not, on its own device: its camera on a virtual clock, its link over TLS. */
    private SceneRun simulate(Scene scene, int bucket, Profile frames, DeviceDirectory device, int port)
            throws Exception {
        AtomicLong imageBytes = new AtomicLong();
        Set<Long> clipIds = ConcurrentHashMap.newKeySet();
        SealObserver images = new SealObserver() {
            @Override
            public void headerSealed(String deviceId, long clipId, byte[] headerBytes) {
                clipIds.add(clipId);
            }

            @Override
            public void frameSealed(String deviceId, SealedFrame sealed, byte[] plaintext) {
                imageBytes.addAndGet(plaintext.length);
            }
        };
        SimulationOptions options = new SimulationOptions(
                "127.0.0.1",
                port,
                false,
                seed,
                frames,
                sceneDuration,
                // One press a run, so that even the quiet porch has a clip.
                Map.of(device.deviceId(), Duration.ofSeconds(5)),
                0,
                scene.crossingsPerMinute(),
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                Duration.ofSeconds(20),
                CONNECT_TIMEOUT,
                DRAIN_TIMEOUT,
                Duration.ofHours(1),
                bucket);
        Writer progress = new StringWriter();
        long started = System.nanoTime();
        SimulationReport report = new Simulation(
                        List.of(device), options, VirtualSimClock::startingAtDefault, images, new PrintWriter(progress))
                .run();
        SimulationReport.Row row = report.rows().get(0);
        out.printf(
                "scene %s, pad %d: %d clips, %d frames sealed, %d persisted (%.1f s)%n",
                scene.name(),
                bucket,
                row.clips(),
                row.framesSealed(),
                row.framesPersisted(),
                (System.nanoTime() - started) / 1e9);
        if (!report.complete()) {
            throw new IllegalStateException(
                    "scene " + scene.name() + ", pad " + bucket + ": not every frame persisted");
        }
        return new SceneRun(scene.name(), bucket, device.deviceId(), Set.copyOf(clipIds), imageBytes.get());
    }

    /** One scene run: the device and clips that streamed it and how many image bytes it sealed. */
    private record SceneRun(String scene, int pad, String deviceId, Set<Long> clipIds, long imageBytes) {}

    /** A scene run's frames as the store holds them: sealed sizes, sorted. */
    private static final class StoredSizes {
        private final SceneRun run;
        private final long clips;
        private final long[] sizes;

        StoredSizes(SceneRun run, StoreSnapshot snapshot) {
            this.run = run;
            List<StoredClip> mine = snapshot.clips().stream()
                    .filter(c ->
                            c.deviceId().equals(run.deviceId()) && run.clipIds().contains(c.clipId()))
                    .toList();
            this.clips = mine.size();
            this.sizes = mine.stream()
                    .flatMap(c -> c.frames().stream())
                    .mapToLong(f -> f.sealed().length)
                    .sorted()
                    .toArray();
        }

        long percentile(double p) {
            return sizes.length == 0 ? 0 : sizes[(int) Math.min(sizes.length - 1, Math.floor(p / 100 * sizes.length))];
        }

        long distinct() {
            return Arrays.stream(sizes).distinct().count();
        }

        void print(PrintWriter out) {
            long stored = Arrays.stream(sizes).sum();
            double mean = sizes.length == 0 ? 0 : (double) stored / sizes.length;
            double variance = Arrays.stream(sizes)
                            .mapToDouble(v -> (v - mean) * (v - mean))
                            .sum()
                    / Math.max(1, sizes.length);
            out.printf(
                    "  %-6s %6d %6d %7d %7d %7d %7d %7d %7d %8.0f %9d %11.2f %11.2f %8.1f%%%n",
                    run.scene(),
                    run.pad(),
                    clips,
                    sizes.length,
                    sizes.length == 0 ? 0 : sizes[0],
                    percentile(10),
                    percentile(50),
                    percentile(90),
                    sizes.length == 0 ? 0 : sizes[sizes.length - 1],
                    Math.sqrt(variance),
                    distinct(),
                    run.imageBytes() / 1e6,
                    stored / 1e6,
                    run.imageBytes() == 0 ? 0 : 100.0 * (stored - run.imageBytes()) / run.imageBytes());
        }
    }

    /** One run of the load tester, the code `doorbell fleet` runs; its progress lines go to its report directory. */
    private static LoadResult ingest(FleetPlan plan) throws IOException, InterruptedException {
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
