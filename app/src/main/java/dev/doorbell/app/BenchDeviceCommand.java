package dev.doorbell.app;

import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.cli.PortFile;
import dev.doorbell.conformance.bench.BenchConfig;
import dev.doorbell.conformance.bench.BenchOutcome;
import dev.doorbell.conformance.bench.BenchReport;
import dev.doorbell.conformance.bench.DeviceBench;
import dev.doorbell.owner.identity.OwnerDirectory;
import dev.doorbell.seal.v2.Identity;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
        name = "bench-device",
        mixinStandardHelpOptions = true,
        description = {
            "A test uplink for a device implementation under test (docs/FIRMWARE.md).",
            "",
            "The device connects to it as to a real uplink (TLS 1.3 with the fleet's uplink certificate, client",
            "certificates from `provision`, docs/PROTOCOL.md) and records clips as usual; the bench plays one case per",
            "clip, in order: a normal clip, a small window, PERSISTED withheld (with a Ping check) and a dropped link, a",
            "dropped link mid-clip, STORAGE_UNAVAILABLE three times (backoff with jitter), a shutdown and restart, and a",
            "revoked certificate (the device must stop). Every Welcome announces small limits, every header is checked",
            "without keys for repeated nonce prefixes, commitments and encapsulations and for its chain link.",
            "Prints a table (and --json FILE). Exit status: 0 when every case ran and passed, 1 otherwise, 2 on a usage",
            "or I/O error."
        })
public final class BenchDeviceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            required = true,
            converter = HostPortConverter.class,
            description = "Where to listen (HOST:0 for any free port; see --port-file).")
    String listen;

    @Option(
            names = "--fleet-dir",
            paramLabel = "DIR",
            required = true,
            description = "The fleet of `doorbell provision`: the bench serves with DIR/uplink's certificate and key.")
    Path fleetDir;

    @Option(
            names = "--insecure-owner-identity",
            paramLabel = "OWNER",
            description = "INSECURE, test fleets only: the owner's directory, to open every frame as it arrives and"
                    + " report sealing faults at once. The bench then holds what opens every clip of the device.")
    Path ownerIdentity;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON (for CI).")
    Path json;

    @Option(
            names = "--port-file",
            paramLabel = "FILE",
            description = "Write the port the bench listens on here once it listens.")
    Path portFile;

    @Option(
            names = "--timeout",
            paramLabel = "DURATION",
            defaultValue = "5m",
            converter = DurationConverter.class,
            description = "End the run after this long; cases not reached are NOT_RUN (default: ${DEFAULT-VALUE}).")
    Duration timeout;

    @Option(
            names = "--revoked-watch",
            paramLabel = "DURATION",
            defaultValue = "3s",
            converter = DurationConverter.class,
            description = "How long a revoked device must stay away (default: ${DEFAULT-VALUE}).")
    Duration revokedWatch;

    @Option(
            names = "--retry-max",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "The longest retry delay accepted after STORAGE_UNAVAILABLE (default: ${DEFAULT-VALUE}).")
    Duration retryMax;

    @Option(
            names = "--restart-pause",
            paramLabel = "DURATION",
            defaultValue = "1s",
            converter = DurationConverter.class,
            description = "How long the bench stops listening in shutdown-restart (default: ${DEFAULT-VALUE}).")
    Duration restartPause;

    @Option(names = "--verbose", description = "Log at debug level.")
    boolean verbose;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Verbosity.forFewDevices(verbose);
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(fleetDir)) {
            throw new ParameterException(spec.commandLine(), "--fleet-dir " + fleetDir + " is not a directory");
        }
        Optional<Identity> identity = Optional.empty();
        OwnerDirectory owner = null;
        if (ownerIdentity != null) {
            if (!Files.exists(ownerIdentity.resolve(OwnerDirectory.SECRET_FILE))) {
                throw new ParameterException(
                        spec.commandLine(),
                        "--insecure-owner-identity " + ownerIdentity + " is not an owner directory (no "
                                + OwnerDirectory.SECRET_FILE + ")");
            }
            owner = OwnerDirectory.load(ownerIdentity);
            identity = Optional.of(owner);
            spec.commandLine()
                    .getErr()
                    .println("WARNING: --insecure-owner-identity: this bench holds the owner's keys of " + ownerIdentity
                            + " and opens every frame it receives; never use it with a real owner");
        }
        BenchConfig config = new BenchConfig(
                HostPortConverter.host(listen),
                HostPortConverter.port(listen),
                fleetDir,
                restartPause,
                revokedWatch,
                retryMax,
                Duration.ofSeconds(3));
        try (DeviceBench bench = new DeviceBench(config, identity, line -> {
            out.println("FAULT " + line);
            out.flush();
        })) {
            int port = bench.start();
            if (portFile != null) {
                PortFile.write(portFile, port);
            }
            out.printf("device bench listening on %s:%d; connect the device under test%n", config.host(), port);
            out.flush();
            List<BenchOutcome> outcomes = bench.await(timeout);
            BenchReport report = new BenchReport(bench.deviceId(), bench.opensFrames(), Instant.now(), outcomes);
            report.printTable(out);
            if (json != null) {
                report.writeJson(json);
            }
            return report.passed() ? 0 : 1;
        } finally {
            if (owner != null) {
                owner.destroy();
            }
        }
    }
}
