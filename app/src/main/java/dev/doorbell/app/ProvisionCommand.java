package dev.doorbell.app;

import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.pki.ConformanceDevices;
import dev.doorbell.pki.DeviceEnrollment;
import dev.doorbell.pki.FleetLayout;
import dev.doorbell.pki.FleetProvisioner;
import dev.doorbell.pki.ProvisionException;
import dev.doorbell.pki.ProvisionRequest;
import dev.doorbell.pki.ProvisionResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code doorbell provision}: makes a fleet directory (CA, uplink identity, devices' TLS identities) or extends one.
 * The vendor's tool writes no content key and nothing of an owner's: a device becomes its owner's by {@code doorbell
 * pair}, with keys made by the owner and by the device itself.
 */
@Command(
        name = "provision",
        mixinStandardHelpOptions = true,
        description = {
            "Makes a fleet CA, the uplink's TLS identity and one directory per device with its TLS identity.",
            "",
            "It writes no content key and nothing of an owner's: the owner makes its own keys ('doorbell owner init') and"
                    + " pairs the devices ('doorbell pair'), which makes each device's signing key on the device. ca/"
                    + " stays offline; uplink/ goes to the uplink; devices/<id>/ to each device."
        })
public final class ProvisionCommand implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_REFUSED = CliErrors.EXIT_USAGE;
    /** A progress line a second; a run shorter than two seconds prints none. */
    static final long PROGRESS_INTERVAL_NANOS = 1_000_000_000L;

    @Spec
    private CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "fleet directory to write")
    private Path out;

    @Option(names = "--devices", paramLabel = "N", description = "devices with numbered ids <prefix>-0001, ...")
    private Integer devices;

    @Option(names = "--device-id", paramLabel = "ID", description = "a device with this id (repeatable)")
    private List<String> deviceIds = new ArrayList<>();

    @Option(
            names = "--prefix",
            paramLabel = "NAME",
            defaultValue = ProvisionRequest.DEFAULT_PREFIX,
            description = "prefix of numbered ids (default: ${DEFAULT-VALUE})")
    private String prefix;

    @Option(
            names = "--uplink-name",
            paramLabel = "NAME",
            description = "extra DNS name or IP of the uplink for its certificate (repeatable; localhost and 127.0.0.1 "
                    + "are always in it)")
    private List<String> uplinkNames = new ArrayList<>();

    @Option(
            names = "--validity",
            paramLabel = "DURATION",
            defaultValue = "365d",
            converter = DurationConverter.class,
            description = "lifetime of device and uplink certificates, e.g. 90d (default: ${DEFAULT-VALUE})")
    private Duration validity;

    @Option(names = "--force", description = "replace the fleet in DIR; its old keys are lost")
    private boolean force;

    @Option(names = "--add", description = "add devices to the fleet in DIR, signed by its existing CA")
    private boolean add;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "worker threads (default: eight per core, at least 32)")
    private int threads = ProvisionRequest.defaultThreads();

    @Option(
            names = "--conformance",
            description = "also make the two devices reserved for `doorbell conformance`, "
                    + "in DIR/conformance/ (its test clips are stored under their ids only, never under a doorbell's)")
    private boolean conformance;

    @Override
    public Integer call() {
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter stderr = spec.commandLine().getErr();
        boolean doorbells = devices != null || !deviceIds.isEmpty();
        if (!doorbells && !conformance) {
            stderr.println("provision: give --devices N or --device-id ID (or both), or --conformance");
            return EXIT_REFUSED;
        }
        if (devices != null && devices < 1) {
            stderr.println("provision: --devices must be 1 or more, not " + devices + "; nothing was written");
            return EXIT_REFUSED;
        }
        if (validity.isZero()) {
            stderr.println("provision: --validity must be longer than 0s; nothing was written");
            return EXIT_REFUSED;
        }
        // --add --conformance alone adds only those to the fleet in DIR; --conformance alone makes a fleet for them.
        boolean fleet = doorbells || !add;
        ProvisionRequest request = null;
        try {
            if (fleet) {
                request = new ProvisionRequest(
                        out,
                        deviceIds,
                        devices == null ? 0 : devices,
                        prefix,
                        uplinkNames,
                        validity,
                        force,
                        add,
                        threads);
            }
        } catch (IllegalArgumentException e) {
            stderr.println("provision: " + CliErrors.withOptionNames(spec, e.getMessage()) + "; nothing was written");
            return EXIT_REFUSED;
        }
        try {
            if (fleet) {
                ProvisionResult result = new FleetProvisioner(
                                new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                        .provision(request, progress(stdout));
                summary(stdout, result);
            }
            if (conformance) {
                List<Path> dirs = new ConformanceDevices(new SecureRandom(), Clock.systemUTC(), DeviceEnrollment.NONE)
                        .provision(out, validity, threads);
                stdout.printf(
                        "  conformance: %s   (doorbell conformance --devices-dir %s; their clips are test clips)%n",
                        dirs.stream().map(Path::toString).collect(Collectors.joining(", ")),
                        dirs.get(0).getParent());
                stdout.flush();
            }
            return EXIT_OK;
        } catch (ProvisionException e) {
            stderr.println("provision: " + CliErrors.message(e));
            return EXIT_REFUSED;
        }
    }

    /** Prints {@link #progressLine} when one is due; the clock is read only here, the caller's thread. */
    private static FleetProvisioner.Progress progress(PrintWriter stdout) {
        long started = System.nanoTime();
        long[] lastLine = {0};
        return (done, total) -> {
            long elapsed = System.nanoTime() - started;
            String line = progressLine(done, total, elapsed, lastLine[0]);
            if (line != null) {
                lastLine[0] = elapsed;
                stdout.println(line);
                stdout.flush();
            }
        };
    }

    /**
     * A line once a second while devices are being made ({@code elapsedNanos} since the start, the previous line at
     * {@code lastLineNanos}), and a last one when all are done if the run took long enough for lines to be printed;
     * null when none is due. Done, total, percent, seconds since the start and devices per second since the start.
     */
    static String progressLine(int done, int total, long elapsedNanos, long lastLineNanos) {
        boolean due = done == total
                ? elapsedNanos >= 2 * PROGRESS_INTERVAL_NANOS
                : elapsedNanos - lastLineNanos >= PROGRESS_INTERVAL_NANOS;
        if (!due) {
            return null;
        }
        double seconds = elapsedNanos / 1e9;
        return String.format(
                Locale.ROOT,
                "  %d/%d devices  %3d%%  %.1f s  %.0f devices/s",
                done,
                total,
                total == 0 ? 100 : (int) (100L * done / total),
                seconds,
                done / seconds);
    }

    private static void summary(PrintWriter stdout, ProvisionResult result) {
        FleetLayout layout = result.layout();
        stdout.printf(
                Locale.ROOT,
                "provisioned %d devices in %.2f s (fleet of %d) in %s%n",
                result.added().size(),
                result.elapsed().toNanos() / 1e9,
                result.fleetSize(),
                layout.root());
        stdout.printf("  uplink:  %s   (copy to the uplink host; no content keys)%n", layout.uplinkDir());
        stdout.printf("  devices: %s/<id>   (TLS identities only; each to its device)%n", layout.devicesDir());
        stdout.printf("  ca key:  %s   (keep offline; needed for --add)%n", layout.caKey());
        stdout.printf(
                "  next:    doorbell owner init --out OWNER; doorbell pair --owner OWNER --devices-dir %s%n",
                layout.devicesDir());
        stdout.flush();
    }
}
