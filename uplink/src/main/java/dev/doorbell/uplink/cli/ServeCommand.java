package dev.doorbell.uplink.cli;

import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.PortFile;
import dev.doorbell.cli.ops.MetricsAddress;
import dev.doorbell.cli.ops.MetricsEndpoint;
import dev.doorbell.uplink.server.UplinkConfig;
import dev.doorbell.uplink.server.UplinkServer;
import dev.doorbell.uplink.store.ClipStore;
import dev.doorbell.uplink.store.DirectoryStore;
import dev.doorbell.uplink.store.StoreLockedException;
import dev.doorbell.uplink.store.StoreOptions;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the uplink until SIGINT or SIGTERM (or {@link #requestStop()}), then stops gracefully: no new
 * connections, PERSISTED acks for what the store makes durable, SHUTTING_DOWN to every device, store closed.
 */
@Command(
        name = "serve",
        mixinStandardHelpOptions = true,
        versionProvider = UplinkCli.Version.class,
        defaultValueProvider = ServeCommand.Defaults.class,
        description = "Accepts devices over TLS 1.3 with client certificates and stores their sealed clips.")
public final class ServeCommand implements Callable<Integer> {
    /** The one place the real store is opened: the embedded directory store of docs/FORMAT.md §6. */
    static final StoreFactory DIRECTORY_STORE = new StoreFactory() {
        @Override
        public ClipStore open(Path dataDir) throws IOException {
            return DirectoryStore.open(dataDir, StoreOptions.defaults());
        }

        @Override
        public ClipStore open(Path dataDir, StoreOptions options) throws IOException {
            return DirectoryStore.open(dataDir, options);
        }
    };

    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);
    // Only for the defaults of the options below (Defaults); the real config is built in config().
    private static final UplinkConfig DEFAULTS =
            UplinkConfig.builder().insecurePlaintextForDebugging(true).build();
    private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);

    @Spec
    private CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Store directory.")
    private Path data;

    @Option(
            names = "--tls",
            paramLabel = "DIR",
            description =
                    "Folder with ca-cert.pem, server-cert.pem and server-key.pem (the uplink/ folder of provision).")
    private Path tls;

    @Option(names = "--host", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    private String host = "127.0.0.1";

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "Port to bind; 0 picks a free one (default: ${DEFAULT-VALUE}).")
    private int port = 7443;

    @Option(names = "--port-file", paramLabel = "FILE", description = "Write the bound port here after binding.")
    private Path portFile;

    @Option(
            names = "--metrics",
            paramLabel = "HOST:PORT",
            converter = MetricsAddress.Converter.class,
            description = "Serve /metrics (Prometheus), /healthz and /readyz over plain HTTP here; a bare PORT means "
                    + "127.0.0.1:PORT (default: off). docs/OPERATIONS.md lists the metrics.")
    private MetricsAddress metrics;

    @Option(
            names = "--insecure-plaintext-for-debugging",
            description = "No TLS; device ids are taken from Hello unverified. Never for real devices.")
    private boolean plaintext;

    @Option(
            names = "--max-message-bytes",
            paramLabel = "BYTES",
            description = "Largest message (default: ${DEFAULT-VALUE}).")
    private int maxMessageBytes;

    @Option(
            names = "--max-frame-bytes",
            paramLabel = "BYTES",
            description = "Largest sealed frame (default: ${DEFAULT-VALUE}).")
    private int maxFrameBytes;

    @Option(
            names = "--max-frames-per-clip",
            paramLabel = "N",
            description = "Frames in one clip (default: ${DEFAULT-VALUE}).")
    private int maxFramesPerClip;

    @Option(
            names = "--max-open-clips",
            paramLabel = "N",
            description = "Clips open at once per session (default: ${DEFAULT-VALUE}).")
    private int maxOpenClips;

    @Option(
            names = "--window-frames",
            paramLabel = "N",
            description = "Unpersisted frames per device (default: ${DEFAULT-VALUE}).")
    private int windowFrames;

    @Option(
            names = "--window-bytes",
            paramLabel = "BYTES",
            description = "Unpersisted bytes per device (default: ${DEFAULT-VALUE}).")
    private int windowBytes;

    @Option(
            names = "--heartbeat",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description =
                    "A device pings after this long without sending, as Welcome tells it (default: ${DEFAULT-VALUE}).")
    private Duration heartbeat;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "A session that sends nothing this long is closed (default: ${DEFAULT-VALUE}).")
    private Duration idleTimeout;

    @Option(
            names = "--handshake-deadline",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "TLS and Hello must be done within this (default: ${DEFAULT-VALUE}).")
    private Duration handshakeDeadline;

    @Option(
            names = "--max-errors",
            paramLabel = "N",
            description = "Refused requests a session may cause within "
                    + "--error-window before it is closed with TOO_MANY_ERRORS (default: ${DEFAULT-VALUE}).")
    private int maxErrors;

    @Option(
            names = "--error-window",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "The window --max-errors counts in (default: ${DEFAULT-VALUE}).")
    private Duration errorWindow;

    @Option(
            names = "--error-backoff",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long a device closed with TOO_MANY_ERRORS is refused (default: ${DEFAULT-VALUE}).")
    private Duration errorBackoff;

    @Option(
            names = "--reuse-port",
            description = "SO_REUSEPORT (epoll): several serve processes, each with its own "
                    + "--data, share one port; a device that lands on another process re-sends its open clips there.")
    private boolean reusePort;

    @Option(
            names = "--io-threads",
            paramLabel = "N",
            description = "Event-loop threads; 0 = twice the cores (default: ${DEFAULT-VALUE}).")
    private int ioThreads;

    @Option(
            names = "--shutdown-grace",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "How long a stop waits for acks (default: ${DEFAULT-VALUE}).")
    private Duration shutdownGrace;

    @Option(
            names = "--retain",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Retention by age: delete clips whose last record arrived longer ago than this ("
                    + DurationConverter.SYNTAX
                    + "), reclaiming their space in closed segments, off the event loop (default: keep everything). "
                    + "Owner's requests dropped into DIR/retention/inbox/ are applied either way.")
    private Duration retain;

    @Option(
            names = "--retention-interval",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            defaultValue = "1m",
            description = "How often retention runs (default: ${DEFAULT-VALUE}).")
    private Duration retentionInterval;

    @Option(
            names = "--segment-max-age",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "Roll the store's segment once it has held records this long, even when no record comes, so "
                    + "that a shipper (`scripts/uplink ship`, which takes closed segments only) is never further "
                    + "behind; 0s rolls by size only (default: ${DEFAULT-VALUE}).")
    private Duration segmentMaxAge = Duration.ZERO;

    @Option(
            names = "--index-closed-clips",
            paramLabel = "N",
            description = "Keep the N most recently closed clips in memory in full (header bytes, 20 bytes a frame for"
                    + " its location); an older closed clip takes compact form, about 54 bytes, and a header or frame"
                    + " a device sends again for it is compared by reading its segments back, counted against the"
                    + " device's error limit (default: ${DEFAULT-VALUE}).")
    private int indexClosedClips = StoreOptions.DEFAULT_INDEX_CLOSED_CLIPS;

    private final StoreFactory storeFactory;
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    public ServeCommand(StoreFactory storeFactory) {
        this.storeFactory = storeFactory;
    }

    /** Asks a running {@code serve} to stop gracefully, as SIGTERM does. */
    public void requestStop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        UplinkConfig config;
        try {
            config = config();
        } catch (IllegalArgumentException e) {
            err.println("serve: " + CliErrors.withOptionNames(spec, e.getMessage()));
            return CliErrors.EXIT_USAGE;
        }
        MetricsEndpoint endpoint = null;
        try (ClipStore store = storeFactory.open(
                data,
                StoreOptions.defaults().withSegmentMaxAge(segmentMaxAge).withIndexClosedClips(indexClosedClips))) {
            UplinkServer server = new UplinkServer(config, store);
            InetSocketAddress bound = server.start();
            store.startRetention(retain, retentionInterval);
            if (metrics != null) {
                try {
                    JvmMetrics.builder().register(server.metrics().registry());
                    endpoint = MetricsEndpoint.start(
                            metrics.host(), metrics.port(), server.metrics().registry(), server::readiness);
                } catch (IOException e) {
                    server.stop(Duration.ZERO);
                    throw e;
                }
            }
            StopSignals signals = StopSignals.install();
            Thread hook = new Thread(() -> stopFromSignal(signals), "uplink-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                if (portFile != null) {
                    PortFile.write(portFile, bound.getPort());
                }
                spec.commandLine()
                        .getOut()
                        .println("uplink listening on " + bound.getHostString() + ":" + bound.getPort()
                                + (plaintext
                                        ? " (INSECURE PLAINTEXT, for debugging only)"
                                        : " (TLS 1.3, client certificates required)"));
                if (endpoint != null) {
                    InetSocketAddress at = endpoint.address();
                    spec.commandLine()
                            .getOut()
                            .println("metrics on http://" + at.getHostString() + ":" + at.getPort() + "/metrics");
                }
                spec.commandLine().getOut().flush();
                stopRequested.await();
            } finally {
                server.stop(shutdownGrace);
                removeHook(hook);
                signals.close();
            }
            LOG.info("store at close: {}", store.stats());
        } catch (StoreLockedException e) {
            // One store, one uplink: refused before anything in the store was touched; the first uplink goes on.
            err.println("serve: " + e.getMessage() + "; one store, one uplink");
            return CliErrors.EXIT_USAGE;
        } catch (IOException e) {
            err.println("serve: " + CliErrors.message(e));
            return CliErrors.EXIT_USAGE;
        } finally {
            // Last: /readyz says 503 while the uplink stops, until the port closes with the process.
            if (endpoint != null) {
                endpoint.close();
            }
            stopped.countDown();
        }
        return 0;
    }

    private UplinkConfig config() {
        if (indexClosedClips < 0) {
            throw new IllegalArgumentException("--index-closed-clips must not be negative, got " + indexClosedClips);
        }
        UplinkConfig.Builder b = UplinkConfig.builder()
                .host(host)
                .port(port)
                .insecurePlaintextForDebugging(plaintext)
                .maxMessageBytes(maxMessageBytes)
                .maxFrameBytes(maxFrameBytes)
                .maxFramesPerClip(maxFramesPerClip)
                .maxOpenClips(maxOpenClips)
                .windowFrames(windowFrames)
                .windowBytes(windowBytes)
                .heartbeat(heartbeat)
                .idleTimeout(idleTimeout)
                .handshakeDeadline(handshakeDeadline)
                .reusePort(reusePort)
                .ioThreads(ioThreads)
                .errorLimit(maxErrors, errorWindow, errorBackoff)
                .dataDirectory(data);
        if (tls != null) {
            b.tlsDirectory(tls);
        } else if (!plaintext) {
            throw new IllegalArgumentException("--tls DIR is required (or --insecure-plaintext-for-debugging)");
        }
        return b.build();
    }

    /**
     * Runs on SIGINT, SIGTERM and SIGHUP (named by {@code signals}). The JVM would exit with 128 + the signal's number
     * after the hooks; a graceful stop is a success, so once the server and the store are closed this hook ends the
     * process with 0 itself.
     */
    private void stopFromSignal(StopSignals signals) {
        LOG.info("{}: stopping", signals.cause());
        requestStop();
        boolean clean;
        try {
            clean = stopped.await(shutdownGrace.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            clean = false;
        }
        System.out.flush();
        System.err.flush();
        Runtime.getRuntime().halt(clean ? 0 : 1);
    }

    /** The options' defaults are UplinkConfig's, written as a user would type them. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec option)) {
                return null;
            }
            return switch (option.longestName()) {
                case "--max-message-bytes" -> String.valueOf(DEFAULTS.maxMessageBytes());
                case "--max-frame-bytes" -> String.valueOf(DEFAULTS.maxFrameBytes());
                case "--max-frames-per-clip" -> String.valueOf(DEFAULTS.maxFramesPerClip());
                case "--max-open-clips" -> String.valueOf(DEFAULTS.maxOpenClips());
                case "--window-frames" -> String.valueOf(DEFAULTS.windowFrames());
                case "--window-bytes" -> String.valueOf(DEFAULTS.windowBytes());
                case "--heartbeat" -> DurationConverter.format(DEFAULTS.heartbeat());
                case "--idle-timeout" -> DurationConverter.format(DEFAULTS.idleTimeout());
                case "--handshake-deadline" -> DurationConverter.format(DEFAULTS.handshakeDeadline());
                case "--shutdown-grace" -> DurationConverter.format(SHUTDOWN_GRACE);
                case "--segment-max-age" -> DurationConverter.format(Duration.ZERO);
                case "--index-closed-clips" -> String.valueOf(StoreOptions.DEFAULT_INDEX_CLOSED_CLIPS);
                case "--max-errors" -> String.valueOf(DEFAULTS.maxErrors());
                case "--error-window" -> DurationConverter.format(DEFAULTS.errorWindow());
                case "--error-backoff" -> DurationConverter.format(DEFAULTS.errorBackoff());
                default -> null;
            };
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running and ends the process.
        }
    }
}
