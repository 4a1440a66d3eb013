package dev.doorbell.device.sim;

import dev.doorbell.device.camera.CameraConfig;
import dev.doorbell.device.camera.SimClock;
import dev.doorbell.device.fault.FaultPlan;
import dev.doorbell.device.link.BufferPolicy;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.device.link.LinkStats;
import dev.doorbell.device.link.SealObserver;
import dev.doorbell.device.link.UplinkCensus;
import dev.doorbell.device.link.UplinkFailure;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceTls;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.Welcome;
import dev.doorbell.wire.Transports;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a set of doorbells against one uplink: connects them (each with its own certificate), runs their cameras on
 * a thread each for the given time, prints a progress line now and then, waits until the uplink has made every
 * sealed frame durable, and reports per device. The links share one event loop (epoll where the platform has it,
 * as the uplink and the fleet); no thread per connection. Each device's state is read and written here ({@code
 * chain.state}, the recipient list): the caller holds each directory's {@link
 * dev.doorbell.device.tls.DeviceLock} for the whole run, as {@code simulate} does.
 */
public final class Simulation {
    private static final Logger log = LoggerFactory.getLogger(Simulation.class);
    /** How long every doorbell may be refused, with none welcomed, before the run stops: the uplink is unusable. */
    private static final Duration UNUSABLE_AFTER = Duration.ofSeconds(2);

    private static final long CONNECT_POLL_MILLIS = 50;

    private final List<DeviceDirectory> devices;
    private final SimulationOptions options;
    private final Supplier<SimClock> clocks;
    private final SealObserver observer;
    private final PrintWriter out;
    private final FaultPlan faults;
    private final UplinkCensus census = new UplinkCensus(UNUSABLE_AFTER, System::nanoTime);

    public Simulation(
            List<DeviceDirectory> devices,
            SimulationOptions options,
            Supplier<SimClock> clocks,
            SealObserver observer,
            PrintWriter out) {
        this(devices, options, clocks, observer, out, FaultPlan.none());
    }

    /**
     * The same doorbells committing the firmware {@code faults} on purpose (docs/FIRMWARE.md, "Fault modes"): each
     * fault is named in a warning line on {@code out} and in the log before any doorbell starts.
     */
    public Simulation(
            List<DeviceDirectory> devices,
            SimulationOptions options,
            Supplier<SimClock> clocks,
            SealObserver observer,
            PrintWriter out,
            FaultPlan faults) {
        this.devices = List.copyOf(devices);
        this.options = options;
        this.clocks = clocks;
        this.observer = observer;
        this.out = out;
        this.faults = faults;
    }

    /**
     * Runs the doorbells; an {@link UplinkFailureException} (one line) when they cannot get their sessions: no doorbell
     * can use the uplink, or not every one was welcomed within the connect timeout.
     */
    public SimulationReport run() throws InterruptedException, UplinkFailureException {
        return run(new CompletableFuture<>());
    }

    /**
     * The same; when {@code stop} completes (with a signal's name) the run ends there as at the end of its duration:
     * the cameras stop, each open clip gets its final frame, PERSISTED acks are awaited within the drain timeout, and
     * the report says it was interrupted.
     */
    public SimulationReport run(CompletableFuture<String> stop) throws InterruptedException, UplinkFailureException {
        EventLoopGroup group = Transports.newGroup(1);
        List<SimulatedDoorbell> doorbells = new ArrayList<>();
        List<FaultPlan.BootChainState> bootChains = new ArrayList<>();
        try {
            SecureRandom random = new SecureRandom();
            for (DeviceDirectory device : devices) {
                warnFaults(device.deviceId());
                bootChains.add(faults.bootChainState(device.path()));
            }
            for (DeviceDirectory device : devices) {
                doorbells.add(create(device, group, random));
            }
            long started = System.nanoTime();
            if (!connectAll(doorbells, stop)) {
                progress(doorbells, started).print("interrupted while connecting");
                return SimulationReport.of(
                        doorbells,
                        drainAll(doorbells),
                        Duration.ofNanos(System.nanoTime() - started),
                        stop.getNow(null));
            }
            started = System.nanoTime();
            List<Thread> cameras = new ArrayList<>();
            for (SimulatedDoorbell d : doorbells) {
                Duration ring = options.ringAt().get(d.deviceId());
                if (ring != null) {
                    d.camera().visitorPressesAt(d.startMicros() + ring.toNanos() / 1000);
                }
                Thread t = new Thread(() -> d.run(options.duration()), "camera-" + d.deviceId());
                t.start();
                cameras.add(t);
            }
            // Stopping a camera ends its clip with a final frame, on the camera's own thread.
            stop.thenRun(() -> doorbells.forEach(d -> d.camera().stop()));
            Progress progress = progress(doorbells, started);
            long next = System.nanoTime() + options.progressEvery().toNanos();
            for (Thread t : cameras) {
                while (t.isAlive()) {
                    t.join(Math.max(1, (next - System.nanoTime()) / 1_000_000));
                    if (System.nanoTime() >= next) {
                        progress.print("running");
                        next += options.progressEvery().toNanos();
                    }
                }
            }
            // A signal during the drain cuts nothing short: the cameras ran their time.
            String interruptedBy = stop.getNow(null);
            progress.print("cameras stopped, waiting for PERSISTED");
            boolean drained = drainAll(doorbells);
            progress.print(drained ? "all persisted" : "not everything persisted");
            return SimulationReport.of(
                    doorbells, drained, Duration.ofNanos(System.nanoTime() - started), interruptedBy);
        } finally {
            for (SimulatedDoorbell d : doorbells) {
                d.link().close();
                flushChain(d);
                d.device().destroy();
            }
            rollBackChains(bootChains);
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private SimulatedDoorbell create(DeviceDirectory device, EventLoopGroup group, SecureRandom random) {
        // Before any connection: an unpaired doorbell stops the run with one line that says to pair it.
        PairedDevice paired = DevicePairing.load(device.path());
        LinkConfig.Builder link = LinkConfig.builder(options.host(), options.port(), device.deviceId())
                .firmware("doorbell-sim/" + version())
                .connectTimeout(options.connectTimeout())
                .buffer(faults.bufferLimitBytes(LinkConfig.DEFAULT_BUFFER_LIMIT_BYTES), BufferPolicy.DROP_OLDEST_CLIP);
        if (options.insecurePlaintext()) {
            link.insecurePlaintext();
        } else {
            link.tls(DeviceTls.clientContext(device));
        }
        CameraConfig camera = CameraConfig.defaults(
                        device.deviceId(), options.profile(), options.seedFor(device.deviceId()))
                .withRolls(options.preRoll(), options.postRoll(), options.maxClip())
                .withRates(options.ringRatePerHour(), options.crossingRatePerMinute(), 6.0);
        LinkClient client = new LinkClient(
                link.build(),
                group,
                new LinkListener() {
                    @Override
                    public void onWelcome(Welcome welcome) {
                        census.welcomed();
                    }

                    @Override
                    public void onConnectFailed(UplinkFailure failure) {
                        census.failed(device.deviceId(), failure);
                    }

                    @Override
                    public void onError(Error error) {
                        log.warn(
                                "device {}: uplink error {} ({}): {}",
                                device.deviceId(),
                                error.getCode(),
                                error.getRetriable() ? "retriable" : "not retriable",
                                error.getMessage());
                    }
                },
                paired,
                paired.chain());
        return new SimulatedDoorbell(paired, camera, clocks.get(), client, random, options.padTo(), observer, faults);
    }

    /**
     * Starts every doorbell's link and waits for every Welcome. Fails with one line as soon as no doorbell can use the
     * uplink at all (refused, TLS trust either way: {@link UplinkCensus}), or at the connect timeout with the reason
     * of a doorbell that was not welcomed.
     */
    private Progress progress(List<SimulatedDoorbell> doorbells, long started) {
        return new Progress(doorbells, out, started);
    }

    /** True when every doorbell was welcomed; false when {@code stop} came first. */
    private boolean connectAll(List<SimulatedDoorbell> doorbells, CompletableFuture<String> stop)
            throws UplinkFailureException, InterruptedException {
        List<CompletableFuture<?>> welcomes = new ArrayList<>();
        for (SimulatedDoorbell d : doorbells) {
            welcomes.add(d.link().start());
        }
        CompletableFuture<Void> all = CompletableFuture.allOf(welcomes.toArray(CompletableFuture[]::new));
        long deadline = System.nanoTime() + options.connectTimeout().toNanos();
        while (true) {
            try {
                all.get(CONNECT_POLL_MILLIS, TimeUnit.MILLISECONDS);
                break;
            } catch (TimeoutException e) {
                if (stop.isDone()) {
                    return false;
                }
                Optional<UplinkFailureException> unusable = census.unusable();
                if (unusable.isEmpty() && System.nanoTime() >= deadline) {
                    unusable = census.unusableAtTheEnd();
                    if (unusable.isEmpty()) {
                        throw notWelcomed(doorbells, welcomes);
                    }
                }
                if (unusable.isPresent()) {
                    log.debug(
                            "why no doorbell could use the uplink",
                            unusable.get().failure().cause());
                    throw unusable.get();
                }
            } catch (ExecutionException e) {
                throw new UplinkFailureException(
                        "a doorbell could not get a session with the uplink at " + options.host() + ":" + options.port()
                                + ": " + e.getCause().getMessage(),
                        null);
            }
        }
        out.printf(
                "%d doorbell(s) connected to %s:%d%s%n",
                doorbells.size(),
                options.host(),
                options.port(),
                options.insecurePlaintext() ? " (INSECURE PLAINTEXT, for debugging only)" : " over TLS 1.3");
        out.flush();
        return true;
    }

    /** One line: how many doorbells were not welcomed in time, and why the first of them was not. */
    private UplinkFailureException notWelcomed(List<SimulatedDoorbell> doorbells, List<CompletableFuture<?>> welcomes) {
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < doorbells.size(); i++) {
            if (!welcomes.get(i).isDone()) {
                waiting.add(doorbells.get(i).deviceId());
            }
        }
        String first = waiting.get(0);
        UplinkFailure why = census.latest(first).orElse(null);
        return new UplinkFailureException(
                waiting.size() + " of " + doorbells.size() + " doorbells were not welcomed by "
                        + "the uplink at " + options.host() + ":" + options.port() + " within "
                        + options.connectTimeout().toSeconds()
                        + " s; " + first + ": "
                        + (why == null ? "no Welcome (is the uplink overloaded?)" : why.message()),
                why);
    }

    private boolean drainAll(List<SimulatedDoorbell> doorbells) {
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (SimulatedDoorbell d : doorbells) {
            drains.add(d.link().drain(options.drainTimeout()));
        }
        boolean all = true;
        for (int i = 0; i < drains.size(); i++) {
            try {
                drains.get(i).get(options.drainTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LinkStats s = doorbells.get(i).link().stats();
                log.warn(
                        "device {}: {} bytes still not persisted after {} s",
                        doorbells.get(i).deviceId(),
                        s.bufferedBytes(),
                        options.drainTimeout().toSeconds());
                all = false;
            }
        }
        return all;
    }

    private void warnFaults(String deviceId) {
        for (String line : faults.warnings(deviceId)) {
            log.warn("{}", line);
            out.println(line);
        }
        out.flush();
    }

    /** {@link dev.doorbell.device.fault.FirmwareFault#CHAIN_ROLLBACK}: the writes of this run never reached flash. */
    private static void rollBackChains(List<FaultPlan.BootChainState> bootChains) {
        for (FaultPlan.BootChainState boot : bootChains) {
            try {
                boot.restore();
            } catch (IOException e) {
                log.warn("cannot roll chain state {} back to its boot copy: {}", boot.file(), e.toString());
            }
        }
    }

    /** The chain state's writes after the last acknowledgements, before the process may end. */
    private static void flushChain(SimulatedDoorbell d) {
        try {
            if (!d.device().chain().flush(Duration.ofSeconds(5))) {
                log.warn("device {}: chain state not written within 5 s", d.deviceId());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String version() {
        String v = Simulation.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
