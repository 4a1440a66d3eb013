package dev.doorbell.shipper;

import dev.doorbell.cli.Cli;
import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.logging.LogFormat;
import dev.doorbell.cli.ops.MetricsAddress;
import dev.doorbell.cli.ops.MetricsEndpoint;
import dev.doorbell.tier.S3Errors;
import dev.doorbell.tier.S3Location;
import dev.doorbell.tier.S3Options;
import dev.doorbell.uplink.store.ClosedSegments;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
 * With {@code --metrics} it serves its metrics, {@code /healthz} and {@code /readyz} as the uplink does ({@link
 * ShipperMetrics}). Exit status 0 after a stop or a {@code --once} pass, 1 when a {@code --once} pass finds the bucket
 * holding something else under one of the store's keys (a running shipper says so in {@code /readyz} and its log, and
 * tries again at each interval, overwriting nothing), 2 on a usage or I/O error.
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

    @Option(
            names = "--metrics",
            paramLabel = "HOST:PORT",
            converter = MetricsAddress.Converter.class,
            description = "Serve /metrics (Prometheus), /healthz and /readyz over plain HTTP here; a bare PORT means "
                    + "127.0.0.1:PORT (default: off). docs/OPERATIONS.md lists the metrics.")
    private MetricsAddress metrics;

    @Option(
            names = "--wait-for-store",
            description = "Wait until DIR is an uplink store instead of exiting 2: for a sidecar that starts with the"
                    + " uplink on a new volume.")
    private boolean waitForStore;

    @Option(
            names = "--not-ready-after",
            paramLabel = "N",
            defaultValue = "3",
            description = "/readyz says 503 once passes have failed (or none finished) for N intervals; at once on a"
                    + " conflict (default: ${DEFAULT-VALUE}).")
    private int notReadyAfter;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    /** The last pass's failure, so that a conflict that stays is logged once. Used by the shipping thread only. */
    private String lastFailure;

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
            if (interval.isZero() || maxBytesPerSecond < 0 || notReadyAfter < 1) {
                throw new IllegalArgumentException("--interval must be above 0s, --max-bytes-per-second 0 or more and"
                        + " --not-ready-after 1 or more");
            }
            if (once && metrics != null) {
                throw new IllegalArgumentException("--metrics serves a running shipper; --once exits after one pass");
            }
        } catch (IllegalArgumentException e) {
            err.println("ship: " + e.getMessage());
            return CliErrors.EXIT_USAGE;
        }
        Path marker = data.resolve(ClosedSegments.MARKER_FILE);
        if (!Files.isRegularFile(marker) && waitForStore && !once) {
            // A sidecar on a new volume starts with the uplink, which makes the store when it opens it.
            LOG.info("waiting for an uplink to make its store in {}", data);
            while (!Files.isRegularFile(marker)) {
                Thread.sleep(Math.min(interval.toMillis(), 1000));
            }
        }
        if (!Files.isRegularFile(marker)) {
            err.println("ship: " + data + " is not an uplink store (no " + ClosedSegments.MARKER_FILE + " file)");
            return CliErrors.EXIT_USAGE;
        }
        ShipState state = ShipState.open(data);
        ShipperMetrics counted = new ShipperMetrics(data, state, interval.multipliedBy(notReadyAfter));
        MetricsEndpoint operations = null;
        try (S3Client s3 = new S3Options(endpoint, region, pathStyle).client()) {
            Shipper shipper = new Shipper(s3, root, data, state, maxBytesPerSecond);
            shipper.events(counted);
            LOG.info(
                    "shipping the closed segments of store {} to {}/{}{}",
                    data,
                    root,
                    state.instance(),
                    once ? " once" : " every " + DurationConverter.format(interval));
            if (once) {
                return pass(shipper, counted, root.bucket(), true);
            }
            if (metrics != null) {
                JvmMetrics.builder().register(counted.registry());
                operations =
                        MetricsEndpoint.start(metrics.host(), metrics.port(), counted.registry(), counted::readiness);
                InetSocketAddress at = operations.address();
                spec.commandLine()
                        .getOut()
                        .println("metrics on http://" + at.getHostString() + ":" + at.getPort() + "/metrics");
                spec.commandLine().getOut().flush();
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
                    pass(shipper, counted, root.bucket(), false);
                } while (!stopRequested.await(interval.toMillis(), TimeUnit.MILLISECONDS));
                LOG.info("shipper stopped; shipped up to segment {}", state.shipped());
                return 0;
            } finally {
                stopped.countDown();
            }
        } catch (IOException e) {
            err.println("ship: " + CliErrors.message(e));
            return CliErrors.EXIT_USAGE;
        } finally {
            if (operations != null) {
                operations.close();
            }
        }
    }

    /**
     * One pass, timed and counted. With {@code --once} a failure is the command's error (1 for a conflict, 2 for
     * anything else); in a loop it is logged, makes {@code /readyz} say why once it lasts (a conflict at once), and the
     * next pass tries again: a conflict overwrites nothing, and an operator who removes its cause needs no restart.
     */
    private int pass(Shipper shipper, ShipperMetrics counted, String bucket, boolean alone) {
        long started = System.nanoTime();
        try {
            Shipper.Pass pass = shipper.shipClosed();
            counted.passSucceeded(System.nanoTime() - started, pass);
            lastFailure = null;
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
        } catch (IOException | UncheckedIOException | SdkException e) {
            Exception cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
            ShipperMetrics.FailureReason reason = ShipperMetrics.FailureReason.of(cause);
            String why = reason == ShipperMetrics.FailureReason.NOT_FOUND
                    // A 404 that ends a pass is the bucket's (a missing object is asked with HEAD and expected); a
                    // HEAD's 404 has no body, and the SDK's message says only the status.
                    ? "bucket " + bucket + " not found (404" + (endpoint == null ? "" : " from " + endpoint) + ")"
                    : cause instanceof SdkException sdk ? S3Errors.describe(sdk) : CliErrors.message(cause);
            boolean repeated = why.equals(lastFailure);
            lastFailure = why;
            counted.passFailed(System.nanoTime() - started, reason, why);
            if (alone) {
                spec.commandLine().getErr().println("ship: " + why);
                return reason == ShipperMetrics.FailureReason.CONFLICT ? 1 : CliErrors.EXIT_USAGE;
            }
            if (reason == ShipperMetrics.FailureReason.CONFLICT) {
                // Once per conflict, not at every interval: it stays until someone acts, and the metrics count it.
                if (!repeated) {
                    LOG.error("ship: {}; shipping stops at this segment, and each interval asks again", why);
                }
            } else {
                LOG.warn("ship: this pass failed, the next one tries again: {}", why);
            }
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
