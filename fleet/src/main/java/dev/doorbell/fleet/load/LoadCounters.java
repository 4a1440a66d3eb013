package dev.doorbell.fleet.load;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters of one load run, shared by every device. PERSISTED latency is recorded in microseconds for frames whose
 * intended send time falls in the measured window; throughput counts frames whose ack arrives in it. Thread-safe.
 */
final class LoadCounters {
  /** Longer latencies are recorded as this; a run that reaches it has failed its goal anyway. */
  static final long MAX_LATENCY_MICROS = TimeUnit.MINUTES.toMicros(10);

  final LongAdder framesSent = new LongAdder();
  final LongAdder framesSkipped = new LongAdder();
  final LongAdder sendsRefused = new LongAdder();
  final LongAdder errors = new LongAdder();
  final LongAdder measuredFrames = new LongAdder();
  final LongAdder measuredBytes = new LongAdder();
  /** Welcomes and lost connections over the whole run; their difference is the number of devices connected. */
  final LongAdder welcomes = new LongAdder();
  final LongAdder disconnects = new LongAdder();
  final LongAdder framesAcknowledged = new LongAdder();
  private final Recorder latency = new Recorder(MAX_LATENCY_MICROS, 3);
  /** Every latency, in or out of the window, for {@link LiveLoad}'s intervals (a scenario's spike, progress). */
  private final Recorder liveLatency = new Recorder(MAX_LATENCY_MICROS, 3);
  private volatile long measureStartNanos = Long.MAX_VALUE;
  private volatile long measureEndNanos = Long.MAX_VALUE;

  void window(long startNanos, long endNanos) {
    measureStartNanos = startNanos;
    measureEndNanos = endNanos;
  }

  /** One frame is durable: its ack came at {@code ackNanos} for a send intended at {@code intendedNanos}. */
  void persisted(long intendedNanos, long ackNanos, int sealedBytes) {
    framesAcknowledged.increment();
    long micros = Math.min(Math.max(0, TimeUnit.NANOSECONDS.toMicros(ackNanos - intendedNanos)), MAX_LATENCY_MICROS);
    liveLatency.recordValue(micros);
    if (ackNanos >= measureStartNanos && ackNanos < measureEndNanos) {
      measuredFrames.increment();
      measuredBytes.add(sealedBytes);
    }
    if (intendedNanos >= measureStartNanos && intendedNanos < measureEndNanos) {
      latency.recordValue(micros);
    }
  }

  /** The latencies recorded since the last call (or since the start). */
  Histogram takeLatency() {
    return latency.getIntervalHistogram();
  }

  /** Every latency recorded since the last call, measured window or not. */
  Histogram takeLiveLatency() {
    return liveLatency.getIntervalHistogram();
  }
}
