package dev.doorbell.fleet.load;

import dev.doorbell.seal.keys.EpochKeyFile;
import dev.doorbell.device.link.BufferPolicy;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkConfig;
import dev.doorbell.device.tls.DeviceDirectory;
import dev.doorbell.wire.Transports;
import dev.doorbell.device.tls.SharedDeviceTls;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives a provisioned fleet against an uplink: N device links (each with its own certificate) on one small event
 * loop group, a few sender threads that seal clips of pool payloads and send them on an open-loop schedule or at
 * saturation, and PERSISTED latency from each frame's intended send time. Every phase is bounded in time.
 */
public final class LoadGenerator {
  private static final Logger log = LoggerFactory.getLogger(LoadGenerator.class);
  private static final Duration START_DELAY = Duration.ofMillis(200);
  private static final int POOL_PAYLOADS = 64;
  private static final int CONNECT_WAVE = 50;
  private static final long HOOK_GRACE_SECONDS = 10;

  private final Clock wallClock;
  private final LongSupplier nanoTime;
  private final SecureRandom random;
  private final Duration connectTimeout;
  private final Duration drainTimeout;
  private List<InetAddress> sourceAddresses = List.of();
  private int connectWave = CONNECT_WAVE;
  private ConnectHook afterConnect = (devices, nanos) -> {};
  private Runnable beforeConnect = () -> {};
  private LoadHook beforeSending = LoadHook.NONE;

  public LoadGenerator(Clock wallClock, LongSupplier nanoTime, SecureRandom random, Duration connectTimeout,
      Duration drainTimeout) {
    this.wallClock = wallClock;
    this.nanoTime = nanoTime;
    this.random = random;
    this.connectTimeout = connectTimeout;
    this.drainTimeout = drainTimeout;
  }

  /** Real time, a fresh SecureRandom, 120 s to connect and 30 s to drain. */
  public static LoadGenerator system() {
    return new LoadGenerator(Clock.systemUTC(), System::nanoTime, new SecureRandom(), Duration.ofSeconds(120),
        Duration.ofSeconds(30));
  }

  /**
   * Binds device i's socket to source address i mod n, round-robin: each loopback source address (127.0.0.1,
   * 127.0.0.2, ...) has only ~28k ephemeral ports towards one uplink port. Empty: the system's choice.
   */
  public LoadGenerator sourceAddresses(List<InetAddress> addresses) {
    sourceAddresses = List.copyOf(addresses);
    return this;
  }

  /** How many handshakes may be in flight at once while connecting; each welcome lets the next device start. */
  public LoadGenerator connectWave(int devices) {
    if (devices < 1) {
      throw new IllegalArgumentException("connect wave must be at least 1, got " + devices);
    }
    connectWave = devices;
    return this;
  }

  /** Called once every link is built, just before the first connects (a capacity run takes its CPU figures). */
  public LoadGenerator beforeConnect(Runnable hook) {
    beforeConnect = hook;
    return this;
  }

  /** Called once every device is welcomed, before sending starts (a capacity run measures and holds here). */
  public LoadGenerator afterConnect(ConnectHook hook) {
    afterConnect = hook;
    return this;
  }

  /**
   * Runs {@code hook} on the calling thread after {@link #afterConnect} returns and before sending starts, while
   * every device is idle (a capacity run drops and reconnects them here). Its {@link LiveLoad} ends one connect
   * timeout after the hook starts; the hook should return by then.
   */
  public LoadGenerator beforeSending(LoadHook hook) {
    beforeSending = hook;
    return this;
  }

  /** What {@link #afterConnect} is told: how many devices were welcomed and how long connecting took. */
  @FunctionalInterface
  public interface ConnectHook {
    void connected(int devices, long connectNanos) throws InterruptedException;
  }

  /**
   * Connects every device, sends for warmup + measure, then waits (bounded) for what is in flight to be persisted
   * and closes the links. Throws IllegalStateException when the devices cannot all connect in time.
   */
  public LoadResult run(List<DeviceDirectory> fleet, LoadPlan plan) throws InterruptedException {
    return run(fleet, plan, LoadHook.NONE);
  }

  /** As {@link #run(List, LoadPlan)}, with {@code hook} running on its own thread while the senders send. */
  public LoadResult run(List<DeviceDirectory> fleet, LoadPlan plan, LoadHook hook) throws InterruptedException {
    PayloadPool pool = new PayloadPool(POOL_PAYLOADS, plan.minFrameBytes(), plan.maxFrameBytes(), plan.seed());
    LoadCounters counters = new LoadCounters();
    EventLoopGroup group = Transports.newGroup(plan.ioThreads());
    List<LoadDevice> devices = new ArrayList<>(fleet.size());
    SharedDeviceTls tls = new SharedDeviceTls(wallClock);
    try {
      long firstClipId = wallClock.millis() * 1000;
      for (int i = 0; i < fleet.size(); i++) {
        devices.add(connectable(fleet.get(i), tls, plan, pool, counters, group, firstClipId, i));
      }
      beforeConnect.run();
      long connectStart = nanoTime.getAsLong();
      connectAll(devices);
      afterConnect.connected(devices.size(), nanoTime.getAsLong() - connectStart);
      long idleStart = nanoTime.getAsLong();
      beforeSending.during(new LiveLoad(devices.stream().map(LoadDevice::link).toList(), counters, nanoTime,
          idleStart, idleStart + connectTimeout.toNanos()));
      long start = nanoTime.getAsLong() + START_DELAY.toNanos();
      long measureStart = start + plan.warmup().toNanos();
      long end = measureStart + plan.measure().toNanos();
      counters.window(measureStart, end);
      Thread hookThread = startHook(hook, new LiveLoad(devices.stream().map(LoadDevice::link).toList(), counters,
          nanoTime, start, end));
      runSenders(devices, plan, counters, start, end);
      stopHook(hookThread);
      LoadResult result = new LoadResult(devices.size(), plan.framesPerSecond(), plan.measure().toNanos() / 1e9,
          counters.measuredFrames.sum(), counters.measuredBytes.sum(), counters.framesSent.sum(),
          counters.framesSkipped.sum(), counters.sendsRefused.sum(), counters.errors.sum(), counters.takeLatency());
      drainAll(devices);
      log.info("load run done: {}", result.summary());
      return result;
    } finally {
      for (LoadDevice d : devices) {
        d.link().close();
      }
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
  }

  private LoadDevice connectable(DeviceDirectory dir, SharedDeviceTls tls, LoadPlan plan, PayloadPool pool,
      LoadCounters counters, EventLoopGroup group, long firstClipId, int index) {
    LoadDevice device = new LoadDevice(dir.deviceId(), EpochKeyFile.read(dir.epochKeyFile()), pool, counters, random,
        nanoTime, plan.framesPerClip(), firstClipId, (long) index * 7);
    // The sender never lets more than `inflight` frames wait, so the buffer only needs room for those and a header.
    long buffer = (long) (plan.inflightFrames() + 2) * (plan.maxFrameBytes() + 1024);
    LinkConfig config = LinkConfig.builder(plan.host(), plan.port(), dir.deviceId())
        // One TLS context for the whole fleet: a context per device cost memory and time for every held device.
        .tls(tls.contextFor(dir))
        .firmware("doorbell-load/1")
        .connectTimeout(Duration.ofSeconds(30))
        .buffer(Math.max(buffer, 1 << 20), BufferPolicy.BLOCK)
        .localAddress(sourceAddresses.isEmpty() ? null : sourceAddresses.get(index % sourceAddresses.size()))
        .build();
    device.attach(new LinkClient(config, group, device));
    return device;
  }

  /**
   * Starts the links with at most {@link #connectWave} (default {@link #CONNECT_WAVE}) handshakes in flight: each
   * welcome lets the next device start. A thousand TLS handshakes at once on a small machine time out and then retry
   * in a storm; waves that wait for their slowest handshake leave both sides idle at the end of every wave.
   */
  private void connectAll(List<LoadDevice> devices) throws InterruptedException {
    long deadline = nanoTime.getAsLong() + connectTimeout.toNanos();
    Semaphore window = new Semaphore(connectWave);
    AtomicInteger welcomed = new AtomicInteger();
    CompletableFuture<Void> failed = new CompletableFuture<>();
    for (LoadDevice d : devices) {
      if (!window.tryAcquire(Math.max(1, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS)) {
        throw notWelcomed(welcomed.get(), devices.size());
      }
      failIfFailed(failed);
      d.link().start().whenComplete((ok, error) -> {
        if (error != null) {
          failed.completeExceptionally(error);
        } else {
          welcomed.incrementAndGet();
        }
        window.release();
      });
    }
    if (!window.tryAcquire(connectWave, Math.max(1, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS)) {
      failIfFailed(failed);
      throw notWelcomed(welcomed.get(), devices.size());
    }
    failIfFailed(failed);
    log.info("{} devices welcomed", welcomed.get());
  }

  private static void failIfFailed(CompletableFuture<Void> failed) {
    if (failed.isCompletedExceptionally()) {
      Throwable cause = failed.handle((ok, error) -> error).join();
      Throwable root = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
      throw new IllegalStateException("a device could not connect: " + root.getMessage(), root);
    }
  }

  private IllegalStateException notWelcomed(int up, int total) {
    return new IllegalStateException("only " + up + " of " + total + " devices were welcomed within "
        + connectTimeout.toSeconds() + " s");
  }

  private void runSenders(List<LoadDevice> devices, LoadPlan plan, LoadCounters counters, long start, long end)
      throws InterruptedException {
    int threads = Math.min(plan.senderThreads(), devices.size());
    List<Thread> senders = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      List<LoadDevice> owned = new ArrayList<>();
      for (int i = t; i < devices.size(); i += threads) {
        owned.add(devices.get(i));
      }
      double interval = 0;
      long offset = 0;
      if (!plan.saturating()) {
        double threadRate = plan.framesPerSecond() * owned.size() / devices.size();
        interval = 1e9 / threadRate;
        offset = (long) (t * 1e9 / plan.framesPerSecond()); // staggers the threads' schedules
      }
      Thread sender = new Thread(new SenderLoop(owned, counters, nanoTime, wallClock, plan.inflightFrames(),
          start + offset, end, interval), "load-sender-" + t);
      sender.setDaemon(true);
      sender.start();
      senders.add(sender);
    }
    long joinDeadline = end + TimeUnit.SECONDS.toNanos(30);
    for (Thread sender : senders) {
      long left = joinDeadline - nanoTime.getAsLong();
      TimeUnit.NANOSECONDS.timedJoin(sender, Math.max(1, left));
      if (sender.isAlive()) {
        throw new IllegalStateException(sender.getName() + " did not stop 30 s after the end of the run");
      }
    }
  }

  private static Thread startHook(LoadHook hook, LiveLoad live) {
    Thread thread = new Thread(() -> {
      try {
        hook.during(live);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        log.warn("load hook {} failed: {}", hook, e.toString());
      }
    }, "load-hook");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void stopHook(Thread hook) throws InterruptedException {
    hook.join(TimeUnit.SECONDS.toMillis(HOOK_GRACE_SECONDS));
    if (hook.isAlive()) {
      log.warn("load hook still running {} s after the senders stopped; interrupting it", HOOK_GRACE_SECONDS);
      hook.interrupt();
      hook.join(TimeUnit.SECONDS.toMillis(HOOK_GRACE_SECONDS));
    }
  }

  private void drainAll(List<LoadDevice> devices) {
    List<CompletableFuture<Void>> drains = new ArrayList<>();
    for (LoadDevice d : devices) {
      drains.add(d.link().drain(drainTimeout));
    }
    try {
      CompletableFuture.allOf(drains.toArray(CompletableFuture[]::new))
          .get(drainTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      log.warn("not every device drained within {} s: {}", drainTimeout.toSeconds(), e.toString());
    }
  }
}
