package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.cli.RateConverter;

import dev.doorbell.device.camera.Profile;
import dev.doorbell.fleet.FleetOutcome;
import dev.doorbell.fleet.FleetPlan;
import dev.doorbell.fleet.FleetRunner;
import dev.doorbell.fleet.FleetScenario;
import dev.doorbell.fleet.Shard;
import dev.doorbell.fleet.WorkerPool;
import dev.doorbell.device.link.UplinkFailureException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The options of `fleet` and `fleet run`, and running them (in this process or as worker processes). */
public final class FleetRunOptions {
  @Option(names = "--devices", paramLabel = "N", description = "Devices in the whole fleet (required).")
  int devices;

  @Option(names = "--uplink", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7443",
      converter = HostPortConverter.class, description = "The uplink's address (default: ${DEFAULT-VALUE}).")
  String uplink;

  @Option(names = "--fleet-dir", paramLabel = "DIR", defaultValue = "fleet",
      description = "The provisioned fleet; N devices are provisioned there when it has none (default: "
          + "${DEFAULT-VALUE}).")
  Path fleetDir;

  @Option(names = "--ramp", paramLabel = "N/s", defaultValue = "500/s", converter = RateConverter.class,
      description = "Devices started per second (default: ${DEFAULT-VALUE}).")
  String ramp;

  @Option(names = "--max-connecting", paramLabel = "N", defaultValue = "200",
      description = "Most TLS handshakes in progress at once; the ramp waits for room (default: ${DEFAULT-VALUE}).")
  int maxConnecting;

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "60s", converter = DurationConverter.class,
      description = "From the first connect to the end of sending (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--clips-per-hour", paramLabel = "N", defaultValue = "12",
      description = "Mean clips per device per hour, Poisson arrivals (default: ${DEFAULT-VALUE}).")
  double clipsPerHour;

  @Option(names = "--min-clip", paramLabel = "DURATION", defaultValue = "4s", converter = DurationConverter.class,
      description = "Shortest clip (default: ${DEFAULT-VALUE}).")
  Duration minClip;

  @Option(names = "--max-clip", paramLabel = "DURATION", defaultValue = "20s", converter = DurationConverter.class,
      description = "Longest clip (default: ${DEFAULT-VALUE}).")
  Duration maxClip;

  @Option(names = "--profile", paramLabel = "NAME", defaultValue = "240p",
      description = "Frame profile: 240p, 480p or 720p (default: ${DEFAULT-VALUE}).")
  String profile;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seeds clip schedules, frames and the scenario (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1",
      description = "Run devices [i*N/n, (i+1)*N/n) only, e.g. one shard per machine (default: ${DEFAULT-VALUE}).")
  String shard;

  @Option(names = "--processes", paramLabel = "N", defaultValue = "1",
      description = "Worker JVMs that split this shard; their results are merged (default: ${DEFAULT-VALUE}).")
  int processes;

  @Option(names = "--report", paramLabel = "DIR", defaultValue = "fleet-report",
      description = "Where summary.txt, report.json, report.html and latency.hlog go (default: ${DEFAULT-VALUE}).")
  Path report;

  @Option(names = "--max-error-rate", paramLabel = "F", defaultValue = "0.01",
      description = "Exit 1 when errors per frame sent pass this (default: ${DEFAULT-VALUE}).")
  double maxErrorRate;

  @Option(names = "--max-connect-failure-rate", paramLabel = "F", defaultValue = "0.01",
      description = "Exit 1 when devices never welcomed per device pass this (default: ${DEFAULT-VALUE}).")
  double maxConnectFailureRate;

  @Option(names = "--io-threads", paramLabel = "N", defaultValue = "2",
      description = "Event-loop threads (default: ${DEFAULT-VALUE}).")
  int ioThreads;

  @Option(names = "--sender-threads", paramLabel = "N", defaultValue = "2",
      description = "Sealing and sending threads (default: ${DEFAULT-VALUE}).")
  int senderThreads;

  @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "60s",
      converter = DurationConverter.class,
      description = "How long a device may take to be welcomed (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(names = "--drain-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
      description = "How long to wait for PERSISTED acks at the end (default: ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(names = "--tag", paramLabel = "NAME", defaultValue = "p0", hidden = true,
      description = "Names this process in latency.hlog.")
  String tag;

  @Option(names = "--progress-json", hidden = true, description = "Progress as JSON lines, for a parent process.")
  boolean progressJson;

  @Mixin FleetScenarioOptions scenarioOptions;

  @Option(names = "--verbose", description = "Log every device's link events, and the exceptions behind failures "
      + "with their stack traces (by default only warnings: thousands of devices would bury the progress lines).")
  boolean verbose;

  Integer run(CommandSpec spec) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Verbosity.forFleet(verbose);
    int colon = uplink.lastIndexOf(':');
    if (colon < 1) {
      throw new ParameterException(spec.commandLine(), "--uplink must be HOST:PORT, got '" + uplink + "'");
    }
    if (devices < 1) {
      throw new ParameterException(spec.commandLine(), "--devices N is required (N >= 1)");
    }
    Shard part;
    FleetPlan plan;
    FleetScenario scenario;
    try {
      scenario = scenarioOptions.build(uplink.substring(0, colon), seed);
      part = Shard.parse(shard);
      plan = new FleetPlan(uplink.substring(0, colon), Integer.parseInt(uplink.substring(colon + 1)), fleetDir,
          devices, part, Double.parseDouble(ramp.replace("/s", "").trim()), maxConnecting, duration, clipsPerHour,
          minClip, maxClip, Profile.parse(profile), seed, report, tag, ioThreads, senderThreads, connectTimeout,
          drainTimeout, maxErrorRate, maxConnectFailureRate, progressJson);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    if (processes < 1) {
      throw new ParameterException(spec.commandLine(), "--processes must be at least 1, got " + processes);
    }
    if (processes > 1 && !scenarioOptions.steady()) {
      throw new ParameterException(spec.commandLine(), "--scenario " + scenario.name() + " runs in one process: "
          + "drop --processes, or run one shard per machine with --shard");
    }
    try (StopSignals signals = StopSignals.install("fleet", progressJson ? null : spec.commandLine().getErr())) {
      FleetOutcome outcome;
      if (progressJson) {
        // A worker: its parent passes a signal on as a line, and a worker whose parent is gone stops too.
        signals.alsoOnLinesFrom(System.in);
      }
      if (processes == 1) {
        try {
          outcome = FleetRunner.system().run(plan, scenario, out, signals.stop());
        } catch (UplinkFailureException e) {
          if (progressJson) {
            // A worker: its report holds the line, which the parent prints once for all of them.
            return 2;
          }
          throw e;
        }
      } else {
        FleetRunner.provisionOnce(plan);
        Duration deadline = duration.plus(connectTimeout).plus(drainTimeout).plusSeconds(60);
        outcome = new WorkerPool(FleetCommand.class.getName(), workerArgs()).run(processes, part, report, deadline,
            maxErrorRate, maxConnectFailureRate, out, signals.stop());
      }
      if (!progressJson) {
        out.print(outcome.table());
        out.println("report: " + report.toAbsolutePath().resolve("report.html"));
      }
      out.flush();
      int verdict = outcome.passed() ? 0 : 1;
      // A worker's status is its verdict, which its parent reads; a run that a signal cut short says so, as a shell
      // expects, and its report says interrupted.
      return progressJson || !outcome.interrupted() ? verdict : signals.exitStatus(verdict);
    }
  }

  private List<String> workerArgs() {
    return List.of("--devices", String.valueOf(devices), "--uplink", uplink, "--fleet-dir", fleetDir.toString(),
        "--ramp", String.valueOf(Double.parseDouble(ramp.replace("/s", "").trim()) / processes), "--duration",
        duration.toString(), "--clips-per-hour", String.valueOf(clipsPerHour), "--min-clip", minClip.toString(),
        "--max-clip", maxClip.toString(), "--profile", profile, "--seed", String.valueOf(seed), "--max-error-rate",
        String.valueOf(maxErrorRate), "--max-connect-failure-rate", String.valueOf(maxConnectFailureRate),
        "--io-threads", String.valueOf(ioThreads), "--sender-threads", String.valueOf(senderThreads),
        "--max-connecting", String.valueOf(Math.max(1, maxConnecting / processes)),
        "--connect-timeout", connectTimeout.toString(), "--drain-timeout", drainTimeout.toString());
  }
}
