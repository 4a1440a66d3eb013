package dev.doorbell.fleet.load;

import java.time.Duration;
import java.util.Objects;

/**
 * What a load run does.
 *
 * @param host uplink address (loopback only for benchmarks)
 * @param port uplink port
 * @param framesPerSecond aggregate open-loop rate over all devices; 0 saturates: every device keeps
 *     {@code inflightFrames} frames unpersisted and sends the next one as soon as an ack frees a slot
 * @param inflightFrames most frames a device keeps sent but not persisted (saturation), or queued before the
 *     schedule starts skipping its frames (open loop)
 * @param minFrameBytes smallest plaintext frame
 * @param maxFrameBytes largest plaintext frame
 * @param framesPerClip frames per clip; the last one is sealed with {@code last} and the clip closed
 * @param senderThreads threads that seal and send; each owns an equal share of the devices
 * @param ioThreads event-loop threads shared by every link
 * @param warmup time after the start of sending that is not measured
 * @param measure time that is measured, after the warmup
 * @param seed seeds the payload pool and the frame sizes, so a run sends the same sizes again
 */
public record LoadPlan(String host, int port, double framesPerSecond, int inflightFrames, int minFrameBytes,
    int maxFrameBytes, int framesPerClip, int senderThreads, int ioThreads, Duration warmup, Duration measure,
    long seed) {
  public LoadPlan {
    Objects.requireNonNull(host, "host");
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port must be 1..65535, got " + port);
    }
    if (framesPerSecond < 0 || Double.isNaN(framesPerSecond)) {
      throw new IllegalArgumentException("framesPerSecond must be 0 (saturate) or positive, got " + framesPerSecond);
    }
    if (inflightFrames < 1) {
      throw new IllegalArgumentException("inflightFrames must be at least 1, got " + inflightFrames);
    }
    if (minFrameBytes < 1 || maxFrameBytes < minFrameBytes) {
      throw new IllegalArgumentException("frame sizes must satisfy 1 <= min <= max, got " + minFrameBytes + ".."
          + maxFrameBytes);
    }
    if (framesPerClip < 1 || senderThreads < 1 || ioThreads < 1) {
      throw new IllegalArgumentException("framesPerClip, senderThreads and ioThreads must be at least 1, got "
          + framesPerClip + ", " + senderThreads + ", " + ioThreads);
    }
    if (warmup == null || warmup.isNegative() || measure == null || measure.isNegative() || measure.isZero()) {
      throw new IllegalArgumentException("warmup must be >= 0 and measure > 0, got " + warmup + " and " + measure);
    }
  }

  /** Saturation with 16–64 KiB frames, as the durable-ingest benchmark uses. */
  public static LoadPlan saturation(String host, int port, Duration warmup, Duration measure) {
    return new LoadPlan(host, port, 0, 4, 16 * 1024, 64 * 1024, 30, 2, 2, warmup, measure, 1);
  }

  public boolean saturating() {
    return framesPerSecond == 0;
  }

  public LoadPlan withRate(double perSecond) {
    return new LoadPlan(host, port, perSecond, inflightFrames, minFrameBytes, maxFrameBytes, framesPerClip,
        senderThreads, ioThreads, warmup, measure, seed);
  }

  public LoadPlan withInflight(int frames) {
    return new LoadPlan(host, port, framesPerSecond, frames, minFrameBytes, maxFrameBytes, framesPerClip,
        senderThreads, ioThreads, warmup, measure, seed);
  }

  public LoadPlan withThreads(int senders, int io) {
    return new LoadPlan(host, port, framesPerSecond, inflightFrames, minFrameBytes, maxFrameBytes, framesPerClip,
        senders, io, warmup, measure, seed);
  }

  public LoadPlan withFrameBytes(int min, int max) {
    return new LoadPlan(host, port, framesPerSecond, inflightFrames, min, max, framesPerClip, senderThreads,
        ioThreads, warmup, measure, seed);
  }
}
