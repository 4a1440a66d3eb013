package dev.doorbell.fleet;

import dev.doorbell.device.camera.FramePool;
import dev.doorbell.device.camera.Profile;
import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.device.link.UplinkFailure;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.proto.v1.ClipState;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.proto.v1.Welcome;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One doorbell of a fleet run: its own link (own certificate), epoch key and seeded clip schedule. {@link #step} is
 * called by the one sender thread that owns the device at each intended frame time; acks arrive on the link's event
 * loop and are recorded against the frame's intended time, so a late sender is charged to every frame it delays.
 */
final class FleetDevice implements LinkListener {
  private static final Logger log = LoggerFactory.getLogger(FleetDevice.class);

  private record Pending(long clipId, int seq, long intendedNanos, int sealedBytes) {}

  private final String deviceId;
  private final EpochKey epochKey;
  private final ClipSchedule schedule;
  private final FramePool frames;
  private final FleetMetrics metrics;
  private final SecureRandom random;
  private final LongSupplier nanoTime;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  /** Per clip, the frames the uplink acknowledged PERSISTED; checked against the next Welcome. */
  private final Map<Long, Integer> ackedFrames = new HashMap<>();
  private final Consumer<FleetDevice> onFirstWelcome;
  private LinkClient link;
  private ClipSealer sealer;
  private long nextClipId;
  private int clipFrames;
  private long clipStartNanos;
  private long nextNanos;
  private boolean welcomed;
  /** Counted as a connect failure: never welcomed in time, or never started. Never welcomed after that. */
  private boolean failed;
  private boolean up;

  FleetDevice(String deviceId, EpochKey epochKey, ClipSchedule schedule, FramePool frames, FleetMetrics metrics,
      SecureRandom random, LongSupplier nanoTime, long firstClipId, Consumer<FleetDevice> onFirstWelcome) {
    this.deviceId = deviceId;
    this.epochKey = epochKey;
    this.schedule = schedule;
    this.frames = frames;
    this.metrics = metrics;
    this.random = random;
    this.nanoTime = nanoTime;
    this.nextClipId = firstClipId;
    this.onFirstWelcome = onFirstWelcome;
  }

  void attach(LinkClient client) {
    this.link = client;
  }

  LinkClient link() {
    return link;
  }

  String deviceId() {
    return deviceId;
  }

  /** The intended time of this device's next frame; the owner thread only. */
  long nextNanos() {
    return nextNanos;
  }

  /** Schedules the first clip after a Poisson gap from {@code nowNanos}; the owner thread only. */
  void begin(long nowNanos) {
    nextNanos = nowNanos + schedule.nextGapNanos();
  }

  /** Sends the frame intended at {@link #nextNanos} (opening its clip first) and schedules the next one. */
  void step(long wallClockMs) {
    long intended = nextNanos;
    if (sealer == null) {
      clipFrames = schedule.nextClipFrames();
      clipStartNanos = intended;
      Profile p = frames.profile();
      long clipId = nextClipId++;
      sealer = ClipSealer.start(epochKey, new ClipParams(deviceId, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG,
          p.width(), p.height(), p.fps(), wallClockMs, 0), random);
      if (!link.openClip(clipId, sealer.headerBytes())) {
        refuse("the link refused the clip header");
        return;
      }
      metrics.clips.increment();
      metrics.openClips.increment();
    }
    int seq = sealer.nextSeq();
    boolean last = seq == clipFrames - 1;
    long pts = seq * schedule.frameIntervalNanos() / 1000;
    SealedFrame frame = sealer.seal(pts, frames.next(pts).jpeg(), last);
    synchronized (this) {
      pending.add(new Pending(frame.clipId(), seq, intended, frame.sealed().length));
    }
    if (!link.send(frame.clipId(), seq, last, frame.meta(), frame.sealed())) {
      synchronized (this) {
        pending.removeLast();
      }
      metrics.openClips.decrement();
      refuse("the link refused frame " + seq);
      return;
    }
    metrics.framesSent.increment();
    metrics.bytesSent.add(frame.sealed().length);
    if (last) {
      link.closeClip(frame.clipId(), clipFrames);
      metrics.openClips.decrement();
      sealer = null;
      nextNanos = clipStartNanos + clipFrames * schedule.frameIntervalNanos() + schedule.nextGapNanos();
    } else {
      nextNanos = clipStartNanos + (seq + 1) * schedule.frameIntervalNanos();
    }
  }

  /**
   * Ends a clip cut short by the end of the run: one more frame, sealed as the last (the uplink accepts a close only
   * after a last frame), intended now at the latest; the owner thread only.
   */
  void finish(long nowNanos, long wallClockMs) {
    if (sealer != null) {
      clipFrames = sealer.nextSeq() + 1;
      nextNanos = Math.min(nextNanos, nowNanos);
      step(wallClockMs);
    }
  }

  /** Whether the uplink has welcomed this device at least once. */
  synchronized boolean welcomed() {
    return welcomed;
  }

  /**
   * Counts this device as a connect failure, unless it was welcomed or counted already, and closes its link.
   * {@code why} is the reason counted when the device had no failed attempt of its own (the run's view: no Welcome
   * in time, or not started); otherwise its latest failure's reason is counted. Returns the reason counted, or
   * null when the device was not counted now.
   */
  String fail(String why) {
    synchronized (this) {
      if (welcomed || failed) {
        return null;
      }
      failed = true;
    }
    String reason = metrics.census.latest(deviceId).map(f -> f.kind().label()).orElse(why);
    metrics.connecting.decrement();
    metrics.failed.increment();
    metrics.connectFailed(reason);
    link.close();
    return reason;
  }

  /** Frames sent and not yet PERSISTED. */
  synchronized int unpersisted() {
    return pending.size();
  }

  private void refuse(String why) {
    metrics.refused.increment();
    log.warn("device {} clip {}: {}; the next frame starts a new clip", deviceId, sealer.clipId(), why);
    sealer = null;
    nextNanos += schedule.frameIntervalNanos();
  }

  @Override
  public void onWelcome(Welcome welcome) {
    boolean first;
    long lost = 0;
    synchronized (this) {
      if (failed) {
        // Welcomed just after the run gave up on it: its link is closing, and it stays a failure.
        return;
      }
      first = !welcomed;
      welcomed = true;
      up = true;
      // Welcome names every clip this device still holds; a clip it no longer holds cannot be checked again.
      Set<Long> held = new HashSet<>();
      for (ClipState state : welcome.getClipsList()) {
        lost += Math.max(0, ackedFrames.getOrDefault(state.getClipId(), 0) - state.getPersistedFrames());
        held.add(state.getClipId());
      }
      ackedFrames.keySet().retainAll(held);
    }
    metrics.census.welcomed();
    metrics.connected.increment();
    metrics.connects.increment();
    if (lost > 0) {
      metrics.lostAcked.add(lost);
      log.error("device {}: the uplink lost {} frames it had acknowledged PERSISTED", deviceId, lost);
    }
    if (first) {
      metrics.connecting.decrement();
      onFirstWelcome.accept(this);
    } else {
      metrics.reconnects.increment();
    }
  }

  @Override
  public void onConnectFailed(UplinkFailure failure) {
    metrics.census.failed(deviceId, failure);
  }

  @Override
  public void onDisconnected() {
    synchronized (this) {
      if (!up) {
        return;
      }
      up = false;
    }
    metrics.connected.decrement();
  }

  @Override
  public void onPersisted(long clipId, int persisted) {
    long now = nanoTime.getAsLong();
    synchronized (this) {
      ackedFrames.merge(clipId, persisted, Math::max);
      Pending head;
      while ((head = pending.peek()) != null
          && (head.clipId < clipId || (head.clipId == clipId && head.seq < persisted))) {
        pending.poll();
        metrics.persisted(head.intendedNanos, now, head.sealedBytes);
      }
    }
  }

  @Override
  public void onError(Error error) {
    metrics.errors.increment();
    log.warn("device {}: uplink error {} ({}): {}", deviceId, error.getCode(),
        error.getRetriable() ? "retriable" : "not retriable", error.getMessage());
  }
}
