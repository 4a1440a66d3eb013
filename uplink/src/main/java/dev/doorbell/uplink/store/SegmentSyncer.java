package dev.doorbell.uplink.store;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The syncer thread of the store's group commit. The writer hands over each batch it wrote ({@link #add}); the
 * syncer takes everything handed over so far, runs one fdatasync for all of it while the writer goes on writing,
 * then writes the checkpoint that covers it, and reports the result: records are acknowledged only once a durable
 * checkpoint covers them, and a checkpoint never covers bytes before the fdatasync that made them durable returned.
 * Its state is guarded by the writer's lock; it touches the segment only to fdatasync what was written before the
 * call.
 */
final class SegmentSyncer {
  /** A batch written up to {@code end} of segment {@code segment}, which then held {@code records} records. */
  record Written(List<PendingRecord> batch, long segment, long end, long records) {}

  /** What becomes of a result. Called on the syncer thread with the lock held; the returned action runs after. */
  interface Outcome {
    Runnable durable(List<Written> covered);

    Runnable failed(List<Written> covered, Exception cause);
  }

  private final ReentrantLock lock;
  private final Condition work;
  private final Condition idle;
  private final SegmentLog segments;
  private final Outcome outcome;
  private final ArrayDeque<Written> written = new ArrayDeque<>();
  private final Thread thread;
  private final AtomicLong fsyncs = new AtomicLong();
  private final AtomicLong fsyncNanos = new AtomicLong();
  private final AtomicLong checkpointNanos = new AtomicLong();
  private boolean syncing;
  private boolean stopping;

  SegmentSyncer(ReentrantLock lock, SegmentLog segments, Outcome outcome) {
    this.lock = lock;
    this.work = lock.newCondition();
    this.idle = lock.newCondition();
    this.segments = segments;
    this.outcome = outcome;
    this.thread = new Thread(this::run, "doorbell-store-syncer");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** With the lock held: a batch whose write returned, ending at {@code end} of the current segment. */
  void add(List<PendingRecord> batch, long segment, long end, long records) {
    written.add(new Written(batch, segment, end, records));
    work.signal();
  }

  /** With the lock held: waits until nothing written waits for an fdatasync (before a roll). */
  void awaitIdle() {
    while (syncing || !written.isEmpty()) {
      idle.awaitUninterruptibly();
    }
  }

  /**
   * With the lock held, after a failed write: waits for a running fdatasync (what it covers was written before the
   * failure) and takes back every batch not yet covered by one.
   */
  List<PendingRecord> takeBackUnsynced() {
    while (syncing) {
      idle.awaitUninterruptibly();
    }
    return drain();
  }

  /** With the lock held: takes back every batch not yet covered, without waiting. */
  List<PendingRecord> drain() {
    List<PendingRecord> records = new ArrayList<>();
    written.forEach(w -> records.addAll(w.batch()));
    written.clear();
    return records;
  }

  long fsyncs() {
    return fsyncs.get();
  }

  long fsyncNanos() {
    return fsyncNanos.get();
  }

  long checkpointNanos() {
    return checkpointNanos.get();
  }

  /** Makes everything handed over durable (or failed), then stops the thread and waits for it. */
  void stop() {
    lock.lock();
    try {
      stopping = true;
      work.signalAll();
    } finally {
      lock.unlock();
    }
    GroupCommitWriter.joinUninterruptibly(thread);
  }

  private void run() {
    while (true) {
      List<Written> covered;
      lock.lock();
      try {
        while (written.isEmpty() && !stopping) {
          work.awaitUninterruptibly();
        }
        if (written.isEmpty()) {
          return;
        }
        covered = new ArrayList<>(written);
        written.clear();
        syncing = true;
      } finally {
        lock.unlock();
      }
      sync(covered);
    }
  }

  private void sync(List<Written> covered) {
    long started = System.nanoTime();
    long synced = started;
    Exception failure = null;
    Written last = covered.get(covered.size() - 1);
    try {
      segments.force();
      synced = System.nanoTime();
      segments.commit(last.segment(), last.end(), last.records());
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    Runnable after;
    lock.lock();
    try {
      if (failure == null) {
        fsyncNanos.addAndGet(synced - started);
        checkpointNanos.addAndGet(System.nanoTime() - synced);
        fsyncs.incrementAndGet();
        after = outcome.durable(covered);
      } else {
        after = outcome.failed(covered, failure);
      }
      syncing = false;
      idle.signalAll();
    } finally {
      lock.unlock();
    }
    after.run();
  }
}
