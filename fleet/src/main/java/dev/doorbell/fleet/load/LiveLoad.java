package dev.doorbell.fleet.load;

import dev.doorbell.device.link.LinkClient;
import java.util.List;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * A {@link LoadHook}'s view of a running load: the devices' links, how many are connected, and PERSISTED latency
 * (from each frame's intended send time, as the run's result measures it) in intervals the hook chooses.
 */
public final class LiveLoad {
  /** Where a running load keeps its counts: {@link LoadGenerator}'s counters, or the fleet's. */
  public interface Counters {
    /** Welcomes since the run began, reconnections included. */
    long welcomes();

    /** Devices welcomed and not disconnected since. */
    long connected();

    /** Frames acknowledged PERSISTED since the run began. */
    long framesAcknowledged();

    /** PERSISTED latency (µs) of the frames acknowledged since the previous call. */
    Histogram takeLatency();
  }

  private final List<LinkClient> links;
  private final Counters counters;
  private final LongSupplier nanoTime;
  private final long startNanos;
  private final long endNanos;

  LiveLoad(List<LinkClient> links, LoadCounters counters, LongSupplier nanoTime, long startNanos, long endNanos) {
    this(links, new Counters() {
      @Override
      public long welcomes() {
        return counters.welcomes.sum();
      }

      @Override
      public long connected() {
        return counters.welcomes.sum() - counters.disconnects.sum();
      }

      @Override
      public long framesAcknowledged() {
        return counters.framesAcknowledged.sum();
      }

      @Override
      public Histogram takeLatency() {
        return counters.takeLiveLatency();
      }
    }, nanoTime, startNanos, endNanos);
  }

  /** A view of any running load, so that the same hooks (scenarios) act on a fleet run too. */
  public LiveLoad(List<LinkClient> links, Counters counters, LongSupplier nanoTime, long startNanos, long endNanos) {
    this.links = List.copyOf(links);
    this.counters = counters;
    this.nanoTime = nanoTime;
    this.startNanos = startNanos;
    this.endNanos = endNanos;
  }

  /** One link per device, in fleet order. */
  public List<LinkClient> links() {
    return links;
  }

  public int devices() {
    return links.size();
  }

  /** Devices welcomed and not disconnected since. */
  public long connected() {
    return counters.connected();
  }

  /** Welcomes since the run began, reconnections included. */
  public long welcomes() {
    return counters.welcomes();
  }

  /** Frames acknowledged PERSISTED since the run began. */
  public long framesAcknowledged() {
    return counters.framesAcknowledged();
  }

  /**
   * PERSISTED latency in microseconds of the frames acknowledged since the previous call (or the start of the
   * run), warmup included. Only one caller should take intervals: each frame is in exactly one of them.
   */
  public Histogram takeLatency() {
    return counters.takeLatency();
  }

  public long nanoTime() {
    return nanoTime.getAsLong();
  }

  /** When sending starts and stops, on {@link #nanoTime()}'s clock. */
  public long startNanos() {
    return startNanos;
  }

  public long endNanos() {
    return endNanos;
  }
}
