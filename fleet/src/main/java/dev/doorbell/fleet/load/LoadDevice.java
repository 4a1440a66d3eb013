package dev.doorbell.fleet.load;

import dev.doorbell.seal.keys.EpochKey;
import dev.doorbell.device.link.LinkClient;
import dev.doorbell.device.link.LinkListener;
import dev.doorbell.seal.ClipParams;
import dev.doorbell.seal.ClipSealer;
import dev.doorbell.seal.SealedFrame;
import dev.doorbell.proto.v1.Codec;
import dev.doorbell.proto.v1.Error;
import dev.doorbell.proto.v1.Trigger;
import dev.doorbell.proto.v1.Welcome;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated device of a load run: seals clips of pool payloads under its epoch key and hands them to its link.
 * {@link #sendNext} is called by the one sender thread that owns the device; acks arrive on the link's event loop,
 * which records each frame's PERSISTED latency against the frame's intended send time and wakes the owner.
 */
final class LoadDevice implements LinkListener {
  private static final Logger log = LoggerFactory.getLogger(LoadDevice.class);
  private static final long FRAME_PTS_MICROS = 33_333;

  /** A frame sent and not yet acknowledged PERSISTED. */
  private record Pending(long clipId, int seq, long intendedNanos, int sealedBytes) {}

  private final String deviceId;
  private final EpochKey epochKey;
  private final PayloadPool pool;
  private final LoadCounters counters;
  private final SecureRandom random;
  private final LongSupplier nanoTime;
  private final int framesPerClip;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>();
  private LinkClient link;
  private volatile Thread owner;
  private ClipSealer sealer;
  private long nextClipId;
  private long draws;

  LoadDevice(String deviceId, EpochKey epochKey, PayloadPool pool, LoadCounters counters, SecureRandom random,
      LongSupplier nanoTime, int framesPerClip, long firstClipId, long firstDraw) {
    this.deviceId = deviceId;
    this.epochKey = epochKey;
    this.pool = pool;
    this.counters = counters;
    this.random = random;
    this.nanoTime = nanoTime;
    this.framesPerClip = framesPerClip;
    this.nextClipId = firstClipId;
    this.draws = firstDraw;
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

  void ownedBy(Thread thread) {
    this.owner = thread;
  }

  synchronized int unpersisted() {
    return pending.size();
  }

  /** Seals the next frame (opening a clip first if needed) and queues it; the owner thread only. */
  void sendNext(long intendedNanos, long wallClockMs) {
    if (sealer == null) {
      long clipId = nextClipId++;
      sealer = ClipSealer.start(epochKey, new ClipParams(deviceId, clipId, Trigger.TRIGGER_MOTION, Codec.CODEC_MJPEG,
          1280, 720, 30, wallClockMs, 0), random);
      if (!link.openClip(clipId, sealer.headerBytes())) {
        abandonClip("the link refused the clip header");
        return;
      }
    }
    int seq = sealer.nextSeq();
    boolean last = seq == framesPerClip - 1;
    SealedFrame frame = sealer.seal(seq * FRAME_PTS_MICROS, pool.payload(draws++), last);
    synchronized (this) {
      pending.add(new Pending(frame.clipId(), seq, intendedNanos, frame.sealed().length));
    }
    if (!link.send(frame.clipId(), seq, last, frame.meta(), frame.sealed())) {
      synchronized (this) {
        pending.removeLast();
      }
      abandonClip("the link refused frame " + seq);
      return;
    }
    counters.framesSent.increment();
    if (last) {
      link.closeClip(frame.clipId(), framesPerClip);
      sealer = null;
    }
  }

  /** After a refusal the clip cannot be completed in order; the next frame starts a new clip. */
  private void abandonClip(String why) {
    counters.sendsRefused.increment();
    log.warn("device {} clip {}: {}; starting a new clip", deviceId, sealer.clipId(), why);
    sealer = null;
  }

  @Override
  public void onPersisted(long clipId, int frames) {
    long now = nanoTime.getAsLong();
    synchronized (this) {
      Pending head;
      while ((head = pending.peek()) != null
          && (head.clipId < clipId || (head.clipId == clipId && head.seq < frames))) {
        pending.poll();
        counters.persisted(head.intendedNanos, now, head.sealedBytes);
      }
    }
    Thread t = owner;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void onWelcome(Welcome welcome) {
    counters.welcomes.increment();
  }

  @Override
  public void onDisconnected() {
    counters.disconnects.increment();
  }

  @Override
  public void onError(Error error) {
    counters.errors.increment();
    log.warn("device {}: uplink error {} ({}): {}", deviceId, error.getCode(),
        error.getRetriable() ? "retriable" : "not retriable", error.getMessage());
  }
}
