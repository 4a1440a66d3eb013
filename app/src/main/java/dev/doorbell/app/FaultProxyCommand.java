package dev.doorbell.app;

import dev.doorbell.cli.CliErrors;
import dev.doorbell.cli.DurationConverter;
import dev.doorbell.cli.HostPortConverter;
import dev.doorbell.cli.PortFile;
import dev.doorbell.fleet.faults.FaultPlan;
import dev.doorbell.fleet.faults.FaultProxy;
import dev.doorbell.fleet.faults.FaultStats;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code doorbell fault-proxy}: a TCP relay between doorbells and the uplink that injects network faults. */
@Command(
        name = "fault-proxy",
        mixinStandardHelpOptions = true,
        description = {
            "Relays TCP from --listen to --target and injects faults per connection: resets (RST), stalls, "
                    + "half-open connections, 1-byte writes and delayed acks. TLS passes through untouched.",
            "Point `doorbell simulate --uplink` at the listen address. Rates are per-connection probabilities. Runs until "
                    + "SIGINT or SIGTERM (or for --duration), then prints its final counters."
        })
public final class FaultProxyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(
            names = "--listen",
            defaultValue = "127.0.0.1:0",
            paramLabel = "HOST:PORT",
            converter = HostPortConverter.class,
            description = "address to accept doorbells on; port 0 picks one (default: ${DEFAULT-VALUE})")
    private String listen;

    @Option(
            names = "--target",
            required = true,
            paramLabel = "HOST:PORT",
            converter = HostPortConverter.class,
            description = "the uplink")
    private String target;

    @Option(
            names = "--seed",
            paramLabel = "N",
            defaultValue = "1",
            description = "seed of the fault plan (default: ${DEFAULT-VALUE})")
    private long seed;

    @Option(
            names = "--reset-rate",
            paramLabel = "P",
            defaultValue = "0.2",
            description = "chance of a reset (default: ${DEFAULT-VALUE})")
    private double resetRate;

    @Option(
            names = "--reset-after-bytes",
            defaultValue = "262144",
            paramLabel = "BYTES",
            description =
                    "a reset strikes within this many bytes, or within --fault-within (default: ${DEFAULT-VALUE})")
    private long resetAfterBytes;

    @Option(
            names = "--stall-rate",
            paramLabel = "P",
            defaultValue = "0.2",
            description = "chance of a stall (default: ${DEFAULT-VALUE})")
    private double stallRate;

    @Option(
            names = "--stall-max",
            paramLabel = "DURATION",
            defaultValue = "2s",
            converter = DurationConverter.class,
            description = "longest stall of one direction (default: ${DEFAULT-VALUE})")
    private Duration stallMax;

    @Option(
            names = "--half-open-rate",
            paramLabel = "P",
            defaultValue = "0.05",
            description = "chance of a half-open hold (default: ${DEFAULT-VALUE})")
    private double halfOpenRate;

    @Option(
            names = "--half-open-hold",
            paramLabel = "DURATION",
            defaultValue = "40s",
            converter = DurationConverter.class,
            description =
                    "how long a half-open connection is held before the proxy resets it (default: ${DEFAULT-VALUE})")
    private Duration halfOpenHold;

    @Option(
            names = "--one-byte-rate",
            paramLabel = "P",
            defaultValue = "0.2",
            description = "chance of 1-byte writes (default: ${DEFAULT-VALUE})")
    private double oneByteRate;

    @Option(
            names = "--one-byte-budget",
            defaultValue = "4096",
            paramLabel = "BYTES",
            description = "bytes per direction written one at a time (default: ${DEFAULT-VALUE})")
    private int oneByteBudget;

    @Option(
            names = "--delay-rate",
            paramLabel = "P",
            defaultValue = "0.3",
            description = "chance of delayed acks (uplink-to-device direction) (default: ${DEFAULT-VALUE})")
    private double delayRate;

    @Option(
            names = "--delay-max",
            paramLabel = "DURATION",
            defaultValue = "500ms",
            converter = DurationConverter.class,
            description = "longest delay of the uplink-to-device direction (default: ${DEFAULT-VALUE})")
    private Duration delayMax;

    @Option(
            names = "--fault-within",
            paramLabel = "DURATION",
            defaultValue = "10s",
            converter = DurationConverter.class,
            description = "timed faults strike within this time after a connection opens (default: ${DEFAULT-VALUE})")
    private Duration faultWithin;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "1000",
            description = "connections relayed at once (default: ${DEFAULT-VALUE})")
    private int maxConnections;

    @Option(
            names = "--duration",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "stop after this long (default: run until SIGINT or SIGTERM)")
    private Duration duration;

    @Option(
            names = "--port-file",
            paramLabel = "FILE",
            description = "write the port it listens on here once it listens (for --listen HOST:0)")
    private Path portFile;

    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Asks a running proxy to stop as SIGTERM does: it prints its final counters and returns 0. */
    public void requestStop() {
        stopRequested.countDown();
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FaultPlan plan;
        try {
            plan = FaultPlan.none()
                    .withResets(resetRate, resetAfterBytes)
                    .withStalls(stallRate, stallMax)
                    .withHalfOpen(halfOpenRate, halfOpenHold)
                    .withOneByteWrites(oneByteRate, oneByteBudget)
                    .withDelays(delayRate, delayMax)
                    .withFaultWithin(faultWithin)
                    .withMaxConnections(maxConnections);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), CliErrors.withOptionNames(spec, e.getMessage()));
        }
        InetSocketAddress listenAddress = address(listen, "--listen");
        InetSocketAddress targetAddress = address(target, "--target");
        try (FaultProxy proxy = new FaultProxy(listenAddress, targetAddress, plan, seed)) {
            InetSocketAddress bound;
            try {
                bound = proxy.start();
            } catch (Exception e) {
                throw new IOException("cannot listen on " + listen + ": " + CliErrors.message(e), e);
            }
            Thread hook = new Thread(this::stopFromSignal, "fault-proxy-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                if (portFile != null) {
                    PortFile.write(portFile, bound.getPort());
                }
                out.printf(
                        "fault proxy on %s:%d -> %s, seed %d, %s%n",
                        bound.getHostString(),
                        bound.getPort(),
                        target,
                        seed,
                        duration == null
                                ? "until stopped (SIGINT or SIGTERM)"
                                : "for " + DurationConverter.format(duration));
                out.flush();
                relay(proxy, out);
                out.printf("done: %s%n", proxy.stats().line());
                out.flush();
            } finally {
                removeHook(hook);
            }
        } finally {
            stopped.countDown();
        }
        return 0;
    }

    /** Prints the counters each second they change, until the duration is over or a stop is asked for. */
    private void relay(FaultProxy proxy, PrintWriter out) throws InterruptedException {
        long start = System.nanoTime();
        long end = duration == null ? 0 : start + duration.toNanos();
        long next = start;
        FaultStats last = null;
        while (duration == null || System.nanoTime() - end < 0) {
            next += Duration.ofSeconds(1).toNanos();
            long due = duration == null || next - end < 0 ? next : end;
            if (stopRequested.await(Math.max(0, due - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return;
            }
            FaultStats now = proxy.stats();
            if (!now.equals(last)) {
                out.printf(
                        "%4d s  %s%n",
                        Duration.ofNanos(System.nanoTime() - start).toSeconds(), now.line());
                out.flush();
                last = now;
            }
        }
    }

    /**
     * Runs on SIGINT and SIGTERM: the proxy stops as at the end of --duration (final counters printed). The JVM would
     * exit with 130 or 143 after the hooks; a stop that was asked for is a success, so this hook ends with 0 itself.
     */
    private void stopFromSignal() {
        requestStop();
        boolean clean;
        try {
            clean = stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            clean = false;
        }
        System.out.flush();
        Runtime.getRuntime().halt(clean ? 0 : 1);
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // Already shutting down: the hook is running and ends the process.
        }
    }

    private InetSocketAddress address(String hostPort, String option) {
        InetSocketAddress address =
                new InetSocketAddress(HostPortConverter.host(hostPort), HostPortConverter.port(hostPort));
        if (address.isUnresolved()) {
            throw new ParameterException(
                    spec.commandLine(),
                    option + " " + hostPort + ": the host '" + HostPortConverter.host(hostPort) + "' does not resolve");
        }
        return address;
    }
}
