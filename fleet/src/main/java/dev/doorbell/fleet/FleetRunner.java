package dev.doorbell.fleet;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.seal.keys.EpochKeyFile;
import dev.doorbell.device.link.BufferPolicy;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.link.UplinkCensus;
import dev.doorbell.device.link.UplinkFailureException;
import dev.doorbell.fleet.load.LiveLoad;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.device.tls.SharedDeviceTls;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs this process's shard of a fleet: starts the devices at the ramp rate on one shared event loop group, lets the
 * sender threads seal and send each device's Poisson clip schedule until the end, prints progress and appends the
 * second's latency histogram to latency.hlog once a second, drains, and writes the report.
 */
public final class FleetRunner {
  private static final Logger log = LoggerFactory.getLogger(FleetRunner.class);
  private static final int POOL_FRAMES = 48;
  private static final long BUFFER_BYTES = 4L << 20;
  /** How long every device may be refused, with none welcomed, before the run stops as unusable. */
  static final Duration UNUSABLE_AFTER = Duration.ofSeconds(2);
  private static final long WATCH_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private static final String NOT_STARTED = "not started before the end of the run";
  private static final long RAMP_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

  private final Clock wallClock;
  private final LongSupplier nanoTime;
  private final SecureRandom random;

  public FleetRunner(Clock wallClock, LongSupplier nanoTime, SecureRandom random) {
    this.wallClock = wallClock;
    this.nanoTime = nanoTime;
    this.random = random;
  }

  public static FleetRunner system() {
    return new FleetRunner(Clock.systemUTC(), System::nanoTime, new SecureRandom());
  }

  /** Runs the plan, printing progress to {@code out}; the report says whether the run passed its thresholds. */
  public FleetOutcome run(FleetPlan plan, PrintWriter out) throws IOException, InterruptedException {
    return run(plan, FleetScenario.steady(), out, new CompletableFuture<>());
  }

  /**
   * Runs the plan under {@code scenario} (a reconnect storm, churn, a slow uplink), which the report describes.
   * When {@code stop} completes (with a signal's name) sending ends there, as at the end of the duration: open clips
   * get their final frame, the drain awaits their acks, and the report says the run was interrupted. When no device
   * can use the uplink at all ({@link UplinkCensus}), the run stops within seconds, writes its report, and throws
   * the one-line reason.
   */
  public FleetOutcome run(FleetPlan plan, FleetScenario scenario, PrintWriter out, CompletableFuture<String> stop)
      throws IOException, InterruptedException {
    List<String> ids = FleetFiles.deviceIds(plan.fleetDir(), plan.devices(), random, wallClock);
    List<String> mine = ids.subList(plan.shard().from(plan.devices()), plan.shard().to(plan.devices()));
    FramePool frames = FramePool.shared(plan.profile(), plan.seed(), POOL_FRAMES);
    FleetMetrics metrics = new FleetMetrics(new UplinkCensus(UNUSABLE_AFTER, nanoTime));
    // Loading thousands of certificates and keys takes seconds: the run's clock starts after it, with the ramp.
    RunEnd end = new RunEnd();
    List<SenderThread> senders = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < plan.senderThreads(); t++) {
      SenderThread s = new SenderThread(nanoTime, wallClock, end::nanos);
      Thread thread = new Thread(s, "fleet-sender-" + t);
      thread.setDaemon(true);
      senders.add(s);
      threads.add(thread);
    }
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(plan.ioThreads(), NioIoHandler.newFactory());
    List<FleetDevice> devices = new ArrayList<>(mine.size());
    long firstClipId = wallClock.millis() * 1000;
    try (LatencyLog hlog = LatencyLog.create(plan.report().resolve(LatencyLog.FILE), plan.tag(), wallClock.millis())) {
      InetSocketAddress target = scenario.route(new InetSocketAddress(plan.host(), plan.port()));
      // One BoringSSL context per fleet CA, not one per device: a held device then costs its connection only.
      SharedDeviceTls tls = new SharedDeviceTls(wallClock);
      for (int i = 0; i < mine.size(); i++) {
        int global = plan.shard().from(plan.devices()) + i;
        SenderThread owner = senders.get(i % senders.size());
        devices.add(device(plan, target, DeviceDirectory.load(FleetFiles.deviceDir(plan.fleetDir(), mine.get(i))),
            tls, global, frames, metrics, group, firstClipId, owner));
      }
      metrics.connecting.add(devices.size());
      // The first interval starts with the run, not while certificates were loading.
      metrics.takeInterval(null);
      long startNanos = nanoTime.getAsLong();
      long startMillis = wallClock.millis();
      long endNanos = startNanos + plan.duration().toNanos();
      end.plan(endNanos);
      // A signal while the certificates loaded ends the run as soon as it starts.
      stop.thenAccept(signal -> end.stop(nanoTime.getAsLong(), RunEnd.Cause.SIGNAL, signal));
      threads.forEach(Thread::start);
      Thread ramp = daemon("fleet-ramp", () -> ramp(devices, plan, metrics, end, startNanos));
      AtomicReference<UplinkFailureException> unusable = new AtomicReference<>();
      Thread watch = daemon("fleet-watch", () -> watch(metrics.census, end, unusable));
      Thread hook = startScenario(scenario, devices, metrics, startNanos, endNanos);
      ProgressTicker ticker = new ProgressTicker(metrics, devices, hlog, out, plan.progressJson(), nanoTime,
          () -> scenario.progress(metrics.reconnects.sum(), metrics.lostAcked.sum()));
      ticker.runUntil(startNanos, end::nanos);
      if (end.cause() != RunEnd.Cause.DURATION) {
        // A scenario waits for the planned end; an early end is its end too, and what it measured stays.
        hook.interrupt();
      }
      ramp.join(TimeUnit.SECONDS.toMillis(5));
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
        log.warn("the run ended before {} of {} devices were started (raise --ramp or --duration)", notStarted,
            devices.size());
      }
      for (Thread t : threads) {
        TimeUnit.NANOSECONDS.timedJoin(t, TimeUnit.SECONDS.toNanos(30));
      }
      // A hook returns by the end of sending; one that does not is interrupted and what it measured stays.
      hook.join(TimeUnit.SECONDS.toMillis(10));
      hook.interrupt();
      ticker.runWhile(drain(devices.stream().filter(FleetDevice::welcomed).toList(), plan.drainTimeout()),
          nanoTime.getAsLong() + plan.drainTimeout().toNanos() + 1_000_000_000L);
      long unpersisted = devices.stream().mapToLong(FleetDevice::unpersisted).sum();
      double seconds = (nanoTime.getAsLong() - startNanos) / 1e9;
      FleetTotals totals = new FleetTotals(devices.size(), metrics.failed.sum(), metrics.connects.sum(),
          metrics.clips.sum(), metrics.framesSent.sum(), metrics.framesPersisted.sum(), metrics.bytesPersisted.sum(),
          metrics.refused.sum(), metrics.errors.sum(), unpersisted, seconds, metrics.reconnects.sum(),
          metrics.lostAcked.sum());
      hlog.close();
      String runId = RunRecord.newRunId();
      RunRecord record = new RunRecord(runId, List.of(runId), List.of(new RunRecord.Span(startMillis,
          startMillis + Math.round(seconds * 1000))), end.cause() == RunEnd.Cause.SIGNAL,
          end.cause() == RunEnd.Cause.ABORT ? "aborted" : end.reason(), unusable.get() == null ? null
          : unusable.get().getMessage(), metrics.connectFailureReasons());
      FleetOutcome outcome = FleetMerge.report(totals, List.of(plan.report().resolve(LatencyLog.FILE)),
          plan.report(), plan.maxErrorRate(), plan.maxConnectFailureRate(), scenario, record);
      if (unusable.get() != null) {
        log.debug("why no device could use the uplink", unusable.get().failure().cause());
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
    FleetFiles.deviceIds(plan.fleetDir(), plan.devices(), new SecureRandom(), Clock.systemUTC());
  }

  /** Runs the scenario's hook on its own thread from the start of sending, on a {@link LiveLoad} of the fleet. */
  private Thread startScenario(FleetScenario scenario, List<FleetDevice> devices, FleetMetrics metrics,
      long startNanos, long endNanos) {
    LiveLoad live = new LiveLoad(devices.stream().map(FleetDevice::link).toList(), new LiveLoad.Counters() {
      @Override
      public long welcomes() {
        return metrics.connects.sum();
      }

      @Override
      public long connected() {
        return metrics.connected.sum();
      }

      @Override
      public long framesAcknowledged() {
        return metrics.framesPersisted.sum();
      }

      @Override
      public Histogram takeLatency() {
        return metrics.takeScenarioInterval();
      }
    }, nanoTime, startNanos, endNanos);
    Thread thread = new Thread(() -> {
      try {
        scenario.hook().during(live);
      } catch (InterruptedException e) {
        log.warn("scenario {} interrupted after the end of sending", scenario.name());
      }
    }, "fleet-scenario");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private FleetDevice device(FleetPlan plan, InetSocketAddress target, DeviceDirectory dir, SharedDeviceTls tls,
      int globalIndex, FramePool frames, FleetMetrics metrics, EventLoopGroup group, long firstClipId,
      SenderThread owner) {
    ClipSchedule schedule = new ClipSchedule(plan.seed(), globalIndex, plan.clipsPerHour(), plan.profile().fps(),
        plan.minClip().toNanos(), plan.maxClip().toNanos());
    FleetDevice device = new FleetDevice(dir.deviceId(), EpochKeyFile.read(dir.epochKeyFile()), schedule, frames,
        metrics, random, nanoTime, firstClipId, owner::join);
    LinkConfig config = LinkConfig.builder(target.getHostString(), target.getPort(), dir.deviceId())
        .tls(tls.contextFor(dir))
        .firmware("doorbell-fleet/1")
        .connectTimeout(Duration.ofSeconds(30))
        .buffer(BUFFER_BYTES, BufferPolicy.BLOCK)
        .build();
    device.attach(new LinkClient(config, group, device));
    return device;
  }

  /**
   * Starts device i at start + i/ramp, but never more than {@code maxConnecting} handshakes at once: thousands of
   * TLS handshakes started together on a small machine all time out and retry in a storm. A device not welcomed
   * within the connect timeout fails and is closed; devices not started by the end of sending fail too.
   */
  private void ramp(List<FleetDevice> devices, FleetPlan plan, FleetMetrics metrics, RunEnd end, long startNanos) {
    double interval = 1e9 / plan.rampPerSecond();
    for (int i = 0; i < devices.size(); i++) {
      long at = startNanos + (long) (i * interval);
      long now;
      // The end is read on every pass: a run stopped early must not wait here for a start time after it.
      while ((now = nanoTime.getAsLong()) < end.nanos() && (now < at
          || metrics.connecting.sum() - (devices.size() - i) >= plan.maxConnecting())) {
        LockSupport.parkNanos(Math.max(1_000_000, Math.min(at - now, RAMP_PARK_NANOS)));
      }
      if (now >= end.nanos()) {
        for (FleetDevice d : devices.subList(i, devices.size())) {
          d.fail(NOT_STARTED);
        }
        return;
      }
      FleetDevice d = devices.get(i);
      CompletableFuture<?> welcomed = d.link().start();
      welcomed.orTimeout(plan.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((w, e) -> {
        if (e != null) {
          failed(metrics, d, d.fail("no Welcome within the connect timeout"), end.cause() == RunEnd.Cause.ABORT);
        }
      });
    }
  }

  /**
   * Logs the first device that failed for each reason; the others are counted in the report, not logged. Quiet when
   * the run has its one line already: no device could use the uplink.
   */
  private static void failed(FleetMetrics metrics, FleetDevice d, String reason, boolean quiet) {
    if (reason != null && !quiet && metrics.firstOfItsKind(reason)) {
      log.warn("device {} was never welcomed: {} (every such device is counted in the report; only the first is "
          + "logged)", d.deviceId(), reason);
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
