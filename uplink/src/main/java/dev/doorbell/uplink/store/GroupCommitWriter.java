package dev.doorbell.uplink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's writer and syncer threads. The writer drains the queue in batches (records of many devices) and writes
 * each batch in one pass; the syncer makes everything written so far durable with one fdatasync, writes the
 * checkpoint that covers it, then marks those batches durable in the index and completes their futures in queue
 * order. The two overlap: while one fdatasync runs, the next batches are written, and the next fdatasync covers them
 * all. Only the writer touches the segment files, except for the syncer's fdatasync of batches already written; a
 * segment is rolled or abandoned only when nothing written is waiting for an fdatasync.
 *
 * <p>Fail-stop: when a write, fsync or checkpoint fails, nothing of that batch is acknowledged; the batch and
 * everything queued behind it fail with {@link StoreUnavailableException}, every clip falls back to its durable
 * state, and submissions are refused with STORAGE_UNAVAILABLE. The failed segment is abandoned (cut back to what the
 * last checkpoint covers, and closed): after an fsync failure the kernel may have dropped the dirty pages, so a later
 * successful fsync of the same file proves nothing. After a growing delay ({@link FailurePolicy}) the writer tries to
 * start a new segment, by default for as long as it takes.
 */
final class GroupCommitWriter implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

  private final ReentrantLock lock;
  private final Condition wake;
  private final ClipIndex index;
  private final SegmentLog segments;
  private final StoreOptions options;
  private final ArrayDeque<PendingRecord> queue = new ArrayDeque<>();
  private final SegmentSyncer syncer;
  private final Thread thread;
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong writeNanos = new AtomicLong();
  private final WriterHealth health;
  private boolean stopping;
  /** An fdatasync failed: the writer must abandon the segment before anything else. */
  private boolean abandonDue;

  GroupCommitWriter(ReentrantLock lock, ClipIndex index, SegmentLog segments, StoreOptions options,
                    FailurePolicy policy) {
    this.lock = lock;
    this.wake = lock.newCondition();
    this.health = new WriterHealth(policy);
    this.index = index;
    this.segments = segments;
    this.options = options;
    this.thread = new Thread(this, "doorbell-store-writer");
    this.thread.setDaemon(true);
    this.syncer = new SegmentSyncer(lock, segments, new SegmentSyncer.Outcome() {
      @Override
      public Runnable durable(List<SegmentSyncer.Written> covered) {
        return synced(covered);
      }

      @Override
      public Runnable failed(List<SegmentSyncer.Written> covered, Exception cause) {
        return syncFailed(covered, cause);
      }
    });
  }

  void start() {
    syncer.start();
    thread.start();
  }

  /** With the lock held: null when a record may be queued now, else why not. */
  Submission refusal() {
    return health.refusal(stopping);
  }

  /** With the lock held, after {@link #refusal()} returned null. */
  void enqueue(PendingRecord record) {
    queue.add(record);
    wake.signal();
  }

  StoreStats stats(long clips) {
    return new StoreStats(records.get(), bytes.get(), syncer.fsyncs(), batches.get(), clips,
        writeNanos.get() / 1_000_000, syncer.fsyncNanos() / 1_000_000, syncer.checkpointNanos() / 1_000_000);
  }

  /** Stops accepting, lets the thread write everything queued, and waits for it to finish. */
  void stop() {
    lock.lock();
    try {
      stopping = true;
      wake.signalAll();
    } finally {
      lock.unlock();
    }
    joinUninterruptibly(thread);
  }

  @Override
  public void run() {
    try {
      while (true) {
        List<PendingRecord> batch = awaitWork();
        if (batch == null) {
          return;
        }
        if (batch.isEmpty()) {
          if (takeAbandonDue()) {
            abandonSegment();
          } else {
            retry();
          }
        } else {
          write(batch);
        }
      }
    } finally {
      syncer.stop();
      try {
        segments.close();
      } catch (IOException e) {
        log.warn("store segment close failed: {}", e.toString());
      }
    }
  }

  static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private boolean takeAbandonDue() {
    lock.lock();
    try {
      boolean due = abandonDue;
      abandonDue = false;
      return due;
    } finally {
      lock.unlock();
    }
  }

  /** A batch to write, an empty list when an abandon or a retry is due, or null to stop. */
  private List<PendingRecord> awaitWork() {
    lock.lock();
    try {
      while (true) {
        if (abandonDue) {
          return List.of();
        }
        if (!health.available()) {
          if (stopping) {
            return null;
          }
          long wait = health.nanosUntilRetry(System.nanoTime());
          if (wait <= 0) {
            return List.of();
          }
          await(wait);
        } else if (!queue.isEmpty()) {
          return takeBatch();
        } else if (stopping) {
          return null;
        } else {
          await(TimeUnit.DAYS.toNanos(1));
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Takes up to the batch limits, lingering up to maxBatchDelay while the queue is empty and the batch not full. */
  private List<PendingRecord> takeBatch() {
    List<PendingRecord> batch = new ArrayList<>();
    long batchBytes = 0;
    long deadline = System.nanoTime() + options.maxBatchDelay().toNanos();
    while (true) {
      while (!queue.isEmpty() && batch.size() < options.maxBatchRecords()) {
        long size = queue.peek().record.getSerializedSize() + SegmentFormat.RECORD_HEADER_BYTES;
        if (!batch.isEmpty() && batchBytes + size > options.maxBatchBytes()) {
          return batch;
        }
        batch.add(queue.poll());
        batchBytes += size;
      }
      long wait = deadline - System.nanoTime();
      if (batch.size() >= options.maxBatchRecords() || stopping || wait <= 0) {
        return batch;
      }
      await(wait);
    }
  }

  private void await(long nanos) {
    try {
      wake.awaitNanos(nanos);
    } catch (InterruptedException e) {
      stopping = true;
      Thread.currentThread().interrupt();
    }
  }

  private void write(List<PendingRecord> batch) {
    long total = 0;
    try {
      for (PendingRecord record : batch) {
        total += SegmentFormat.RECORD_HEADER_BYTES + record.record.getSerializedSize();
      }
      if (segments.needsRoll(total, options.segmentBytes())) {
        if (!awaitSynced()) {
          failAfterSyncFailure(batch);
          return;
        }
        segments.startNew();
      }
      long started = System.nanoTime();
      // Serialized straight into the segment's reused direct buffer: no heap copy per record, and no copy of a heap
      // buffer into a temporary direct one on every write.
      ByteBuffer buffer = segments.batchBuffer(total);
      long at = segments.position();
      for (PendingRecord record : batch) {
        record.segment = segments.number();
        record.offset = at;
        record.length = SegmentFormat.frameInto(buffer, record.record);
        at += record.length;
      }
      segments.append(buffer, batch.size());
      writeNanos.addAndGet(System.nanoTime() - started);
    } catch (IOException | RuntimeException e) {
      // A bug or an exhausted heap must not kill the writer silently with futures left pending: fail-stop too.
      fail(batch, e);
      return;
    }
    bytes.addAndGet(total);
    batches.incrementAndGet();
    lock.lock();
    try {
      if (health.available()) {
        syncer.add(batch, segments.number(), segments.position(), segments.records());
        return;
      }
    } finally {
      lock.unlock();
    }
    failAfterSyncFailure(batch);
  }

  /** Waits until every written batch is durable or failed; false when an fdatasync failed meanwhile. */
  private boolean awaitSynced() {
    lock.lock();
    try {
      syncer.awaitIdle();
      return health.available();
    } finally {
      lock.unlock();
    }
  }

  /** With the lock held, on the syncer thread: the covered batches are durable. */
  private Runnable synced(List<SegmentSyncer.Written> covered) {
    int count = 0;
    for (SegmentSyncer.Written w : covered) {
      w.batch().forEach(index::markDurable);
      count += w.batch().size();
    }
    health.durable();
    records.addAndGet(count);
    return () -> covered.forEach(w -> w.batch().forEach(record -> record.durable.complete(null)));
  }

  /**
   * With the lock held, on the syncer thread: an fdatasync failed. Nothing it covered, nothing written after it and
   * nothing queued is acknowledged. The writer abandons the segment when it next runs (it may be writing now; only
   * it touches the files).
   */
  private Runnable syncFailed(List<SegmentSyncer.Written> covered, Exception cause) {
    List<PendingRecord> dropped = new ArrayList<>();
    covered.forEach(w -> dropped.addAll(w.batch()));
    dropped.addAll(syncer.drain());
    dropped.addAll(queue);
    queue.clear();
    index.rollbackToDurable();
    health.failed("fsync or checkpoint of segment " + SegmentFormat.segmentName(segments.number()) + " failed: "
        + cause);
    abandonDue = true;
    wake.signalAll();
    StoreUnavailableException error = new StoreUnavailableException(health.failure(), cause);
    String segment = SegmentFormat.segmentName(segments.number());
    return () -> {
      log.error("store fsync or checkpoint failed in segment {}; {} records dropped, none acknowledged: {}",
          segment, dropped.size(), cause.toString());
      dropped.forEach(record -> record.durable.completeExceptionally(error));
    };
  }

  /** A batch the writer wrote while an fdatasync failed: not acknowledged; the segment is abandoned. */
  private void failAfterSyncFailure(List<PendingRecord> batch) {
    StoreUnavailableException error;
    lock.lock();
    try {
      error = new StoreUnavailableException(health.failure(), null);
    } finally {
      lock.unlock();
    }
    batch.forEach(record -> record.durable.completeExceptionally(error));
  }

  /**
   * A write (or a roll) failed on the writer thread: that batch, everything written but not yet covered by an
   * fdatasync, and everything queued fail. An fdatasync already running finishes first: what it covers was written
   * before the failure and stays acknowledged.
   */
  private void fail(List<PendingRecord> batch, Exception cause) {
    List<PendingRecord> dropped = new ArrayList<>(batch);
    lock.lock();
    try {
      dropped.addAll(syncer.takeBackUnsynced());
      dropped.addAll(queue);
      queue.clear();
      index.rollbackToDurable();
      health.failed("write of segment " + SegmentFormat.segmentName(segments.number()) + " failed: " + cause);
    } finally {
      lock.unlock();
    }
    log.error("store batch of {} records failed in segment {}; {} other records dropped, none acknowledged: {}",
        batch.size(), SegmentFormat.segmentName(segments.number()), dropped.size() - batch.size(), cause.toString());
    StoreUnavailableException error = new StoreUnavailableException(health.failure(), cause);
    dropped.forEach(record -> record.durable.completeExceptionally(error));
    abandonSegment();
  }

  /** Closes the failed segment cleanly, then starts a new one; a failure counts as one more attempt. */
  private void retry() {
    try {
      segments.abandon();
      segments.startNew();
    } catch (IOException e) {
      lock.lock();
      try {
        health.failed("starting a new segment failed: " + e);
      } finally {
        lock.unlock();
      }
      log.warn("store still unavailable after attempt {}: {}", health.failures(), e.toString());
      return;
    }
    lock.lock();
    try {
      health.recovered();
    } finally {
      lock.unlock();
    }
    log.info("store available again in segment {}", SegmentFormat.segmentName(segments.number()));
  }

  private void abandonSegment() {
    try {
      segments.abandon();
    } catch (IOException e) {
      log.warn("store could not cut back the failed segment yet: {}", e.toString());
    }
  }
}
