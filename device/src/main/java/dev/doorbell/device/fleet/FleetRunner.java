package dev.doorbell.device.fleet;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.device.keys.EpochKeyFile;
import dev.doorbell.device.link.BufferPolicy;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.load.LiveLoad;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    return run(plan, FleetScenario.steady(), out);
  }

  /** Runs the plan under {@code scenario} (a reconnect storm, churn, a slow uplink), which the report describes. */
  public FleetOutcome run(FleetPlan plan, FleetScenario scenario, PrintWriter out)
      throws IOException, InterruptedException {
    List<String> ids = FleetFiles.deviceIds(plan.fleetDir(), plan.devices(), random, wallClock);
    List<String> mine = ids.subList(plan.shard().from(plan.devices()), plan.shard().to(plan.devices()));
    FramePool frames = FramePool.shared(plan.profile(), plan.seed(), POOL_FRAMES);
    FleetMetrics metrics = new FleetMetrics();
    // Loading thousands of certificates and keys takes seconds: the run's clock starts after it, with the ramp.
    long[] end = new long[1];
    List<SenderThread> senders = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < plan.senderThreads(); t++) {
      SenderThread s = new SenderThread(nanoTime, wallClock, () -> end[0]);
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
      long endNanos = startNanos + plan.duration().toNanos();
      end[0] = endNanos;
      threads.forEach(Thread::start);
      Thread ramp = new Thread(() -> ramp(devices, plan, metrics, startNanos, endNanos), "fleet-ramp");
      ramp.setDaemon(true);
      ramp.start();
      Thread hook = startScenario(scenario, devices, metrics, startNanos, endNanos);
      ProgressTicker ticker = new ProgressTicker(metrics, devices, hlog, out, plan.progressJson(), nanoTime,
          () -> scenario.progress(metrics.reconnects.sum(), metrics.lostAcked.sum()));
      ticker.runUntil(startNanos, endNanos);
      for (Thread t : threads) {
        TimeUnit.NANOSECONDS.timedJoin(t, TimeUnit.SECONDS.toNanos(30));
      }
      // A hook returns by the end of sending; one that does not is interrupted and what it measured stays.
      hook.join(TimeUnit.SECONDS.toMillis(10));
      hook.interrupt();
      ramp.join(TimeUnit.SECONDS.toMillis(5));
      ticker.runWhile(drain(devices, plan.drainTimeout()), nanoTime.getAsLong() + plan.drainTimeout().toNanos()
          + 1_000_000_000L);
      long unpersisted = devices.stream().mapToLong(FleetDevice::unpersisted).sum();
      FleetTotals totals = new FleetTotals(devices.size(), metrics.failed.sum(), metrics.connects.sum(),
          metrics.clips.sum(), metrics.framesSent.sum(), metrics.framesPersisted.sum(), metrics.bytesPersisted.sum(),
          metrics.refused.sum(), metrics.errors.sum(), unpersisted, (nanoTime.getAsLong() - startNanos) / 1e9,
          metrics.reconnects.sum(), metrics.lostAcked.sum());
      hlog.close();
      return FleetMerge.report(totals, List.of(plan.report().resolve(LatencyLog.FILE)), plan.report(),
          plan.maxErrorRate(), plan.maxConnectFailureRate(), scenario);
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
   * within the connect timeout fails and is closed.
   */
  private void ramp(List<FleetDevice> devices, FleetPlan plan, FleetMetrics metrics, long startNanos,
      long endNanos) {
    double interval = 1e9 / plan.rampPerSecond();
    for (int i = 0; i < devices.size(); i++) {
      long at = startNanos + (long) (i * interval);
      long wait;
      while ((wait = at - nanoTime.getAsLong()) > 0
          || (metrics.connecting.sum() - (devices.size() - i) >= plan.maxConnecting()
          && nanoTime.getAsLong() < endNanos)) {
        LockSupport.parkNanos(Math.max(wait, 1_000_000));
      }
      if (nanoTime.getAsLong() >= endNanos) {
        metrics.connecting.add(-(devices.size() - i));
        metrics.failed.add(devices.size() - i);
        log.warn("the run ended before {} of {} devices were started", devices.size() - i, devices.size());
        return;
      }
      FleetDevice d = devices.get(i);
      CompletableFuture<?> welcomed = d.link().start();
      welcomed.orTimeout(plan.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).whenComplete((w, e) -> {
        if (e != null) {
          metrics.connecting.decrement();
          metrics.failed.increment();
          log.warn("device {} was not welcomed: {}", d.deviceId(), e.toString());
          d.link().close();
        }
      });
    }
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
