package dev.doorbell.app.matrix;

import dev.doorbell.app.DoorbellCli;
import dev.doorbell.conformance.bench.BenchConfig;
import dev.doorbell.conformance.bench.DeviceBench;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.camera.VirtualSimClock;
import dev.doorbell.device.fault.FaultPlan;
import dev.doorbell.device.fault.FirmwareFault;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.device.sim.Simulation;
import dev.doorbell.device.sim.SimulationOptions;
import dev.doorbell.device.sim.SimulationReport;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.fleet.FleetPairing;
import dev.doorbell.fleet.faults.UplinkProcess;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionException;
import dev.doorbell.pki.ProvisionRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs each fault mode against each layer and says who caught it (docs/FIRMWARE.md §6). Per row: one paired doorbell
 * (a copy of one provisioned and paired fleet, so every row starts from the same fresh state) boots twice, committing
 * the fault, against a fresh real uplink in its own JVM (its /metrics give the uplink's flags and Errors); the
 * owner's {@code open} reads that uplink's store; and another copy boots twice against the device bench holding the
 * owner's identity. Two boots, so that state carried across a reboot (the chain) is part of every row.
 */
public final class FaultMatrix {
    /**
     * How the matrix runs.
     *
     * @param boot how long each boot of the doorbell records, on a virtual clock
     */
    public record Config(long seed, Path workDir, List<String> rows, UplinkLauncher uplinks, Duration boot) {
        public Config {
            rows = List.copyOf(rows);
        }
    }

    private static final int BOOTS = 2;
    private static final Pattern METRIC = Pattern.compile(
            "^doorbell_uplink_(misuse_flags|errors)_total\\{(?:reason|code)=\"([^\"]+)\"} ([0-9.eE+]+)$");
    private static final List<String> OWNER_WORDS = List.of(
            "TAMPERED",
            "TRUNCATED",
            "DAMAGED",
            "MISSING",
            "CHAIN BROKEN",
            "UNSENT",
            "KEY REUSED",
            "CLOCK BACKWARDS",
            "NO KEY");

    private final Config config;

    public FaultMatrix(Config config) {
        this.config = config;
    }

    /** Runs every row; {@code progress} gets a line as each step starts, {@code done} each row once judged. */
    public MatrixReport run(Consumer<String> progress, Consumer<MatrixRow> done) throws IOException {
        Instant started = Instant.now();
        Files.createDirectories(config.workDir());
        Path pristine = config.workDir().resolve("fleet");
        progress.accept("provisioning and pairing one doorbell in " + pristine);
        FleetLayout fleet = new FleetLayout(pristine);
        try {
            new FleetProvisioner(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                    .provision(ProvisionRequest.of(pristine, 1), (n, total) -> {});
        } catch (ProvisionException e) {
            throw new IOException("cannot provision the matrix's fleet in " + pristine + ": " + e.getMessage(), e);
        }
        List<String> ids = Files.readAllLines(fleet.fleetList());
        FleetPairing.pair(fleet, ids, 1, new SecureRandom(), Clock.systemUTC());
        List<MatrixRow> rows = new ArrayList<>();
        // Each row's uplink JVM starts while the row before it runs: its start-up is most of a row's time.
        ExecutorService starter = Executors.newSingleThreadExecutor(r -> new Thread(r, "matrix-uplink-start"));
        Prepared next = null;
        try {
            next = prepare(config.rows().get(0), pristine, starter);
            for (int i = 0; i < config.rows().size(); i++) {
                String fault = config.rows().get(i);
                Prepared current = next;
                next = i + 1 < config.rows().size() ? prepare(config.rows().get(i + 1), pristine, starter) : null;
                progress.accept("[" + (i + 1) + "/" + config.rows().size() + "] " + fault);
                MatrixRow row = row(fault, pristine, ids.get(0), current, progress);
                rows.add(row);
                done.accept(row);
            }
        } finally {
            if (next != null) {
                next.uplink().close();
            }
            starter.shutdownNow();
        }
        return new MatrixReport(config.seed(), config.boot(), started, Instant.now(), rows);
    }

    /** A row's own copy of the fleet and its uplink, starting in the background. */
    private record Prepared(Path dir, Path fleetDir, int metricsPort, UplinkProcess uplink, Future<?> started) {}

    private Prepared prepare(String fault, Path pristine, ExecutorService starter) throws IOException {
        Path dir = config.workDir().resolve(fault).resolve("uplink-run");
        Path fleetDir = copyTree(pristine, dir.resolve("fleet"));
        int metricsPort = freePort();
        UplinkProcess uplink = config.uplinks()
                .create(
                        dir.resolve("store"),
                        new FleetLayout(fleetDir).uplinkDir(),
                        dir.resolve("uplink"),
                        List.of("--metrics", "127.0.0.1:" + metricsPort));
        Future<?> started = starter.submit(() -> {
            uplink.start();
            return null;
        });
        return new Prepared(dir, fleetDir, metricsPort, uplink, started);
    }

    private MatrixRow row(String fault, Path pristine, String deviceId, Prepared prepared, Consumer<String> progress) {
        long t0 = System.nanoTime();
        Set<Layer> expected = MatrixExpectations.expected(fault).orElse(Set.of());
        String effect = MatrixExpectations.BASELINE.equals(fault)
                ? "the device as it ships, no fault"
                : FirmwareFault.parse(fault).effect();
        try {
            FaultPlan plan = MatrixExpectations.BASELINE.equals(fault)
                    ? FaultPlan.none()
                    : FaultPlan.of(List.of(FirmwareFault.parse(fault)), config.seed());
            Path dir = config.workDir().resolve(fault);
            List<MatrixCell> cells = new ArrayList<>();
            progress.accept(
                    "    " + fault + ": a fresh uplink, two boots of the doorbell, then the owner's open;"
                            + " beside it, another copy of the doorbell, two boots against the bench with the owner's identity");
            // The two runs share nothing (each its own copy of the fleet, its own port): side by side, a row takes
            // the time of the longer one.
            ExecutorService beside = Executors.newSingleThreadExecutor(r -> new Thread(r, "matrix-bench-" + fault));
            UplinkRun uplinkRun;
            MatrixCell bench;
            try {
                Future<MatrixCell> benchRun =
                        beside.submit(() -> benchRun(plan, pristine, deviceId, dir.resolve("bench-run"), expected));
                uplinkRun = uplinkRun(plan, prepared, deviceId);
                bench = benchRun.get(5, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw new IOException("the bench run failed: " + e.getCause(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("the bench run did not end within 5 minutes", e);
            } finally {
                beside.shutdownNow();
            }
            cells.add(new MatrixCell(
                    Layer.DEVICE, uplinkRun.device.caught, expected.contains(Layer.DEVICE), uplinkRun.device.evidence));
            cells.add(new MatrixCell(
                    Layer.UPLINK, uplinkRun.uplink.caught, expected.contains(Layer.UPLINK), uplinkRun.uplink.evidence));
            cells.add(bench);
            cells.add(new MatrixCell(
                    Layer.OWNER, uplinkRun.owner.caught, expected.contains(Layer.OWNER), uplinkRun.owner.evidence));
            String error = MatrixExpectations.expected(fault).isPresent()
                    ? null
                    : "docs/FIRMWARE.md states no row for fault " + fault + ": add its expected cells";
            return new MatrixRow(fault, effect, cells, millisSince(t0), error);
        } catch (IOException | RuntimeException e) {
            prepared.uplink().close();
            return new MatrixRow(
                    fault, effect, List.of(), millisSince(t0), e.getClass().getSimpleName() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            prepared.uplink().close();
            Thread.currentThread().interrupt();
            return new MatrixRow(fault, effect, List.of(), millisSince(t0), "interrupted");
        }
    }

    private record Seen(boolean caught, String evidence) {}

    private record UplinkRun(Seen device, Seen uplink, Seen owner) {}

    private record Boots(List<SimulationReport> reports, String log) {}

    private UplinkRun uplinkRun(FaultPlan plan, Prepared prepared, String deviceId)
            throws IOException, InterruptedException {
        Path dir = prepared.dir();
        FleetLayout fleet = new FleetLayout(prepared.fleetDir());
        Boots boots;
        Map<String, Long> flags;
        Map<String, Long> errors;
        UplinkProcess uplink = prepared.uplink();
        try {
            try {
                prepared.started().get(2, TimeUnit.MINUTES);
            } catch (ExecutionException e) {
                throw new IOException(
                        "the uplink did not start: " + e.getCause().getMessage(), e.getCause());
            } catch (TimeoutException e) {
                throw new IOException("the uplink did not start within 2 minutes", e);
            }
            boots = boots(plan, fleet, deviceId, uplink.port(), dir);
            String metrics = scrape(prepared.metricsPort());
            Files.writeString(dir.resolve("metrics.txt"), metrics);
            flags = counters(metrics, "misuse_flags");
            errors = counters(metrics, "errors");
        } finally {
            uplink.close();
        }
        Path store = dir.resolve("store");
        Path fleetDir = prepared.fleetDir();
        // Session handling, not a finding: a reboot's new session supersedes the old one, and serve's stop.
        errors.remove("superseded");
        errors.remove("shutting_down");
        long uplinkErrors = errors.values().stream().mapToLong(Long::longValue).sum();
        return new UplinkRun(device(boots, uplinkErrors), uplink(flags, errors), owner(store, fleetDir, dir));
    }

    private MatrixCell benchRun(FaultPlan plan, Path pristine, String deviceId, Path dir, Set<Layer> expected)
            throws IOException, InterruptedException {
        Path fleetDir = copyTree(pristine, dir.resolve("fleet"));
        FleetLayout fleet = new FleetLayout(fleetDir);
        OwnerDirectory owner = OwnerDirectory.load(FleetPairing.ownerDir(fleetDir, 1));
        List<String> faults = Collections.synchronizedList(new ArrayList<>());
        try (DeviceBench bench = new DeviceBench(
                new BenchConfig(
                        "127.0.0.1",
                        0,
                        fleetDir,
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(1)),
                Optional.of(owner),
                faults::add)) {
            int port = bench.start();
            boots(plan, fleet, deviceId, port, dir);
            bench.finish();
        } finally {
            owner.destroy();
        }
        List<String> seen;
        synchronized (faults) {
            seen = List.copyOf(faults);
        }
        Files.write(dir.resolve("bench-faults.txt"), seen);
        return new MatrixCell(
                Layer.BENCH,
                !seen.isEmpty(),
                expected.contains(Layer.BENCH),
                seen.isEmpty() ? "no FAULT line" : "FAULT " + seen.get(0) + more(seen.size()));
    }

    /** Two boots of the doorbell; a boot the uplink refuses (the bench's revoked case) ends the run there. */
    private Boots boots(FaultPlan plan, FleetLayout fleet, String deviceId, int port, Path dir)
            throws IOException, InterruptedException {
        List<SimulationReport> reports = new ArrayList<>();
        StringWriter log = new StringWriter();
        for (int boot = 1; boot <= BOOTS; boot++) {
            Instant start = VirtualSimClock.DEFAULT_START.plus(Duration.ofHours(boot - 1L));
            SimulationOptions options = new SimulationOptions(
                    "127.0.0.1",
                    port,
                    false,
                    config.seed() + boot,
                    Profile.P240,
                    config.boot(),
                    Map.of(deviceId, Duration.ofSeconds(1)),
                    0,
                    30,
                    Duration.ofMillis(500),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(20),
                    Duration.ofSeconds(10),
                    Duration.ofMinutes(5),
                    0);
            log.append("---- boot ").append(Integer.toString(boot)).append('\n');
            try {
                SimulationReport report = new Simulation(
                                List.of(DeviceDirectory.load(fleet.device(deviceId))),
                                options,
                                () -> VirtualSimClock.startingAt(start),
                                SealObserver.NONE,
                                new PrintWriter(log, true),
                                plan)
                        .run();
                report.print(new PrintWriter(log, true));
                reports.add(report);
            } catch (UplinkFailureException e) {
                log.append("boot ")
                        .append(Integer.toString(boot))
                        .append(" refused: ")
                        .append(e.getMessage())
                        .append('\n');
                break;
            }
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("device.log"), log.toString());
        return new Boots(reports, log.toString());
    }

    /**
     * The device caught it when its own report says something went wrong that no uplink told it: clips dropped or
     * refused while the uplink sent no Error, or more Errors on the device's side than the uplink sent (its link raised
     * them itself).
     */
    private static Seen device(Boots boots, long uplinkErrors) {
        long clips = 0;
        long dropped = 0;
        long failed = 0;
        long errors = 0;
        boolean complete = !boots.reports().isEmpty();
        for (SimulationReport r : boots.reports()) {
            complete &= r.complete();
            for (SimulationReport.Row row : r.rows()) {
                clips += row.clips();
                dropped += row.droppedClips();
                failed += row.failedClips();
                errors += row.errors();
            }
        }
        String figures = clips + " clips, " + dropped + " dropped, " + failed + " refused; " + errors
                + " Errors on the device's side, " + uplinkErrors + " sent by the uplink";
        if (complete) {
            return new Seen(false, "everything persisted (" + figures + ")");
        }
        if (errors > uplinkErrors) {
            return new Seen(
                    true,
                    "NOT everything persisted: its link raised " + (errors - uplinkErrors) + " Errors itself ("
                            + figures + ")");
        }
        if (uplinkErrors == 0) {
            return new Seen(true, "NOT everything persisted, no Error from the uplink (" + figures + ")");
        }
        return new Seen(false, "NOT everything persisted, after the uplink's Errors (" + figures + ")");
    }

    private static Seen uplink(Map<String, Long> flags, Map<String, Long> errors) {
        List<String> seen = new ArrayList<>();
        flags.forEach((reason, n) -> seen.add("flag " + reason + " " + n));
        errors.forEach((code, n) -> seen.add("Error " + code + " " + n));
        return seen.isEmpty()
                ? new Seen(false, "no misuse flag, no Error sent")
                : new Seen(true, String.join(", ", seen));
    }

    private static Seen owner(Path store, Path fleetDir, Path dir) throws IOException {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        picocli.CommandLine cli = DoorbellCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int exit = cli.execute(
                "open",
                "--store",
                store.toString(),
                "--identity",
                FleetPairing.ownerDir(fleetDir, 1).toString(),
                "--out",
                dir.resolve("opened").toString());
        Files.writeString(dir.resolve("open.txt"), "exit " + exit + "\n" + out + err);
        List<String> findings = out.toString()
                .lines()
                .filter(l -> !l.contains("UPLINK FLAG"))
                .filter(l -> OWNER_WORDS.stream().anyMatch(l::contains))
                .filter(l -> !l.startsWith("chains of clips:"))
                .map(String::strip)
                .toList();
        if (exit == 0 && findings.isEmpty()) {
            return new Seen(false, "exit 0, every clip OK");
        }
        String first = findings.isEmpty() ? err.toString().strip() : findings.get(0);
        return new Seen(true, "exit " + exit + ": " + first + more(findings.size()));
    }

    private static String scrape(int port) throws IOException, InterruptedException {
        HttpClient http =
                HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("the uplink's /metrics on port " + port + " answered " + response.statusCode());
        }
        return response.body();
    }

    /** The non-zero counters of one family, by label. */
    static Map<String, Long> counters(String metrics, String family) {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : metrics.split("\n")) {
            Matcher m = METRIC.matcher(line.strip());
            if (m.matches() && m.group(1).equals(family)) {
                long n = (long) Double.parseDouble(m.group(3));
                if (n > 0) {
                    counts.put(m.group(2), n);
                }
            }
        }
        return counts;
    }

    private static Path copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        return to;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static String more(int n) {
        return n > 1 ? " (and " + (n - 1) + " more)" : "";
    }

    private static long millisSince(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
