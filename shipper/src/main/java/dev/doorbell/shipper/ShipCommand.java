package dev.doorbell.shipper;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.logging.LogFormat;
import dev.doorbell.tier.S3Errors;
import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Options;
import dev.doorbell.uplink.store.ClosedSegments;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code scripts/uplink ship}: a sidecar beside a running uplink (as Litestream is beside SQLite) that copies the
 * store's closed segments, unchanged, to an S3-compatible bucket, the long-term tier (docs/OPERATIONS.md). It never
 * takes the store's lock and never writes a segment; PERSISTED stays the local group commit's (docs/FORMAT.md §6).
 * Exit status 0 after a stop or a {@code --once} pass, 1 when the bucket holds something else under one of the
 * store's keys, 2 on a usage or I/O error.
 */
@Command(
        name = "ship",
        mixinStandardHelpOptions = true,
        versionProvider = ShipCommand.Version.class,
        description = {
            "Copies the closed segments of an uplink's store, unchanged, to an S3-compatible object store, until",
            "stopped (SIGINT, SIGTERM) or, with --once, once.",
            "Objects go to s3://BUCKET/PREFIX/<instance>/ (docs/FORMAT.md), the instance id made once and kept in",
            "STORE/ship/, so that any number of uplinks share one bucket. Credentials come from the AWS SDK's default",
            "chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or the machine's role.",
            "A segment is shipped once closed: `serve --segment-max-age` bounds how long that takes when ingest is slow."
        })
public final class ShipCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ShipCommand.class);
    private static final Duration STOP_GRACE = Duration.ofSeconds(30);

    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "The uplink's store directory.")
    private Path data;

    @Option(
            names = "--to",
            required = true,
            paramLabel = "s3://BUCKET/PREFIX",
            description = "Where the store's folder goes; the bucket must exist.")
    private String to;

    @Option(
            names = "--endpoint",
            paramLabel = "URL",
            description = "The object store's URL, for MinIO, s3proxy, Ceph and the like (default: AWS's, by region).")
    private URI endpoint;

    @Option(
            names = "--region",
            paramLabel = "REGION",
            description = "The bucket's region (default: AWS_REGION or the profile's; us-east-1 with --endpoint).")
    private String region;

    @Option(
            names = "--path-style",
            description = "Address the bucket in the path (http://host/bucket/key): MinIO and s3proxy want it.")
    private boolean pathStyle;

    @Option(
            names = "--interval",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "How often the store is looked at for newly closed segments (default: ${DEFAULT-VALUE}).")
    private Duration interval;

    @Option(names = "--once", description = "Ship what is closed now, then exit.")
    private boolean once;

    @Option(
            names = "--max-bytes-per-second",
            paramLabel = "N",
            defaultValue = "0",
            description = "Upload at most this many bytes a second, to leave the uplink's network room; 0 for no limit"
                    + " (default: ${DEFAULT-VALUE}).")
    private long maxBytesPerSecond;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        LogFormat.select(args);
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return Cli.configure(new CommandLine(new ShipCommand()));
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        S3Location root;
        try {
            root = S3Location.parse(to);
            if (interval.isZero() || maxBytesPerSecond < 0) {
                throw new IllegalArgumentException("--interval must be above 0s and --max-bytes-per-second 0 or more");
            }
        } catch (IllegalArgumentException e) {
            err.println("ship: " + e.getMessage());
            return CliErrors.EXIT_USAGE;
        }
        if (!Files.isRegularFile(data.resolve(ClosedSegments.MARKER_FILE))) {
            err.println("ship: " + data + " is not an uplink store (no " + ClosedSegments.MARKER_FILE + " file)");
            return CliErrors.EXIT_USAGE;
        }
        ShipState state = ShipState.open(data);
        try (S3Client s3 = new S3Options(endpoint, region, pathStyle).client()) {
            Shipper shipper = new Shipper(s3, root, data, state, maxBytesPerSecond);
            LOG.info(
                    "shipping the closed segments of store {} to {}/{}{}",
                    data,
                    root,
                    state.instance(),
                    once ? " once" : " every " + DurationConverter.format(interval));
            if (once) {
                return pass(shipper, true);
            }
            Thread main = Thread.currentThread();
            Thread hook = new Thread(
                    () -> {
                        shipper.stop();
                        stopRequested.countDown();
                        try {
                            // The segment being put is finished (or the JVM ends it: S3 keeps nothing of a cut upload).
                            if (!stopped.await(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                                main.interrupt();
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "ship-stop");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                do {
                    int status = pass(shipper, false);
                    if (status != 0) {
                        return status;
                    }
                } while (!stopRequested.await(interval.toMillis(), TimeUnit.MILLISECONDS));
                LOG.info("shipper stopped; shipped up to segment {}", state.shipped());
                return 0;
            } finally {
                stopped.countDown();
            }
        }
    }

    /**
     * One pass; in a loop a failure of the store or the network is logged and the next pass tries again, with
     * {@code --once} it is the command's error. A conflict always ends the command.
     */
    private int pass(Shipper shipper, boolean alone) {
        try {
            Shipper.Pass pass = shipper.shipClosed();
            if (pass.put() > 0 || pass.alreadyThere() > 0 || pass.compacted() > 0 || pass.removed() > 0 || alone) {
                LOG.info(
                        "shipped {} segments ({} bytes), {} already in the bucket; shipped up to segment {}; {} shipped"
                                + " segments replaced compacted, {} deleted as retention removed them",
                        pass.put(),
                        pass.bytes(),
                        pass.alreadyThere(),
                        pass.newest(),
                        pass.compacted(),
                        pass.removed());
            }
            return 0;
        } catch (ShipConflictException e) {
            LOG.error("ship: {}", e.getMessage());
            spec.commandLine().getErr().println("ship: " + e.getMessage());
            return 1;
        } catch (IOException | SdkException e) {
            String why = e instanceof SdkException sdk ? S3Errors.describe(sdk) : CliErrors.message(e);
            if (alone) {
                spec.commandLine().getErr().println("ship: " + why);
                return CliErrors.EXIT_USAGE;
            }
            LOG.warn("ship: this pass failed, the next one tries again: {}", why);
            return 0;
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = ShipCommand.class.getPackage().getImplementationVersion();
            return new String[] {"doorbell-shipper " + (version == null ? "development build" : version)};
        }
    }
}
