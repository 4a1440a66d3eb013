package dev.doorbell.uplink.store;

import com.google.errorprone.annotations.concurrent.GuardedBy;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's writer thread, which with {@link SegmentSyncer} makes the group commit. The writer takes batches
 * (records of many devices) from the {@link BatchQueue} and writes each in one pass; the syncer makes everything
 * written so far durable with one fdatasync, writes the checkpoint that covers it, then marks those batches durable in
 * the index and completes their futures in queue order. The two overlap: while one fdatasync runs, the next batches
 * are written, and the next fdatasync covers them all. Only the writer touches the segment files, except for the
 * syncer's fdatasync of batches already written; a segment is rolled or abandoned only when nothing written waits
 * for an fdatasync.
 *
 * <p>Fail-stop (docs/FORMAT.md §6, "Failure policy"): a failed write, fdatasync or checkpoint goes through
 * {@link #failStop}, the one path for all three; then, after a growing delay ({@link FailurePolicy}), the writer
 * tries to start a new segment, by default for as long as it takes.
 *
 * <p>{@code lock} is the store's: it also guards the store's index ({@link DirectoryStore}) and the syncer's state.
 * Every method here that needs it takes it (it is reentrant: the syncer calls some of them holding it).
 */
final class GroupCommitWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

    private enum Step {
        WRITE,
        ROLL,
        ABANDON,
        RETRY,
        STOP
    }

    /** What the writer does next; {@code batch} is set for {@link Step#WRITE} only. */
    private record Work(Step step, List<PendingRecord> batch) {
        static final Work ROLL = new Work(Step.ROLL, null);
        static final Work ABANDON = new Work(Step.ABANDON, null);
        static final Work RETRY = new Work(Step.RETRY, null);
        static final Work STOP = new Work(Step.STOP, null);
    }

    private final ReentrantLock lock;
    /** Signalled when the writer may have work: a record queued, a failure, a stop. */
    private final Condition wake;

    private final SegmentLog segments;
    private final StoreOptions options;
    private final SegmentSyncer syncer;
    private final Thread thread;
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong writeNanos = new AtomicLong();

    @GuardedBy("lock")
    private final ClipIndex index;

    @GuardedBy("lock")
    private final BatchQueue queue;

    @GuardedBy("lock")
    private final WriterHealth health;

    @GuardedBy("lock")
    private boolean stopping;
    /** A failure took everything back: the writer abandons the segment before anything else. */
    @GuardedBy("lock")
    private boolean abandonDue;

    GroupCommitWriter(
            ReentrantLock lock, ClipIndex index, SegmentLog segments, StoreOptions options, FailurePolicy policy) {
        this.lock = lock;
        this.wake = lock.newCondition();
        this.index = index;
        this.queue = new BatchQueue(options.maxBatchRecords(), options.maxBatchBytes());
        this.health = new WriterHealth(policy);
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
            public Runnable failed(List<SegmentSyncer.Written> covered, String what, Exception cause) {
                return failStop(what, cause, covered);
            }
        });
    }

    void start() {
        syncer.start();
        thread.start();
    }

    /**
     * Decides on a submission with {@code decide}, against the index, and queues the record it makes; while the store
     * takes no records (after a failure, or stopping) the decision is that refusal instead. One hold of the lock, so
     * that nothing is queued behind a failure that has taken the queue back.
     */
    ClipIndex.Decision submit(Function<ClipIndex, ClipIndex.Decision> decide) {
        lock.lock();
        try {
            Submission refusal = health.refusal(stopping);
            if (refusal != null) {
                return new ClipIndex.Decision(refusal, null, null);
            }
            ClipIndex.Decision decision = decide.apply(index);
            if (decision.queued() != null) {
                queue.add(decision.queued());
                wake.signal();
            }
            return decision;
        } finally {
            lock.unlock();
        }
    }

    StoreStats stats(long clips) {
        return new StoreStats(
                records.get(),
                bytes.get(),
                syncer.fsyncs(),
                batches.get(),
                clips,
                writeNanos.get() / 1_000_000,
                syncer.fsyncNanos() / 1_000_000,
                syncer.checkpointNanos() / 1_000_000);
    }

    void observeCommits(CommitObserver observer) {
        syncer.observer(observer);
    }

    /** Why no record is taken now, or null while they are. */
    String unavailableReason() {
        lock.lock();
        try {
            Submission refusal = health.refusal(stopping);
            return refusal == null ? null : refusal.detail();
        } finally {
            lock.unlock();
        }
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
            for (Work work = awaitWork(); work.step() != Step.STOP; work = awaitWork()) {
                switch (work.step()) {
                    case WRITE -> write(work.batch());
                    case ROLL -> roll();
                    case ABANDON -> abandon();
                    case RETRY -> retry();
                    default -> throw new IllegalStateException("unexpected step " + work.step());
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

    private Work awaitWork() {
        lock.lock();
        try {
            while (true) {
                if (abandonDue) {
                    abandonDue = false;
                    return Work.ABANDON;
                }
                if (!health.available()) {
                    if (stopping) {
                        return Work.STOP;
                    }
                    long wait = health.nanosUntilRetry(System.nanoTime());
                    if (wait <= 0) {
                        return Work.RETRY;
                    }
                    await(wait);
                } else if (!queue.isEmpty()) {
                    lingerForFullBatch();
                    // A failure while the writer lingered has taken the queue back; the next round abandons the
                    // segment.
                    if (!queue.isEmpty()) {
                        return new Work(Step.WRITE, queue.takeBatch());
                    }
                } else if (stopping) {
                    return Work.STOP;
                } else {
                    // Idle: a segment past its age is rolled now, so that it can be shipped while no record comes.
                    long untilAged = segments.nanosUntilAged(options.segmentMaxAge(), System.nanoTime());
                    if (untilAged <= 0) {
                        return Work.ROLL;
                    }
                    await(Math.min(untilAged, TimeUnit.DAYS.toNanos(1)));
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits up to maxBatchDelay for more records while the next batch could still grow. */
    @GuardedBy("lock")
    private void lingerForFullBatch() {
        long deadline = System.nanoTime() + options.maxBatchDelay().toNanos();
        long wait;
        while (!queue.isEmpty() && !queue.fullBatchQueued() && !stopping && (wait = deadline - System.nanoTime()) > 0) {
            await(wait);
        }
    }

    // Not a loop itself: each caller (awaitWork, lingerForFullBatch) loops and re-checks its condition after a wake-up.
    @SuppressWarnings("WaitNotInLoop")
    @GuardedBy("lock")
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
        for (PendingRecord record : batch) {
            total += BatchQueue.framedBytes(record);
        }
        try {
            if (segments.needsRoll(total, options.segmentBytes())
                    || segments.nanosUntilAged(options.segmentMaxAge(), System.nanoTime()) <= 0) {
                if (!awaitSynced()) {
                    return;
                }
                segments.startNew();
            }
            long started = System.nanoTime();
            // Serialized straight into the segment's reused direct buffer: no heap copy per record, and no copy of a
            // heap
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
            failStop("write", e, List.of()).run();
            return;
        }
        bytes.addAndGet(total);
        batches.incrementAndGet();
        lock.lock();
        try {
            if (queue.written(batch)) {
                syncer.add(batch, segments.number(), segments.position(), segments.records());
            }
        } finally {
            lock.unlock();
        }
    }

    /** A roll by age while idle: the same steps as a roll before a batch, with no batch after it. */
    private void roll() {
        try {
            if (awaitSynced()) {
                segments.startNew();
            }
        } catch (IOException | RuntimeException e) {
            failStop("write", e, List.of()).run();
        }
    }

    /**
     * Before a roll: waits until every batch written is durable or failed. False when an fdatasync or checkpoint failed
     * meanwhile: its fail-stop has taken back the batch being written too, and the segment is abandoned next.
     */
    private boolean awaitSynced() {
        lock.lock();
        try {
            syncer.awaitIdle();
            return health.available();
        } finally {
            lock.unlock();
        }
    }

    /** On the syncer thread, which holds the lock: the covered batches are durable. */
    private Runnable synced(List<SegmentSyncer.Written> covered) {
        int count = 0;
        lock.lock();
        try {
            for (SegmentSyncer.Written w : covered) {
                w.batch().forEach(index::markDurable);
                count += w.batch().size();
            }
            health.durable();
        } finally {
            lock.unlock();
        }
        records.addAndGet(count);
        return () -> covered.forEach(w -> w.batch().forEach(record -> record.durable.complete(null)));
    }

    /**
     * The one fail-stop path (docs/FORMAT.md §6, "Failure policy"), for a failed write on the writer thread and a
     * failed fdatasync or checkpoint on the syncer thread alike. An fdatasync running on the syncer when a write fails
     * finishes first: what it covers was written before the failure and is acknowledged as usual. Then nothing more is:
     * the batches the failed fdatasync {@code covered}, those written since, the batch being written and every record
     * queued fail with {@link StoreUnavailableException}, in log order, every clip falls back to its durable state, and
     * submissions are refused. The writer abandons the segment when it next runs (only it touches the files, and it may
     * be writing now), and the failure policy schedules its retry. Returns what is left to do once the lock is
     * released: the log line and the failed futures.
     */
    private Runnable failStop(String what, Exception cause, List<SegmentSyncer.Written> covered) {
        List<PendingRecord> failed = new ArrayList<>();
        covered.forEach(w -> failed.addAll(w.batch()));
        // The syncer names its segment; the writer's is the one it writes.
        String segment = SegmentFormat.segmentName(
                covered.isEmpty()
                        ? segments.number()
                        : covered.get(covered.size() - 1).segment());
        StoreUnavailableException error;
        lock.lock();
        try {
            failed.addAll(syncer.takeBackUnsynced());
            failed.addAll(queue.drain());
            index.rollbackToDurable();
            health.failed(what + " of segment " + segment + " failed: " + cause);
            abandonDue = true;
            wake.signalAll();
            error = new StoreUnavailableException(health.failure(), cause);
        } finally {
            lock.unlock();
        }
        return () -> {
            log.error(
                    "store {} failed in segment {}; {} records dropped, none acknowledged: {}",
                    what,
                    segment,
                    failed.size(),
                    cause.toString());
            failed.forEach(record -> record.durable.completeExceptionally(error));
        };
    }

    /** Closes the failed segment cleanly, then starts a new one; a failure counts as one more attempt. */
    private void retry() {
        try {
            segments.abandon();
            segments.startNew();
        } catch (IOException e) {
            int attempts;
            lock.lock();
            try {
                health.failed("starting a new segment failed: " + e);
                attempts = health.failures();
            } finally {
                lock.unlock();
            }
            log.warn("store still unavailable after attempt {}: {}", attempts, e.toString());
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

    /** Cuts the failed segment back to what its last checkpoint covers and closes it for good. */
    private void abandon() {
        try {
            segments.abandon();
        } catch (IOException e) {
            log.warn("store could not cut back the failed segment yet: {}", e.toString());
        }
    }
}
