package dev.doorbell.app;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.logging.LogFormat;
import dev.doorbell.fleet.FleetMerge;
import dev.doorbell.fleet.FleetOutcome;
import dev.doorbell.fleet.Threshold;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
        name = "fleet",
        mixinStandardHelpOptions = true,
        subcommands = {FleetCommand.Run.class, FleetCommand.Merge.class},
        description = {
            "Runs thousands of doorbells against an uplink and reports PERSISTED latency honestly.",
            "",
            "Each device has its own certificate and keys and seals every frame; it sends by --traffic: a seeded Poisson",
            "clip schedule (the default), a constant --rate, or saturation (closed loop). The benchmarks run this same load",
            "tester. Latency is measured from each frame's intended send time (no coordinated omission) into HdrHistograms;",
            "latency.hlog keeps one histogram per second so that runs of several processes or machines merge exactly",
            "(`fleet merge`).",
            "`fleet ...` is `fleet run ...`. SIGINT or SIGTERM ends the run early as --duration would: open clips get their",
            "final frame, acknowledgements are awaited within --drain-timeout, and the report, marked interrupted, is",
            "written; a second one exits at once. Exit status: 0 when the run passed (errors and connect failures within",
            "their limits, no acknowledged frame lost, something persisted), 1 when not, 2 on a usage or I/O error or an",
            "uplink that no device can use (one line says why), 130 or 143 after SIGINT or SIGTERM. Fields: docs/FLEET.md."
        })
public final class FleetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    FleetRunOptions options;

    @Override
    public Integer call() throws Exception {
        return options.run(spec);
    }

    /**
     * Worker processes start here. An exception exits 2 as under {@code doorbell fleet}, so that the parent tells a
     * broken worker (2) from a run over its limits (1).
     */
    public static void main(String[] args) {
        LogFormat.select(args);
        System.exit(Cli.configure(new CommandLine(new FleetCommand())).execute(args));
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Runs a fleet (the default subcommand).")
    static final class Run implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        FleetRunOptions options;

        @Override
        public Integer call() throws Exception {
            return options.run(spec);
        }
    }

    @Command(
            name = "merge",
            mixinStandardHelpOptions = true,
            description = "Adds fleet reports (each a directory with report.json and latency.hlog) into one report.")
    static final class Merge implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Parameters(arity = "1..*", paramLabel = "DIR", description = "Report directories of runs or shards.")
        List<Path> runs;

        @Option(names = "--report", paramLabel = "DIR", required = true, description = "Where the merged report goes.")
        Path report;

        @Option(
                names = "--max-error-rate",
                paramLabel = "F",
                defaultValue = "0.01",
                description = "Error threshold (default: " + "${DEFAULT-VALUE}).")
        double maxErrorRate;

        @Option(
                names = "--max-connect-failure-rate",
                paramLabel = "F",
                defaultValue = "0.01",
                description = "Connect failure threshold (default: ${DEFAULT-VALUE}).")
        double maxConnectFailureRate;

        @Option(
                names = "--threshold",
                paramLabel = "EXPR",
                description =
                        "A condition the merged run must meet to pass, as for `fleet` (repeatable), e.g. p99<500ms.")
        List<String> thresholds = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            List<Threshold> conditions;
            try {
                conditions = thresholds.stream().map(Threshold::parse).toList();
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), e.getMessage());
            }
            FleetOutcome outcome = FleetMerge.merge(
                    runs, report, maxErrorRate, maxConnectFailureRate, conditions, FleetRunOptions.commandLine(spec));
            spec.commandLine().getOut().print(outcome.table());
            spec.commandLine().getOut().flush();
            return outcome.passed() ? 0 : 1;
        }
    }
}
