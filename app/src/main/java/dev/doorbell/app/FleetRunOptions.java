package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.cli.RateConverter;
import dev.doorbell.cli.ops.MetricsAddress;
import dev.doorbell.cli.ops.MetricsEndpoint;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.fleet.FleetOutcome;
import dev.doorbell.fleet.FleetPlan;
import dev.doorbell.fleet.FleetRunner;
import dev.doorbell.fleet.FleetScenario;
import dev.doorbell.fleet.Shard;
import dev.doorbell.fleet.Threshold;
import dev.doorbell.fleet.Traffic;
import dev.doorbell.fleet.WorkerPool;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options of `fleet` and `fleet run`, and running them (in this process or as worker processes). */
public final class FleetRunOptions {
    private static final int DEFAULT_INFLIGHT = 4;

    @Option(names = "--devices", paramLabel = "N", description = "Devices in the whole fleet (required).")
    int devices;

    @Option(
            names = "--uplink",
            paramLabel = "HOST:PORT",
            defaultValue = "127.0.0.1:7443",
            converter = HostPortConverter.class,
            description = "The uplink's address (default: ${DEFAULT-VALUE}).")
    String uplink;

    @Option(
            names = "--fleet-dir",
            paramLabel = "DIR",
            defaultValue = "fleet",
            description = "The provisioned fleet; N devices are provisioned and paired there when it has none "
                    + "(default: ${DEFAULT-VALUE}).")
    Path fleetDir;

    @Option(
            names = "--owners",
            paramLabel = "N",
            defaultValue = "1",
            description = "Owners to pair a fleet provisioned here with, in DIR/owners/owner-K (device i with owner "
                    + "i mod N; each owner's recovery phrase beside it in owner-K.phrase) (default: ${DEFAULT-VALUE}).")
    int owners;

    @Option(
            names = "--ramp",
            paramLabel = "N/s",
            defaultValue = "500/s",
            converter = RateConverter.class,
            description = "Devices started per second (default: ${DEFAULT-VALUE}).")
    String ramp;

    @Option(
            names = "--max-connecting",
            paramLabel = "N",
            defaultValue = "200",
            description =
                    "Most TLS handshakes in progress at once; the ramp waits for room (default: ${DEFAULT-VALUE}).")
    int maxConnecting;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description =
                    "From the first connect (with --connect-first, from when every device is connected) to the end of "
                            + "sending (default: ${DEFAULT-VALUE}).")
    Duration duration;

    @Option(
            names = "--traffic",
            paramLabel = "MODEL",
            defaultValue = "poisson",
            description = "How the devices send: poisson (clips at --clips-per-hour), constant (--rate frames/s over "
                    + "this run's devices) or saturation (every device keeps --inflight frames unpersisted) (default: "
                    + "${DEFAULT-VALUE}).")
    String traffic;

    @Option(
            names = "--clips-per-hour",
            paramLabel = "N",
            defaultValue = "12",
            description = "poisson: mean clips per device per hour, Poisson arrivals (default: ${DEFAULT-VALUE}).")
    double clipsPerHour;

    @Option(
            names = "--rate",
            paramLabel = "N/s",
            converter = RateConverter.class,
            description =
                    "constant: frames per second over this run's devices (its shard), each device its equal share.")
    String rate;

    @Option(
            names = "--inflight",
            paramLabel = "N",
            description =
                    "constant, saturation: most frames a device keeps unpersisted; at a constant rate a frame beyond "
                            + "them is skipped and counted (default: 4).")
    Integer inflight;

    @Option(
            names = "--frame-bytes",
            paramLabel = "N[..M]",
            description = "Seal random payloads of N (to M) bytes instead of the profile's JPEG frames.")
    String frameBytes;

    @Option(
            names = "--pad",
            paramLabel = "BYTES",
            defaultValue = "0",
            converter = PadConverter.class,
            description = "Pad every sealed frame to the next multiple of BYTES (64..1048576, a multiple of 16; 4096 is"
                    + " the recommended bucket); 0, the default, pads nothing.")
    int pad;

    @Option(
            names = "--connect-first",
            description = "Connect every device before any sends; --duration counts from then.")
    boolean connectFirst;

    @Option(
            names = "--source-address",
            paramLabel = "ADDR",
            description =
                    "Bind the devices' sockets to these local addresses, round robin (repeatable): each has about "
                            + "28,000 ports towards one uplink port, e.g. 127.0.0.2 for a second.")
    List<String> sourceAddresses = new ArrayList<>();

    @Option(
            names = "--min-clip",
            paramLabel = "DURATION",
            defaultValue = "4s",
            converter = DurationConverter.class,
            description = "Shortest clip (default: ${DEFAULT-VALUE}).")
    Duration minClip;

    @Option(
            names = "--max-clip",
            paramLabel = "DURATION",
            defaultValue = "20s",
            converter = DurationConverter.class,
            description = "Longest clip (default: ${DEFAULT-VALUE}).")
    Duration maxClip;

    @Option(
            names = "--profile",
            paramLabel = "NAME",
            defaultValue = "240p",
            description = "Frame profile: 240p, 480p or 720p (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "Seeds clip schedules, frames and the scenario (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(
            names = "--shard",
            paramLabel = "i/n",
            defaultValue = "0/1",
            description =
                    "Run devices [i*N/n, (i+1)*N/n) only, e.g. one shard per machine (default: ${DEFAULT-VALUE}).")
    String shard;

    @Option(
            names = "--metrics",
            paramLabel = "HOST:PORT",
            converter = MetricsAddress.Converter.class,
            description = "Serve the run's counters at /metrics (Prometheus) over plain HTTP while it runs; a bare "
                    + "PORT means 127.0.0.1:PORT (default: off). One process only (docs/OPERATIONS.md).")
    MetricsAddress metrics;

    @Option(
            names = "--processes",
            paramLabel = "N",
            defaultValue = "1",
            description = "Worker JVMs that split this shard; their results are merged (default: ${DEFAULT-VALUE}).")
    int processes;

    @Option(
            names = "--report",
            paramLabel = "DIR",
            defaultValue = "fleet-report",
            description =
                    "Where summary.txt, report.json, report.html and latency.hlog go (default: ${DEFAULT-VALUE}).")
    Path report;

    @Option(
            names = "--max-error-rate",
            paramLabel = "F",
            defaultValue = "0.01",
            description = "Exit 1 when errors per frame sent pass this (default: ${DEFAULT-VALUE}).")
    double maxErrorRate;

    @Option(
            names = "--max-connect-failure-rate",
            paramLabel = "F",
            defaultValue = "0.01",
            description = "Exit 1 when devices never welcomed per device pass this (default: ${DEFAULT-VALUE}).")
    double maxConnectFailureRate;

    @Option(
            names = "--threshold",
            paramLabel = "EXPR",
            description = "A condition the run must meet to pass (exit 0), as k6 names them (repeatable): METRIC OP "
                    + "VALUE with METRIC p50, p90, p95, p99, p99.9, p99.99, max (PERSISTED latency: ms, s or us), errors, "
                    + "connect-failures (a count, or a share with %), lost-acked, persisted, reconnects or mbps; OP "
                    + "< <= > >= =. E.g. p99<500ms, errors<1%, connect-failures=0.")
    List<String> thresholds = new ArrayList<>();

    @Option(
            names = "--io-threads",
            paramLabel = "N",
            defaultValue = "2",
            description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
    int ioThreads;

    @Option(
            names = "--sender-threads",
            paramLabel = "N",
            defaultValue = "2",
            description = "Sealing and sending threads (default: ${DEFAULT-VALUE}).")
    int senderThreads;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            defaultValue = "60s",
            converter = DurationConverter.class,
            description = "How long a device may take to be welcomed (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(
            names = "--drain-timeout",
            paramLabel = "DURATION",
            defaultValue = "30s",
            converter = DurationConverter.class,
            description = "How long to wait for PERSISTED acks at the end (default: ${DEFAULT-VALUE}).")
    Duration drainTimeout;

    @Option(
            names = "--tag",
            paramLabel = "NAME",
            defaultValue = "p0",
            hidden = true,
            description = "Names this process in latency.hlog.")
    String tag;

    @Option(names = "--progress-json", hidden = true, description = "Progress as JSON lines, for a parent process.")
    boolean progressJson;

    @Mixin
    FleetScenarioOptions scenarioOptions;

    @Option(
            names = "--verbose",
            description =
                    "Log every device's link events, and the exceptions behind failures "
                            + "with their stack traces (by default only warnings: thousands of devices would bury the progress lines).")
    boolean verbose;

    Integer run(CommandSpec spec) throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Verbosity.forFleet(verbose);
        if (devices < 1) {
            throw new ParameterException(spec.commandLine(), "--devices N is required (N >= 1)");
        }
        Shard part;
        FleetPlan plan;
        FleetScenario scenario;
        try {
            String host = HostPortConverter.host(uplink);
            scenario = scenarioOptions.build(host, seed);
            part = Shard.parse(shard);
            plan = FleetPlan.builder(host, HostPortConverter.port(uplink), fleetDir, devices)
                    .owners(owners)
                    .shard(part)
                    .ramp(RateConverter.perSecond(ramp), maxConnecting)
                    .connectFirst(connectFirst)
                    .sourceAddresses(addresses())
                    .sending(Duration.ZERO, duration)
                    .traffic(traffic())
                    .clips(minClip, maxClip)
                    .profile(Profile.parse(profile))
                    .frameBytes(frameBytes == null ? null : FleetPlan.FrameBytes.parse(frameBytes))
                    .pad(pad)
                    .seed(seed)
                    .report(report, tag)
                    .threads(ioThreads, senderThreads)
                    .timeouts(connectTimeout, drainTimeout)
                    .limits(maxErrorRate, maxConnectFailureRate)
                    .progressJson(progressJson)
                    .thresholds(thresholds())
                    .commandLine(commandLine(spec))
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        if (processes < 1) {
            throw new ParameterException(spec.commandLine(), "--processes must be at least 1, got " + processes);
        }
        if (processes > 1 && metrics != null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--metrics serves one process's counters: drop --processes, or run one fleet per machine with "
                            + "--shard and --metrics each");
        }
        if (processes > 1 && !scenarioOptions.steady()) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--scenario " + scenario.name() + " runs in one process: "
                            + "drop --processes, or run one shard per machine with --shard");
        }
        try (StopSignals signals = StopSignals.install(
                "fleet", progressJson ? null : spec.commandLine().getErr())) {
            FleetOutcome outcome;
            if (progressJson) {
                // A worker: its parent passes a signal on as a line, and a worker whose parent is gone stops too.
                signals.alsoOnLinesFrom(System.in);
            }
            if (processes == 1) {
                FleetRunner runner = FleetRunner.system();
                try (MetricsEndpoint endpoint = metricsEndpoint(runner, out)) {
                    outcome = runner.run(plan, scenario, out, signals.stop());
                } catch (UplinkFailureException e) {
                    if (progressJson) {
                        // A worker: its report holds the line, which the parent prints once for all of them.
                        return 2;
                    }
                    throw e;
                }
            } else {
                FleetRunner.provisionOnce(plan);
                Duration deadline =
                        duration.plus(connectTimeout).plus(drainTimeout).plusSeconds(60);
                outcome = new WorkerPool(FleetCommand.class.getName(), workerArgs())
                        .run(
                                processes,
                                part,
                                report,
                                deadline,
                                maxErrorRate,
                                maxConnectFailureRate,
                                plan.thresholds(),
                                plan.commandLine(),
                                out,
                                signals.stop());
            }
            if (!progressJson) {
                out.print(outcome.table());
                out.println("report: " + report.toAbsolutePath().resolve("report.html"));
            }
            out.flush();
            int verdict = outcome.passed() ? 0 : 1;
            // A worker's status is its verdict, which its parent reads; a run that a signal cut short says so, as a
            // shell
            // expects, and its report says interrupted.
            return progressJson || !outcome.interrupted() ? verdict : signals.exitStatus(verdict);
        }
    }

    /** The {@code --threshold}s, parsed; an IllegalArgumentException naming the one that is not a threshold. */
    List<Threshold> thresholds() {
        return thresholds.stream().map(Threshold::parse).toList();
    }

    /**
     * The command as typed, for the report: the program's name, then every argument from the top command's (picocli
     * gives a subcommand the whole line it was parsed from).
     */
    static List<String> commandLine(CommandSpec spec) {
        List<String> line = new ArrayList<>(List.of(spec.root().name()));
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed != null) {
            line.addAll(parsed.originalArgs());
        }
        return line;
    }

    /** The traffic model these options name; an IllegalArgumentException naming the option when they disagree. */
    private Traffic traffic() {
        if (rate != null && !"constant".equals(traffic)) {
            throw new IllegalArgumentException("--rate is for --traffic constant, not " + traffic);
        }
        if (inflight != null && "poisson".equals(traffic)) {
            throw new IllegalArgumentException("--inflight is for --traffic constant or saturation, not poisson");
        }
        int frames = inflight == null ? DEFAULT_INFLIGHT : inflight;
        return switch (traffic) {
            case "poisson" -> new Traffic.PoissonClips(clipsPerHour);
            case "constant" -> {
                if (rate == null) {
                    throw new IllegalArgumentException("--traffic constant needs --rate N/s");
                }
                yield new Traffic.ConstantRate(RateConverter.perSecond(rate), frames);
            }
            case "saturation" -> new Traffic.Saturation(frames);
            default ->
                throw new IllegalArgumentException(
                        "--traffic must be one of " + Traffic.NAMES + ", got '" + traffic + "'");
        };
    }

    private List<InetAddress> addresses() {
        List<InetAddress> addresses = new ArrayList<>();
        for (String a : sourceAddresses) {
            try {
                addresses.add(InetAddress.getByName(a));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("--source-address '" + a + "' does not resolve", e);
            }
        }
        return addresses;
    }

    /** With {@code --metrics}: the endpoint the run's counters go to from the start; null without. */
    private MetricsEndpoint metricsEndpoint(FleetRunner runner, PrintWriter out) throws IOException {
        if (metrics == null) {
            return null;
        }
        PrometheusRegistry registry = new PrometheusRegistry();
        JvmMetrics.builder().register(registry);
        runner.exportTo(registry);
        MetricsEndpoint endpoint =
                MetricsEndpoint.start(metrics.host(), metrics.port(), registry, MetricsEndpoint.Readiness::ok);
        out.println("metrics on http://" + endpoint.address().getHostString() + ":"
                + endpoint.address().getPort() + "/metrics");
        out.flush();
        return endpoint;
    }

    /** This run's options for each of {@code processes} workers: the ramp, the window and the rate split evenly. */
    private List<String> workerArgs() {
        List<String> args = new ArrayList<>(List.of(
                "--devices",
                String.valueOf(devices),
                "--uplink",
                uplink,
                "--fleet-dir",
                fleetDir.toString(),
                "--owners",
                String.valueOf(owners),
                "--ramp",
                String.valueOf(RateConverter.perSecond(ramp) / processes),
                "--duration",
                duration.toString(),
                "--traffic",
                traffic,
                "--clips-per-hour",
                String.valueOf(clipsPerHour),
                "--min-clip",
                minClip.toString(),
                "--max-clip",
                maxClip.toString(),
                "--profile",
                profile,
                "--seed",
                String.valueOf(seed),
                "--max-error-rate",
                String.valueOf(maxErrorRate),
                "--max-connect-failure-rate",
                String.valueOf(maxConnectFailureRate),
                "--io-threads",
                String.valueOf(ioThreads),
                "--sender-threads",
                String.valueOf(senderThreads),
                "--max-connecting",
                String.valueOf(Math.max(1, maxConnecting / processes)),
                "--connect-timeout",
                connectTimeout.toString(),
                "--drain-timeout",
                drainTimeout.toString()));
        if (rate != null) {
            args.addAll(List.of("--rate", String.valueOf(RateConverter.perSecond(rate) / processes)));
        }
        if (inflight != null) {
            args.addAll(List.of("--inflight", String.valueOf(inflight)));
        }
        if (frameBytes != null) {
            args.addAll(List.of("--frame-bytes", frameBytes));
        }
        if (pad > 0) {
            args.addAll(List.of("--pad", String.valueOf(pad)));
        }
        if (connectFirst) {
            args.add("--connect-first");
        }
        for (String a : sourceAddresses) {
            args.addAll(List.of("--source-address", a));
        }
        return args;
    }
}
