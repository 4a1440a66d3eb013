package dev.doorbell.fleet;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.device.link.BufferPolicy;
import dev.doorbell.device.link.ClipUploader;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.link.UplinkCensus;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.device.pairing.DevicePairing;
import dev.doorbell.device.pairing.PairedDevice;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.DeviceLock;
import dev.doorbell.device.tls.SharedDeviceTls;
import dev.doorbell.wire.Transports;
import io.netty.channel.EventLoopGroup;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The load tester: runs this process's shard of a fleet against an uplink. Every device has its own TLS identity and
 * pairing (its signing key, its owner's recipient list: a fresh key per clip, wrapped to the list) and seals every
 * frame ({@link ClipUploader}); the links share a few event-loop threads (epoll where the
 * platform has it) and one TLS context per fleet CA, a few sender threads drive the devices by the plan's
 * {@link Traffic} model. It starts the devices at the ramp rate with a bounded number of handshakes in progress
 * (and, with {@link FleetPlan#connectFirst()}, waits for all before sending), prints progress and appends the
 * second's latency histogram to latency.hlog once a second, drains, and writes the report. `doorbell fleet` and the
 * benchmarks (scripts/bench-store, scripts/bench-fleet-capacity) run this same code.
 */
public final class FleetRunner {
    private static final Logger log = LoggerFactory.getLogger(FleetRunner.class);
    private static final int POOL_FRAMES = 48;
    private static final int POOL_PAYLOADS = 64;
    private static final long BUFFER_BYTES = 4L << 20;
    /** How long every device may be refused, with none welcomed, before the run stops as unusable. */
    static final Duration UNUSABLE_AFTER = Duration.ofSeconds(2);
    /** From the end of connecting to the first frame, so that every sender thread is running by then. */
    private static final Duration START_DELAY = Duration.ofMillis(200);

    private static final long WATCH_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final long RAMP_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long HOOK_GRACE_MILLIS = TimeUnit.SECONDS.toMillis(10);
    private static final String NOT_STARTED = "not started before the end of the run";

    private final Clock wallClock;
    private final LongSupplier nanoTime;
    private final SecureRandom random;
    private volatile PrometheusRegistry metricsRegistry;

    public FleetRunner(Clock wallClock, LongSupplier nanoTime, SecureRandom random) {
        this.wallClock = wallClock;
        this.nanoTime = nanoTime;
        this.random = random;
    }

    public static FleetRunner system() {
        return new FleetRunner(Clock.systemUTC(), System::nanoTime, new SecureRandom());
    }

    /**
     * Registers the counters of each run from now on in {@code registry} (one run per registry: its names are
     * registered once), for {@code fleet --metrics}.
     */
    public FleetRunner exportTo(PrometheusRegistry registry) {
        this.metricsRegistry = registry;
        return this;
    }

    /** Runs the plan, printing progress to {@code out}; the report says whether the run passed its thresholds. */
    public FleetOutcome run(FleetPlan plan, PrintWriter out) throws IOException, InterruptedException {
        return run(plan, FleetScenario.steady(), RunHook.NONE, out, new CompletableFuture<>());
    }

    /** The same under {@code scenario}, ending early when {@code stop} completes; no hook. */
    public FleetOutcome run(FleetPlan plan, FleetScenario scenario, PrintWriter out, CompletableFuture<String> stop)
            throws IOException, InterruptedException {
        return run(plan, scenario, RunHook.NONE, out, stop);
    }

    /**
     * Runs the plan under {@code scenario} (a reconnect storm, churn, a slow uplink), which the report describes, with
     * {@code hook} called at each phase. When {@code stop} completes (with a signal's name) sending ends there, as at
     * the end of the duration: open clips get their final frame, the drain awaits their acks, and the report says the
     * run was interrupted. When no device can use the uplink at all ({@link UplinkCensus}), the run stops within
     * seconds, writes its report, and throws the one-line reason.
     */
    public FleetOutcome run(
            FleetPlan plan, FleetScenario scenario, RunHook hook, PrintWriter out, CompletableFuture<String> stop)
            throws IOException, InterruptedException {
        List<String> ids = FleetFiles.deviceIds(plan.fleetDir(), plan.devices(), plan.owners(), random, wallClock);
        List<String> mine = ids.subList(plan.from(), plan.to());
        FleetMetrics metrics = new FleetMetrics(new UplinkCensus(UNUSABLE_AFTER, nanoTime), wallClock::millis);
        if (metricsRegistry != null) {
            metrics.export(FleetExporter.register(metricsRegistry, metrics, mine.size()));
        }
        RunEnd end = new RunEnd();
        AtomicLong sendStart = new AtomicLong(Long.MAX_VALUE);
        AtomicReference<Thread> ramp = new AtomicReference<>();
        List<SenderThread> senders = new ArrayList<>();
        boolean closedLoop = plan.traffic() instanceof Traffic.Saturation;
        for (int t = 0; t < plan.senderThreads(); t++) {
            senders.add(new SenderThread(closedLoop, nanoTime, wallClock, sendStart::get, end::nanos));
        }
        EventLoopGroup group = Transports.newGroup(plan.ioThreads());
        List<FleetDevice> devices = new ArrayList<>(mine.size());
        try (LatencyLog hlog =
                LatencyLog.create(plan.report().resolve(LatencyLog.FILE), plan.tag(), wallClock.millis())) {
            InetSocketAddress target = scenario.route(new InetSocketAddress(plan.host(), plan.port()));
            Payloads payloads = plan.frameBytes() == null
                    ? Payloads.of(FramePool.shared(plan.profile(), plan.seed(), POOL_FRAMES))
                    : new PayloadPool(
                            POOL_PAYLOADS,
                            plan.frameBytes().min(),
                            plan.frameBytes().max(),
                            plan.seed());
            // Loading thousands of certificates and keys takes seconds: the run's clock starts after it, with the ramp.
            load(plan, mine, target, payloads, metrics, group, devices, senders, ramp);
            hook.loaded(devices.size());
            // The first interval starts with the run, not while certificates were loading.
            metrics.takeInterval(null);
            long startNanos = nanoTime.getAsLong();
            long startMillis = wallClock.millis();
            if (!plan.connectFirst()) {
                startSending(plan, metrics, end, sendStart, startNanos);
            }
            // A signal while the certificates loaded ends the run as soon as it starts.
            stop.thenAccept(signal -> end.stop(nanoTime.getAsLong(), RunEnd.Cause.SIGNAL, signal));
            ProgressTicker ticker = new ProgressTicker(
                    metrics,
                    devices,
                    hlog,
                    out,
                    plan.progressJson(),
                    nanoTime,
                    () -> scenario.progress(metrics.reconnects.sum(), metrics.lostAcked.sum()),
                    wallClock::millis);
            Thread ticking = daemon("fleet-ticker", () -> ticker.runUntil(startNanos, end::nanos));
            ramp.set(daemon("fleet-ramp", () -> ramp(devices, plan, metrics, end, startNanos, ramp)));
            AtomicReference<UplinkFailureException> unusable = new AtomicReference<>();
            Thread watch = daemon("fleet-watch", () -> watch(metrics.census, end, unusable));
            if (plan.connectFirst() && connected(plan, devices, metrics, end, hook, startNanos)) {
                startSending(plan, metrics, end, sendStart, nanoTime.getAsLong() + START_DELAY.toNanos());
            }
            List<Thread> threads = new ArrayList<>();
            Thread scenarioThread = null;
            if (sendStart.get() != Long.MAX_VALUE) {
                for (int t = 0; t < senders.size(); t++) {
                    threads.add(daemon("fleet-sender-" + t, senders.get(t)));
                }
                LiveFleet live = new LiveFleet(links(devices), metrics, nanoTime, sendStart.get(), end.nanos());
                scenarioThread = daemon("fleet-scenario", () -> sending(scenario.hook(), hook, live));
            }
            ticking.join();
            if (end.cause() != RunEnd.Cause.DURATION && scenarioThread != null) {
                // A scenario waits for the planned end; an early end is its end too, and what it measured stays.
                scenarioThread.interrupt();
            }
            ramp.get().join(TimeUnit.SECONDS.toMillis(5));
            watch.join(TimeUnit.SECONDS.toMillis(1));
            if (unusable.get() == null) {
                // Sending ended before the grace did: no device welcomed and every one refused is the same verdict.
                metrics.census.unusableAtTheEnd().ifPresent(unusable::set);
            }
            // A device never welcomed by the end of sending is a connect failure, however long its connect timeout.
            for (FleetDevice d : devices) {
                failed(metrics, d, d.fail("not welcomed by the end of the run"), unusable.get() != null);
            }
            long notStarted = metrics.connectFailureReasons().getOrDefault(NOT_STARTED, 0L);
            if (notStarted > 0 && unusable.get() == null && end.cause() == RunEnd.Cause.DURATION) {
                log.warn(
                        "the run ended before {} of {} devices were started (raise --ramp or --duration)",
                        notStarted,
                        devices.size());
            }
            for (Thread t : threads) {
                TimeUnit.NANOSECONDS.timedJoin(t, TimeUnit.SECONDS.toNanos(30));
            }
            if (scenarioThread != null) {
                // A hook returns by the end of sending; one that does not is interrupted and what it measured stays.
                scenarioThread.join(HOOK_GRACE_MILLIS);
                scenarioThread.interrupt();
            }
            LoadResult measured = measured(plan, devices, metrics);
            ticker.runWhile(
                    drain(devices.stream().filter(FleetDevice::welcomed).toList(), plan.drainTimeout()),
                    nanoTime.getAsLong() + plan.drainTimeout().toNanos() + 1_000_000_000L);
            long unpersisted =
                    devices.stream().mapToLong(FleetDevice::unpersisted).sum();
            double seconds = (nanoTime.getAsLong() - startNanos) / 1e9;
            FleetTotals totals = new FleetTotals(
                    devices.size(),
                    metrics.failed.sum(),
                    metrics.connects.sum(),
                    metrics.clips.sum(),
                    metrics.framesSent.sum(),
                    metrics.framesPersisted.sum(),
                    metrics.bytesPersisted.sum(),
                    metrics.refused.sum(),
                    metrics.errors.sum(),
                    unpersisted,
                    seconds,
                    metrics.reconnects.sum(),
                    metrics.lostAcked.sum(),
                    metrics.framesSkipped.sum());
            hlog.close();
            String runId = RunRecord.newRunId();
            RunRecord record = new RunRecord(
                    runId,
                    List.of(runId),
                    List.of(new RunRecord.Span(startMillis, startMillis + Math.round(seconds * 1000))),
                    end.cause() == RunEnd.Cause.SIGNAL,
                    end.cause() == RunEnd.Cause.ABORT ? "aborted" : end.reason(),
                    unusable.get() == null ? null : unusable.get().getMessage(),
                    metrics.connectFailureReasons());
            metrics.errorTable.add("unpersisted", unpersisted);
            RunDetails details = new RunDetails(
                    RunMeta.here(plan, plan.commandLine(), startMillis, seconds, List.of()),
                    ticker.series().points(),
                    metrics.errorTable.entries(),
                    SlowDevice.slowest(
                            devices.stream().map(FleetDevice::latencyFigures).toList()),
                    plan.thresholds());
            FleetOutcome outcome = FleetMerge.report(
                            totals,
                            List.of(plan.report().resolve(LatencyLog.FILE)),
                            plan.report(),
                            plan.maxErrorRate(),
                            plan.maxConnectFailureRate(),
                            scenario,
                            plan.traffic(),
                            record,
                            details)
                    .withMeasured(measured);
            if (unusable.get() != null) {
                log.debug(
                        "why no device could use the uplink",
                        unusable.get().failure().cause());
                throw unusable.get();
            }
            return outcome;
        } finally {
            devices.forEach(d -> d.link().close());
            scenario.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** Provisions the fleet if it has none yet, before worker processes would each try to. */
    public static void provisionOnce(FleetPlan plan) throws IOException {
        FleetFiles.deviceIds(plan.fleetDir(), plan.devices(), plan.owners(), new SecureRandom(), Clock.systemUTC());
    }

    /** Sending starts at {@code atNanos} and lasts the warmup and the duration; the window after the warmup counts. */
    private static void startSending(
            FleetPlan plan, FleetMetrics metrics, RunEnd end, AtomicLong sendStart, long atNanos) {
        long measureStart = atNanos + plan.warmup().toNanos();
        long endNanos = measureStart + plan.duration().toNanos();
        metrics.window(measureStart, endNanos);
        end.plan(endNanos);
        sendStart.set(atNanos);
    }

    /**
     * With {@link FleetPlan#connectFirst()}: waits until every device is welcomed or has failed, then runs the hook's
     * connected and idle phases. False when the run ended first (a signal, an unusable uplink).
     */
    private boolean connected(
            FleetPlan plan, List<FleetDevice> devices, FleetMetrics metrics, RunEnd end, RunHook hook, long startNanos)
            throws InterruptedException {
        while (metrics.connecting.sum() > 0) {
            if (nanoTime.getAsLong() >= end.nanos()) {
                return false;
            }
            LockSupport.parkNanos(RAMP_PARK_NANOS);
        }
        long welcomed = devices.size() - metrics.failed.sum();
        long connectNanos = metrics.lastFirstWelcomeNanos.get() - startNanos;
        log.info("{} of {} devices welcomed in {} ms", welcomed, devices.size(), connectNanos / 1_000_000);
        hook.connected((int) welcomed, Math.max(0, connectNanos));
        long idleStart = nanoTime.getAsLong();
        hook.idle(new LiveFleet(
                links(devices),
                metrics,
                nanoTime,
                idleStart,
                idleStart + plan.connectTimeout().toNanos()));
        return nanoTime.getAsLong() < end.nanos();
    }

    private static void sending(RunHook scenario, RunHook hook, LiveFleet live) {
        try {
            scenario.sending(live);
            hook.sending(live);
        } catch (InterruptedException e) {
            log.warn("scenario interrupted after the end of sending");
        }
    }

    /** Builds every device of the run: its identity, pairing, schedule, link and uploader. */
    private void load(
            FleetPlan plan,
            List<String> mine,
            InetSocketAddress target,
            Payloads payloads,
            FleetMetrics metrics,
            EventLoopGroup group,
            List<FleetDevice> devices,
            List<SenderThread> senders,
            AtomicReference<Thread> ramp)
            throws IOException {
        // One BoringSSL context per fleet CA, not one per device: a held device then costs its connection only.
        SharedDeviceTls tls = new SharedDeviceTls(wallClock);
        Traffic traffic = plan.traffic();
        double clipsPerHour = traffic instanceof Traffic.PoissonClips p ? p.clipsPerHour() : 0;
        long buffer = traffic.inflight() == Integer.MAX_VALUE
                ? BUFFER_BYTES
                // A device never has more than `inflight` frames waiting, so its buffer needs room for those and a
                // header.
                : Math.max(BUFFER_BYTES, (traffic.inflight() + 2L) * (payloads.largestBytes() + 1024));
        for (int i = 0; i < mine.size(); i++) {
            int global = plan.from() + i;
            Path deviceDir = FleetFiles.deviceDir(plan.fleetDir(), mine.get(i));
            // Not held for the run (a descriptor per device would halve the devices a process holds; the chain is in
            // memory), but a device that another process runs is not run a second time (docs/FLEET.md).
            DeviceLock.refuseIfInUse(deviceDir);
            DeviceDirectory dir = DeviceDirectory.load(deviceDir);
            // In memory: a fleet device never restarts within a run (docs/FLEET.md).
            PairedDevice paired = DevicePairing.loadWithChainInMemory(dir.path());
            ClipSchedule schedule = new ClipSchedule(
                    plan.seed(),
                    global,
                    clipsPerHour,
                    plan.profile().fps(),
                    plan.minClip().toNanos(),
                    plan.maxClip().toNanos());
            SenderThread owner = senders.get(i % senders.size());
            // A welcome hands the device to its sender thread and frees a place in the ramp's window.
            Consumer<FleetDevice> onFirstWelcome = d -> {
                owner.join(d);
                wake(ramp);
            };
            FleetDevice device = new FleetDevice(
                    dir.deviceId(),
                    paired,
                    random,
                    schedule,
                    payloads,
                    plan.profile(),
                    traffic,
                    global,
                    i,
                    mine.size(),
                    metrics,
                    nanoTime,
                    plan.padTo(),
                    onFirstWelcome);
            LinkConfig config = LinkConfig.builder(target.getHostString(), target.getPort(), dir.deviceId())
                    .tls(tls.contextFor(dir))
                    .firmware("doorbell-fleet/1")
                    .connectTimeout(Duration.ofSeconds(30))
                    .buffer(buffer, BufferPolicy.BLOCK)
                    // Each source address has only ~28k ephemeral ports towards one uplink port.
                    .localAddress(
                            plan.sourceAddresses().isEmpty()
                                    ? null
                                    : plan.sourceAddresses()
                                            .get(i % plan.sourceAddresses().size()))
                    .build();
            device.attach(new ClipUploader(new LinkClient(config, group, device, paired, paired.chain()), device));
            devices.add(device);
        }
        metrics.connecting.add(devices.size());
    }

    /**
     * Starts device i at start + i/ramp, but never more than {@code maxConnecting} handshakes at once: thousands of
     * TLS handshakes started together on a small machine all time out and retry in a storm; a welcome or a failure
     * wakes the ramp for the next one. A device not welcomed within the connect timeout fails and is closed; devices
     * not started by the end of sending fail too.
     */
    private void ramp(
            List<FleetDevice> devices,
            FleetPlan plan,
            FleetMetrics metrics,
            RunEnd end,
            long startNanos,
            AtomicReference<Thread> self) {
        double interval = 1e9 / plan.rampPerSecond();
        for (int i = 0; i < devices.size(); i++) {
            long at = startNanos + (long) (i * interval);
            long now;
            // The end is read on every pass: a run stopped early must not wait here for a start time after it.
            while ((now = nanoTime.getAsLong()) < end.nanos()
                    && (now < at || metrics.connecting.sum() - (devices.size() - i) >= plan.maxConnecting())) {
                LockSupport.parkNanos(Math.max(1_000_000, Math.min(at - now, RAMP_PARK_NANOS)));
            }
            if (now >= end.nanos()) {
                for (FleetDevice d : devices.subList(i, devices.size())) {
                    d.fail(NOT_STARTED);
                }
                return;
            }
            FleetDevice d = devices.get(i);
            d.connecting();
            CompletableFuture<?> welcomed = d.link().start();
            welcomed.orTimeout(plan.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                    .whenComplete((w, e) -> {
                        if (e != null) {
                            failed(
                                    metrics,
                                    d,
                                    d.fail("no Welcome within the connect timeout"),
                                    end.cause() == RunEnd.Cause.ABORT);
                            wake(self);
                        }
                    });
        }
    }

    private static void wake(AtomicReference<Thread> thread) {
        Thread t = thread.get();
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Logs the first device that failed for each reason; the others are counted in the report, not logged. Quiet when
     * the run has its one line already: no device could use the uplink.
     */
    private static void failed(FleetMetrics metrics, FleetDevice d, String reason, boolean quiet) {
        if (reason != null && !quiet && metrics.firstOfItsKind(reason)) {
            log.warn(
                    "device {} was never welcomed: {} (every such device is counted in the report; only the first is "
                            + "logged)",
                    d.deviceId(),
                    reason);
        }
    }

    /** Stops the run as soon as no device can use the uplink at all; returns at the end of sending. */
    private void watch(UplinkCensus census, RunEnd end, AtomicReference<UplinkFailureException> unusable) {
        while (nanoTime.getAsLong() < end.nanos()) {
            Optional<UplinkFailureException> why = census.unusable();
            if (why.isPresent()) {
                if (end.stop(nanoTime.getAsLong(), RunEnd.Cause.ABORT, why.get().getMessage())) {
                    unusable.set(why.get());
                }
                return;
            }
            LockSupport.parkNanos(WATCH_PARK_NANOS);
        }
    }

    /** The figures of the measured window: the sending time after the warmup. */
    private static LoadResult measured(FleetPlan plan, List<FleetDevice> devices, FleetMetrics metrics) {
        double offered = plan.traffic() instanceof Traffic.ConstantRate c ? c.framesPerSecond() : 0;
        return new LoadResult(
                (int) (devices.size() - metrics.failed.sum()),
                offered,
                plan.duration().toNanos() / 1e9,
                metrics.measuredFrames.sum(),
                metrics.measuredBytes.sum(),
                metrics.framesSent.sum(),
                metrics.framesSkipped.sum(),
                metrics.refused.sum(),
                metrics.errors.sum(),
                metrics.takeMeasured());
    }

    private static List<LinkClient> links(List<FleetDevice> devices) {
        return devices.stream().map(FleetDevice::link).toList();
    }

    private static Thread daemon(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Completes when every device has drained, or with a TimeoutException after {@code timeout}. */
    private static CompletableFuture<Void> drain(List<FleetDevice> devices, Duration timeout) {
        List<CompletableFuture<Void>> drains = new ArrayList<>();
        for (FleetDevice d : devices) {
            drains.add(d.link().drain(timeout));
        }
        return CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new)).whenComplete((v, e) -> {
            if (e != null) {
                log.warn("not every device drained within {} s: {}", timeout.toSeconds(), e.toString());
            }
        });
    }
}
